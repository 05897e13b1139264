"""Digest authentication (RFC 7616) for the black-box tests, written from the RFC and never from authgate:
store files (HA1s by hashlib, and Apache's own `htdigest`), a parser of challenge and Authentication-Info
lists, and a hand-written client whose every parameter a test can change, drop, duplicate or mistype."""
import hashlib
import os
import pty
import secrets
import select
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .raw_http import RawConnection, RawResponse

# RFC 7616 §3.2 and §6.1: the hash behind each algorithm name. SHA-512-256 is FIPS 180-4 SHA-512/256 (its
# own initial values), not SHA-512 cut to 256 bits; see tests/data/vectors/rfc-http-auth-examples.
HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}
ALGORITHMS = ("SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess", "MD5", "MD5-sess")


def base_of(algorithm: str) -> str:
    """The hash family of an algorithm name: "SHA-256-sess" → "SHA-256"."""
    return algorithm[:-len("-sess")] if algorithm.lower().endswith("-sess") else algorithm


def is_session(algorithm: str) -> bool:
    return algorithm.lower().endswith("-sess")


def hash_hex(algorithm: str, data) -> str:
    """H(data) in lower-case hex for `algorithm`'s hash; str data is hashed as UTF-8 (RFC 7616 §3.4.1)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return hashlib.new(HASHES[base_of(algorithm)], raw).hexdigest()


def ha1(algorithm: str, user: str, realm: str, password: str) -> str:
    """HA1 = H(username ":" realm ":" passwd) (RFC 7616 §3.4.2): what a store keeps, not the password."""
    return hash_hex(algorithm, f"{user}:{realm}:{password}")


# --- store files -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DigestUser:
    name: str
    password: str
    groups: tuple = ()


def ha1_line(user: str, realm: str, password: str, families=("SHA-256", "SHA-512-256", "MD5")) -> str:
    """authgate's store line `user:realm:SHA-256=<hex>,SHA-512-256=<hex>,MD5=<hex>` (any non-empty
    subset, in the order given)."""
    return f"{user}:{realm}:" + ",".join(f"{f}={ha1(f, user, realm, password)}" for f in families)


def htdigest_line(user: str, realm: str, password: str) -> str:
    """Apache's htdigest line: `user:realm:<MD5 HA1>`."""
    return f"{user}:{realm}:{ha1('MD5', user, realm, password)}"


def write_lines(path: Path, lines) -> Path:
    path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8"))
    return path


def apache_htdigest_line(workdir: Path, realm: str, user: str, password: str) -> str:
    """The line Apache's own `htdigest -c FILE REALM USER` writes, typing the password twice on a
    pseudo-terminal (htdigest reads nothing but a tty)."""
    path = workdir / f"htdigest-{secrets.token_hex(4)}"
    pid, fd = pty.fork()
    if pid == 0:  # the child: htdigest with the pty as its controlling terminal
        os.execv("/usr/bin/htdigest", ["htdigest", "-c", str(path), realm, user])
    output, typed, deadline = b"", 0, time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if not select.select([fd], [], [], 1)[0]:
                continue
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: htdigest exited and closed the terminal
                break
            if not chunk:
                break
            output += chunk
            while output.lower().count(b"password:") > typed:
                os.write(fd, password.encode("utf-8") + b"\n")
                typed += 1
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    line = path.read_text(encoding="utf-8").rstrip("\n")
    path.unlink()
    return line


# --- parsing challenges and auth-param lists ---------------------------------------------------------

TCHAR = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass
class Challenge:
    """One challenge: its scheme and its auth-params in wire order (quoted-strings unescaped)."""

    scheme: str
    params: list = field(default_factory=list)  # [(name, value)]

    def get(self, name: str, default=None):
        values = [v for k, v in self.params if k.lower() == name.lower()]
        assert len(values) <= 1, f"{name} appears {len(values)} times in {self}"
        return values[0] if values else default

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        assert value is not None, f"no {name} in {self}"
        return value

    def names(self) -> list:
        return [k for k, _ in self.params]


def _skip(text: str, i: int, chars: str) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _token(text: str, i: int):
    start = i
    while i < len(text) and text[i] in TCHAR:
        i += 1
    assert i > start, f"expected a token at {i} in {text!r}"
    return text[start:i], i


