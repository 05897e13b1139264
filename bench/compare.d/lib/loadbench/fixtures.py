"""Credentials for the load comparison: htpasswd/htdigest files, signing keys, JWKS, tokens.

The slow parts are cached under bench/compare.d/cache/ (gitignored) and grown on demand: 1,000 bcrypt
cost-10 hashes take about 25 s on two cores, 100,000 RS256 tokens about 35 s. Everything else is written
fresh into the run directory each run. Passwords are derived from the user name, so the client side
(Authorization values) never needs the cache.
"""

import base64
import concurrent.futures
import hashlib
import os
import subprocess
from dataclasses import dataclass

from . import tokens

CACHE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "cache")
USER, PASSWORD, REALM = "bench", "bench-password", "bench"
ISSUER, AUDIENCE = "https://issuer.bench.test", "bench"


@dataclass
class Fixtures:
    """What the servers and wrk scripts need, all inside the run directory."""
    run_dir: str
    bcrypt_hash: str          # the one bcrypt-10 entry (HAProxy's userlist needs it inline)
    many_lines: list          # "user:hash" lines of the rotation users
    basic_header: str         # Authorization for USER/PASSWORD
    many_headers_file: str    # one Authorization value per line, one per rotation user
    bearer: dict              # alg → Authorization value with one repeated token
    unique_tokens_file: str   # one "Bearer <RS256 token>" per line, all distinct
    hs256_secret: str
    digest_ha1: str           # SHA-256 H(A1) of USER:REALM:PASSWORD (RFC 7616 §3.4.2)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def many_password(user):
    return f"password-{user}"


def _htpasswd(flag, user, password, cost=None):
    argv = ["htpasswd", "-nb" + flag] + (["-C", str(cost)] if cost else []) + [user, password]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[0]


def _cached_line(name, make):
    path = os.path.join(CACHE_DIR, "users", name)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(make() + "\n")
    with open(path) as f:
        return f.read().strip()


def _many_users(count):
    """count "userNNNN:$2y$10$..." lines, grown in the cache two hashes at a time."""
    path = os.path.join(CACHE_DIR, "users", "many-bcrypt10.htpasswd")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines = []
    if os.path.exists(path):
        with open(path) as f:
            lines = [line.strip() for line in f if line.strip()]
    if len(lines) < count:
        missing = [f"user{i:04d}" for i in range(len(lines), count)]
        print(f"compare: hashing {len(missing)} bcrypt cost-10 passwords (cached for next runs)...")
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            lines += list(pool.map(lambda u: _htpasswd("B", u, many_password(u), cost=10), missing))
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    return lines[:count]


def _write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def _write_users(run_dir, bcrypt_line, many_lines):
    users = os.path.join(run_dir, "users")
    _write(os.path.join(users, "bcrypt.htpasswd"), bcrypt_line + "\n")
    _write(os.path.join(users, "many.htpasswd"), "\n".join(many_lines) + "\n")
    _write(os.path.join(users, "apr1.htpasswd"), _cached_line("apr1.htpasswd",
                                                              lambda: _htpasswd("m", USER, PASSWORD)) + "\n")
    _write(os.path.join(users, "sha.htpasswd"), _cached_line("sha.htpasswd",
                                                             lambda: _htpasswd("s", USER, PASSWORD)) + "\n")
    ha1 = hashlib.sha256(f"{USER}:{REALM}:{PASSWORD}".encode()).hexdigest()
    # The same HA1 twice: lighttpd tells SHA-256 from MD5 by length, authgate by tag (an untagged HA1 is
    # Apache's MD5 to it).
    _write(os.path.join(users, "sha256.htdigest"), f"{USER}:{REALM}:{ha1}\n")
    _write(os.path.join(users, "sha256.authgate.htdigest"), f"{USER}:{REALM}:SHA-256={ha1}\n")
    return ha1


def _unique_tokens(run_dir, count):
    """A file of count distinct RS256 tokens, taken from the cached (and grown) token file."""
    source = tokens.unique_rs256(CACHE_DIR, count, ISSUER, AUDIENCE)
    target = os.path.join(run_dir, "clients", "rs256-unique.auth")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(source) as src, open(target, "w") as dst:
        for _, line in zip(range(count), src):
            dst.write("Bearer " + line.strip() + "\n")
    return target


def prepare(run_dir, many_users, unique_tokens):
    """Writes every fixture of this run into run_dir and returns where they are."""
    os.makedirs(run_dir, exist_ok=True)
    bcrypt_line = _cached_line("bcrypt.htpasswd", lambda: _htpasswd("B", USER, PASSWORD, cost=10))
    many_lines = _many_users(many_users)
    ha1 = _write_users(run_dir, bcrypt_line, many_lines)
    names = [line.split(":", 1)[0] for line in many_lines]
    many_headers = "".join(_basic(name, many_password(name)) + "\n" for name in names)
    keys = tokens.keys(CACHE_DIR, os.path.join(run_dir, "keys"))
    bearer = {alg: "Bearer " + tok for alg, tok in tokens.repeated(keys, ISSUER, AUDIENCE).items()}
    return Fixtures(
        run_dir=run_dir,
        bcrypt_hash=bcrypt_line.split(":", 1)[1],
        many_lines=many_lines,
        basic_header=_basic(USER, PASSWORD),
        many_headers_file=_write(os.path.join(run_dir, "clients", "many.auth"), many_headers),
        bearer=bearer,
        unique_tokens_file=_unique_tokens(run_dir, unique_tokens) if unique_tokens else "",
        hs256_secret=keys["hs256_secret"],
        digest_ha1=ha1,
    )
