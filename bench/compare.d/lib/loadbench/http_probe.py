"""Single requests outside wrk: the probe before each run, cache warming, and Digest challenges."""

import collections
import hashlib
import http.client
import re

_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)')


def probe(port, path, authorization=None, timeout=30, field="Authorization"):
    """(status, [challenges]) of one GET; (0, [reason]) when the connection fails.

    path may be absolute-form (`http://host:port/path`, to a forward proxy: http.client then sends that
    target as it is and takes Host from it); field is then Proxy-Authorization, and the challenges are
    the Proxy-Authenticate values instead of WWW-Authenticate."""
    challenge = "Proxy-Authenticate" if field.lower() == "proxy-authorization" else "WWW-Authenticate"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={field: authorization} if authorization else {})
        response = conn.getresponse()
        response.read()
        return response.status, response.msg.get_all(challenge) or []
    except (OSError, http.client.HTTPException) as exc:
        return 0, [str(exc)]
    finally:
        conn.close()


def warm(port, path, authorizations, timeout=60):
    """Sends each Authorization once over one keep-alive connection; returns a Counter of statuses."""
    counts = collections.Counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        for value in authorizations:
            try:
                conn.request("GET", path, headers={"Authorization": value})
                response = conn.getresponse()
                response.read()
                counts[response.status] += 1
            except (OSError, http.client.HTTPException):
                counts[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    finally:
        conn.close()
    return counts


def _unquote(value):
    if value.startswith('"') and value.endswith('"'):
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def digest_challenge(challenges):
    """The auth-params of the first `Digest ... algorithm=SHA-256` challenge, or None (RFC 7616 §3.3)."""
    for field in challenges:
        if not field.lower().startswith("digest "):
            continue
        params = {k.lower(): _unquote(v) for k, v in _PARAM.findall(field[len("digest "):])}
        if params.get("algorithm", "MD5").upper() == "SHA-256" and "nonce" in params:
            return params
    return None


def digest_args(challenge, user, ha1, uri):
    """The arguments of wrk/digest.lua for this challenge: USER REALM NONCE OPAQUE QOP HA1 HA2 URI."""
    qops = [q.strip() for q in challenge.get("qop", "auth").split(",")]
    if "auth" not in qops:
        raise ValueError(f"server offers qop={challenge.get('qop')!r}, benchmark needs qop=auth")
    ha2 = hashlib.sha256(f"GET:{uri}".encode()).hexdigest()
    return [user, challenge["realm"], challenge["nonce"], challenge.get("opaque", "-"), "auth", ha1, ha2, uri]


def digest_authorization(args, nc, cnonce):
    """One Digest Authorization for digest_args() output, built as wrk/digest.lua does (RFC 7616 §3.4)."""
    user, realm, nonce, opaque, qop, ha1, ha2, uri = args
    count = f"{nc:08x}"
    response = hashlib.sha256(f"{ha1}:{nonce}:{count}:{cnonce}:{qop}:{ha2}".encode()).hexdigest()
    value = (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", algorithm=SHA-256, '
             f'qop={qop}, cnonce="{cnonce}", nc={count}, response="{response}"')
    return value + (f', opaque="{opaque}"' if opaque != "-" else "")