def _value(text: str, i: int):
    """A token or quoted-string (RFC 9110 §5.6.4) starting at i: (unescaped value, next index)."""
    if i < len(text) and text[i] == '"':
        out, i = [], i + 1
        while text[i] != '"':
            if text[i] == "\\":
                i += 1
            out.append(text[i])
            i += 1
        return "".join(out), i + 1
    return _token(text, i)


def parse_challenges(text: str) -> list:
    """Every challenge in a WWW-Authenticate value (RFC 9110 §11.6.1: `scheme 1*SP #auth-param`, comma
    separated). Token68 is not handled: no challenge the gateway sends carries one."""
    challenges, i = [], 0
    while True:
        i = _skip(text, i, " \t,")
        if i >= len(text):
            return challenges
        name, i = _token(text, i)
        after = _skip(text, i, " \t")
        if after < len(text) and text[after] == "=":
            value, i = _value(text, _skip(text, after + 1, " \t"))
            challenges[-1].params.append((name, value))
        else:
            challenges.append(Challenge(name))
            i = after


def parse_params(text: str) -> Challenge:
    """An auth-param list without a scheme (Authentication-Info, RFC 7615 §3)."""
    return parse_challenges("Info " + text)[0]


def challenges_in(response: RawResponse) -> list:
    """The challenges of every WWW-Authenticate field of a raw response, in wire order."""
    return [c for value in response.headers_named("WWW-Authenticate") for c in parse_challenges(value)]


# --- the hand-written client -------------------------------------------------------------------------

