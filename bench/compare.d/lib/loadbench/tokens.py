"""Signing keys, JWKS and JWTs for the Bearer scenarios (python3-jwt and python3-cryptography from Debian).

Keys are made once with the openssl CLI and cached; the public halves are written to the run directory as
PEM (for HAProxy's jwt_verify) and as one JWKS (RFC 7517) for authgate. Tokens carry iss, aud, sub, iat,
exp and a unique jti, and a `kid` naming their key.
"""

import base64
import hashlib
import json
import multiprocessing
import os
import secrets
import subprocess
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
import jwt

_GENPKEY = {
    "rs256": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "es256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "eddsa": ["-algorithm", "ed25519"],
}
ALGORITHMS = {"rs256": "RS256", "es256": "ES256", "eddsa": "EdDSA", "hs256": "HS256"}
_UNIQUE_LIFETIME_S = 365 * 86400
_UNIQUE_REFRESH_S = 300 * 86400  # regenerate the cached tokens well before they expire


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(n, length=None):
    return n.to_bytes(length or (n.bit_length() + 7) // 8, "big")


def _private_key(cache_dir, name):
    path = os.path.join(cache_dir, "keys", f"{name}.pem")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run(["openssl", "genpkey", *_GENPKEY[name], "-out", path], check=True, capture_output=True)
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def _hs256_secret(cache_dir):
    path = os.path.join(cache_dir, "keys", "hs256.secret")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_hex(32) + "\n")  # 256 bits, printable for HAProxy's config
    with open(path) as f:
        return f.read().strip()


def _jwk(name, key):
    jwk = {"kid": name, "alg": ALGORITHMS[name], "use": "sig"}
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        jwk.update(kty="RSA", n=_b64url(_int_bytes(numbers.n)), e=_b64url(_int_bytes(numbers.e)))
    elif isinstance(key, ec.EllipticCurvePublicKey):
        numbers = key.public_numbers()
        jwk.update(kty="EC", crv="P-256", x=_b64url(_int_bytes(numbers.x, 32)),
                   y=_b64url(_int_bytes(numbers.y, 32)))
    elif isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk.update(kty="OKP", crv="Ed25519", x=_b64url(raw))
    return jwk


def _write_jwks(out_dir, name, jwk):
    with open(os.path.join(out_dir, f"{name}.jwks.json"), "w") as f:
        json.dump({"keys": [jwk]}, f, indent=2)


def keys(cache_dir, out_dir):
    """Loads (or makes) the keys; writes <name>.pub.pem and one <name>.jwks.json per key into out_dir.

    One JWKS per algorithm: a realm that accepts RS256 must not also hold an HMAC secret (RFC 8725 §3.1).
    """
    os.makedirs(out_dir, exist_ok=True)
    result = {}
    for name in _GENPKEY:
        private = _private_key(cache_dir, name)
        public = private.public_key()
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        with open(os.path.join(out_dir, f"{name}.pub.pem"), "wb") as f:
            f.write(pem)
        result[name] = private
        _write_jwks(out_dir, name, _jwk(name, public))
    secret = _hs256_secret(cache_dir)
    _write_jwks(out_dir, "hs256", {"kid": "hs256", "alg": "HS256", "use": "sig", "kty": "oct",
                                   "k": _b64url(secret.encode())})
    # authgate reads HMAC secrets only from a secret file (never a JWKS shared with public keys).
    with open(os.open(os.path.join(out_dir, "hs256.secret"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
              "w") as f:
        f.write(secret + "\n")
    result["hs256"] = secret.encode()
    result["hs256_secret"] = secret
    return result


def _claims(sub, jti, issuer, audience, lifetime_s):
    now = int(time.time())
    return {"iss": issuer, "aud": audience, "sub": sub, "iat": now, "exp": now + lifetime_s, "jti": jti}


def repeated(key_set, issuer, audience):
    """One fresh token per algorithm (valid for a day), the same one sent on every request."""
    return {name: jwt.encode(_claims("bench", f"repeated-{name}", issuer, audience, 86400), key_set[name],
                             algorithm=ALGORITHMS[name], headers={"kid": name})
            for name in ALGORITHMS}


_worker_key = None


def _init_worker(pem_path):
    global _worker_key
    with open(pem_path, "rb") as f:
        _worker_key = serialization.load_pem_private_key(f.read(), password=None)


def _sign_range(job):
    start, stop, issuer, audience = job
    return [jwt.encode(_claims(f"user{i:06d}", f"unique-{i:06d}", issuer, audience, _UNIQUE_LIFETIME_S),
                       _worker_key, algorithm="RS256", headers={"kid": "rs256"})
            for i in range(start, stop)]


def _expires_soon(path):
    """True when the oldest cached token has less than two months left (tokens live a year)."""
    with open(path) as f:
        first = f.readline().strip()
    try:
        exp = jwt.decode(first, options={"verify_signature": False})["exp"]
    except (jwt.InvalidTokenError, KeyError):
        return True
    return exp - time.time() < _UNIQUE_LIFETIME_S - _UNIQUE_REFRESH_S


def unique_rs256(cache_dir, count, issuer, audience):
    """Path of a cached file with at least count distinct RS256 tokens, one per line (signed on 2 cores)."""
    pem = os.path.join(cache_dir, "keys", "rs256.pem")
    with open(pem, "rb") as f:
        fingerprint = _b64url(hashlib.sha256(f.read()).digest())[:10]
    path = os.path.join(cache_dir, "tokens", f"rs256-unique-{fingerprint}.txt")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and _expires_soon(path):
        os.remove(path)
    have = 0
    if os.path.exists(path):
        with open(path) as f:
            have = sum(1 for _ in f)
    if have < count:
        print(f"compare: signing {count - have} RS256 tokens (cached for next runs)...", flush=True)
        jobs = [(i, min(i + 2000, count), issuer, audience) for i in range(have, count, 2000)]
        with multiprocessing.Pool(2, initializer=_init_worker, initargs=(pem,)) as pool, open(path, "a") as f:
            for batch in pool.imap(_sign_range, jobs):
                f.write("\n".join(batch) + "\n")
    return path
