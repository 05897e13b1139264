#!/usr/bin/env bash
# Remakes the EXAMPLE DATA of examples/embed (see README.md here): a user file, an RS256 key pair of which
# only the public half is kept, and a token signed with the private half, which is then thrown away.
# Needs `authgate` (or AUTHGATE=path), openssl and coreutils' basenc. Run it from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
authgate=${AUTHGATE:-authgate}

rm -f users.htpasswd
printf 'example-only\n' | "$authgate" passwd -c -i -C 5 users.htpasswd alice >/dev/null
printf 'example-only-2\n' | "$authgate" passwd -i -C 5 users.htpasswd bob >/dev/null
printf 'staff: alice bob\nadmins: bob\n' >users.groups

key=$(mktemp)
trap 'rm -f "$key"' EXIT
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key"
openssl pkey -in "$key" -pubout -out issuer-public.pem

b64url() { basenc --base64url -w0 | tr -d '='; }
header=$(printf '{"alg":"RS256","typ":"JWT","kid":"example-rs256"}' | b64url)
# iat 2025-01-01, exp 2100-01-01: the example verifies against the real clock.
payload=$(printf '%s' '{"iss":"https://issuer.example","aud":"example-api","sub":"alice","groups":["staff"],'\
'"scope":"reports.read","jti":"example-token-1","iat":1735689600,"exp":4102444800}' | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" -binary | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature" >token.jwt
