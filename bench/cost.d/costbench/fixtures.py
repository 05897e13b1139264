"""The credentials of a run, made fresh in its run directory: a bcrypt (cost 10) htpasswd file for one user,
an RSA-2048 key pair, and one RS256 JWT signed with it (openssl CLI; base64url done here)."""

import base64
import json
import os
import shutil
import subprocess
import time

USER, PASSWORD = "alice", "correct-horse-battery-staple"
ISSUER, AUDIENCE = "https://issuer.bench.example", "authgate-bench"
BCRYPT_COST = 10


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _run(argv, **kwargs):
    done = subprocess.run(argv, capture_output=True, **kwargs)
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace") if isinstance(done.stderr, bytes) else done.stderr
        raise RuntimeError(f"{' '.join(argv[:3])} … failed ({done.returncode}): {err.strip()}")
    return done


def make_htpasswd(path, authgate):
    """user:$2y$10$… with Apache's htpasswd when installed, else with `authgate passwd`."""
    if shutil.which("htpasswd"):
        out = _run(["htpasswd", "-nbB", "-C", str(BCRYPT_COST), USER, PASSWORD], text=True).stdout
        line = out.strip().splitlines()[0]
        with open(path, "w") as f:
            f.write(line + "\n")
        tool = "htpasswd"
    else:
        _run([authgate, "passwd", "-c", "-B", "-C", str(BCRYPT_COST), "-i", path, USER],
             input=PASSWORD + "\n", text=True)
        tool = "authgate passwd"
    with open(path) as f:
        if not f.read().startswith(f"{USER}:$2"):
            raise RuntimeError(f"{path}: {tool} did not write a bcrypt line")
    return tool


def make_rsa_keys(private_path, public_path):
    _run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", private_path])
    _run(["openssl", "pkey", "-in", private_path, "-pubout", "-out", public_path])


def make_rs256_jwt(private_path, now=None, lifetime_s=86400):
    """A compact JWS: {"alg":"RS256","typ":"JWT"} . claims . RSASSA-PKCS1-v1_5 SHA-256 signature."""
    now = int(time.time() if now is None else now)
    header = {"alg": "RS256", "typ": "JWT"}
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": USER, "iat": now, "nbf": now, "exp": now + lifetime_s,
              "jti": "cost-bench-token", "scope": "read write"}
    signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    signature = _run(["openssl", "dgst", "-sha256", "-sign", private_path, "-binary"],
                     input=signing_input.encode("ascii")).stdout
    if len(signature) != 256:
        raise RuntimeError(f"openssl dgst -sign gave {len(signature)} bytes, not an RSA-2048 signature")
    return signing_input + "." + b64url(signature)


def make_all(run_dir, authgate):
    """Writes users.htpasswd, rs256.key.pem, rs256.pub.pem; returns the credentials the kinds send."""
    htpasswd_tool = make_htpasswd(os.path.join(run_dir, "users.htpasswd"), authgate)
    private_path = os.path.join(run_dir, "rs256.key.pem")
    make_rsa_keys(private_path, os.path.join(run_dir, "rs256.pub.pem"))
    return {
        "basic": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode("ascii"),
        "bearer": make_rs256_jwt(private_path),
        "htpasswd_tool": htpasswd_tool,
    }