def quote(value: str) -> str:
    """A quoted-string (RFC 9110 §5.6.4): `"` and `\\` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ext_value(text: str) -> str:
    """RFC 8187 ext-value: UTF-8'' and every byte outside attr-char percent-encoded."""
    return "UTF-8''" + urllib.parse.quote(text, safe="!#$&+-.^_`|~", encoding="utf-8")


def response_for(algorithm: str, ha1_hex: str, nonce: str, nc: str, cnonce: str, qop: str, ha2: str) -> str:
    """KD(HA1', nonce:nc:cnonce:qop:HA2) (RFC 7616 §3.4.1), HA1' being the -sess HA1 where it applies."""
    if is_session(algorithm):
        ha1_hex = hash_hex(algorithm, f"{ha1_hex}:{nonce}:{cnonce}")  # RFC 7616 §3.4.2
    return hash_hex(algorithm, f"{ha1_hex}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")


def ha2_for(algorithm: str, method: str, uri: str, qop: str, body: bytes = b"") -> str:
    """HA2 = H(method ":" uri), or for auth-int H(method ":" uri ":" H(entity-body)) (RFC 7616 §3.4.3)."""
    if qop == "auth-int":
        return hash_hex(algorithm, f"{method}:{uri}:{hash_hex(algorithm, body)}")
    return hash_hex(algorithm, f"{method}:{uri}")


@dataclass
class Answer:
    """One `Authorization: Digest …` value, parameter by parameter in the order they go out, and the inputs
    it was computed from (so a test can verify the server's rspauth)."""

    params: list  # [name, value, quoted]
    algorithm: str
    ha1: str
    nonce: str
    nc: str
    cnonce: str
    qop: str
    uri: str

    def header(self) -> str:
        return "Digest " + ", ".join(f"{n}={quote(v) if q else v}" for n, v, q in self.params)

    def value_of(self, name: str) -> str:
        return next(v for n, v, _ in self.params if n == name)

    def replaced(self, name: str, value: str, quoted=None) -> "Answer":
        """A copy with `name` set to `value` (appended when absent), quoted as before unless told."""
        params, found = [], False
        for n, v, q in self.params:
            if n == name:
                params.append([n, value, q if quoted is None else quoted])
                found = True
            else:
                params.append([n, v, q])
        if not found:
            params.append([name, value, bool(quoted)])
        return Answer(params, self.algorithm, self.ha1, self.nonce, self.nc, self.cnonce, self.qop, self.uri)

    def without(self, name: str) -> "Answer":
        params = [list(p) for p in self.params if p[0] != name]
        return Answer(params, self.algorithm, self.ha1, self.nonce, self.nc, self.cnonce, self.qop, self.uri)

    def with_duplicate(self, name: str) -> "Answer":
        """`name` twice, the copy right after the original and identical to it."""
        params = []
        for p in self.params:
            params.append(list(p))
            if p[0] == name:
                params.append(list(p))
        return Answer(params, self.algorithm, self.ha1, self.nonce, self.nc, self.cnonce, self.qop, self.uri)

    def rspauth(self) -> str:
        """The rspauth a server that knows HA1 sends for qop=auth: A2 = ":" uri (RFC 7616 §3.5)."""
        return response_for(self.algorithm, self.ha1, self.nonce, self.nc, self.cnonce, self.qop,
                            hash_hex(self.algorithm, f":{self.uri}"))


def answer(challenge: Challenge, user: str, password: str, method: str = "GET", uri: str = "/", *,
           algorithm: str = None, qop: str = "auth", nc: int = 1, cnonce: str = None, body: bytes = b"",
           userhash: bool = False, username_star: bool = None, hash_realm: str = None) -> Answer:
    """The credentials a correct RFC 7616 client sends for `challenge`.

    algorithm defaults to the challenge's; userhash sends H(user ":" realm) as username (§3.4.4);
    username_star sends `username*` (RFC 8187, §3.4), by default only for a name that is not ASCII;
    hash_realm is the realm string hashed into HA1 when a test wants it to differ from the one sent."""
    realm, nonce = challenge["realm"], challenge["nonce"]
    algorithm = algorithm or challenge.get("algorithm", "MD5")
    cnonce = cnonce or secrets.token_urlsafe(24)
    nc_text = f"{nc:08x}"
    ha1_hex = ha1(algorithm, user, realm if hash_realm is None else hash_realm, password)
    ha2 = ha2_for(algorithm, method, uri, qop, body)
    if username_star is None:
        username_star = not user.isascii() and not userhash
    if userhash:
        username = ["username", hash_hex(algorithm, f"{user}:{realm}"), True]
    elif username_star:
        username = ["username*", ext_value(user), False]
    else:
        username = ["username", user, True]
    params = [username, ["realm", realm, True], ["uri", uri, True], ["algorithm", algorithm, False],
              ["nonce", nonce, True], ["nc", nc_text, False], ["cnonce", cnonce, True], ["qop", qop, False],
              ["response", response_for(algorithm, ha1_hex, nonce, nc_text, cnonce, qop, ha2), True]]
    if challenge.get("opaque") is not None:
        params.append(["opaque", challenge["opaque"], True])
    if userhash:
        params.append(["userhash", "true", False])
    return Answer(params, algorithm, ha1_hex, nonce, nc_text, cnonce, qop, uri)


def fetch_challenges(port: int, path: str, method: str = "GET") -> list:
    """The Digest challenges of the 401 a request without credentials gets (asserting it is a 401)."""
    with RawConnection(port) as connection:
        response = connection.request(method, path, [("Content-Length", "0")] if method == "POST" else [])
    assert response.status == 401, (response.status, response.headers)
    return [c for c in challenges_in(response) if c.scheme.lower() == "digest"]


def fetch_challenge(port: int, path: str, algorithm: str = None) -> Challenge:
    """The Digest challenge for `algorithm` (the first one when None) of a fresh 401 on `path`."""
    offered = fetch_challenges(port, path)
    found = [c for c in offered if algorithm is None or c["algorithm"] == algorithm]
    assert found, f"no {algorithm} challenge in {offered}"
    return found[0]


def send(port: int, method: str, target: str, authorization: str = None, body: bytes = b"",
         headers=()) -> RawResponse:
    """One request on a new connection, with `authorization` as the Authorization field when given."""
    fields = list(headers)
    if authorization is not None:
        fields.append(("Authorization", authorization))
    if body or method in ("POST", "PUT"):
        if not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in fields):
            fields.append(("Content-Length", str(len(body))))
    with RawConnection(port) as connection:
        return connection.request(method, target, fields, body)


def info_of(response: RawResponse) -> Challenge:
    """The Authentication-Info parameters of a response (asserting there is exactly one such field)."""
    value = response.header("Authentication-Info")
    assert value is not None, f"no Authentication-Info in {response.headers}"
    return parse_params(value)
