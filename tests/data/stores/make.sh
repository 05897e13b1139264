#!/bin/sh
# Regenerates the password-hash fixtures with the real tools (Debian apache2-utils and whois):
#   apache.htpasswd  one user per format Apache's htpasswd writes; user U has password "U-pw"
#   hashes.tsv       kind <TAB> password <TAB> hash, for every libcrypt method mkpasswd offers that we read,
#                    and argon2id from the reference `argon2` CLI (Debian package argon2)
#   groups           an AuthGroupFile for apache.htpasswd
# Salts are random, so every run gives different (equally valid) files; commit the result. Some unit
# tests quote apache.htpasswd hashes verbatim (grep tests/unit for them) and must be updated with it.
set -eu
cd "$(dirname "$0")"

f=apache.htpasswd
rm -f "$f"
htpasswd -cbB -C 5 "$f" bcrypt bcrypt-pw      # $2y$05$  (Apache's default cost)
htpasswd -bB -C 4 "$f" bcrypt4 bcrypt4-pw     # $2y$04$
htpasswd -bm "$f" apr1 apr1-pw                # $apr1$
htpasswd -bs "$f" sha1 sha1-pw                # {SHA}
htpasswd -b2 "$f" sha256 sha256-pw            # $5$
htpasswd -b5 "$f" sha512 sha512-pw            # $6$
htpasswd -b5 -r 10000 "$f" sha512r sha512r-pw # $6$rounds=10000$
htpasswd -bd "$f" des des-pw                  # DES-crypt (8 significant bytes)
htpasswd -bp "$f" plain plain-pw              # plaintext (htpasswd warns that Apache on Unix ignores it)
# UTF-8 user-id and password, bytes as typed (RFC 7617 §2.1 charset="UTF-8").
htpasswd -bB -C 4 "$f" "jürgen" "pässwörd-€"
# A password with a colon and spaces: only the user-id ends at the first colon (RFC 7617 §2).
htpasswd -bm "$f" colon "a:b c"
# A comment and a blank line, as an administrator would add them; Apache ignores both.
printf '# added by hand\n\n' >> "$f"

t=hashes.tsv
: > "$t"
for method in yescrypt sha512crypt sha256crypt bcrypt bcrypt-a md5crypt descrypt; do
  pw="$method-pw"
  case "$method" in
    bcrypt|bcrypt-a) hash=$(mkpasswd -m "$method" -R 5 "$pw") ;;
    *) hash=$(mkpasswd -m "$method" "$pw") ;;
  esac
  printf '%s\t%s\t%s\n' "$method" "$pw" "$hash" >> "$t"
done
# yescrypt at its lowest and a higher cost, sha-crypt with explicit rounds.
printf '%s\t%s\t%s\n' yescrypt-r1 yescrypt-pw "$(mkpasswd -m yescrypt -R 1 yescrypt-pw)" >> "$t"
printf '%s\t%s\t%s\n' yescrypt-r7 yescrypt-pw "$(mkpasswd -m yescrypt -R 7 yescrypt-pw)" >> "$t"
printf '%s\t%s\t%s\n' sha256crypt-r sha-pw "$(mkpasswd -m sha256crypt -R 20000 sha-pw)" >> "$t"
# argon2id as the reference implementation's CLI encodes it (salt from the command line, 16 bytes).
salt=$(head -c 12 /dev/urandom | base64)
printf '%s\t%s\t%s\n' argon2id-cli argon2-pw "$(printf argon2-pw | argon2 "$salt" -id -t 2 -k 4096 -p 1 -e)" >> "$t"
printf '%s\t%s\t%s\n' argon2id-cli-p2 argon2-pw "$(printf argon2-pw | argon2 "$salt" -id -t 1 -k 8192 -p 2 -l 16 -e)" >> "$t"

cat > groups <<'GROUPS'
# AuthGroupFile for apache.htpasswd
admins: bcrypt apr1
staff: bcrypt sha1 sha256
staff: sha512 "jürgen"
empty:
GROUPS
