"""`authgate passwd` (htpasswd-like: [-c] [-D] [-v] [-i] [-B] [-C cost] [--argon2id] [--sha512] FILE USER)
is compatible both ways with Apache's htpasswd: what it writes, `htpasswd -v` verifies (argon2id: the
reference libargon2); what htpasswd writes, it verifies. New files get mode 0600; edited ones keep theirs.

`authgate passwd --digest [-c] [-D] [--algorithms LIST | --htdigest] FILE REALM USER` writes Digest HA1
lines (RFC 7616), recomputed here with hashlib; with MD5 only they are byte for byte Apache's htdigest's."""
import ctypes
import ctypes.util
import hashlib
import os
import pty
import re
import select
import stat
import subprocess
import time

import pytest
import requests

from harness import configs
from harness.gateway import run_cli
from harness.passwords import htpasswd_line, write_htpasswd

PASSWORD = "Pa:ss wörd-1"


def passwd(*args, password: str = PASSWORD):
    """`authgate passwd --stdin ARGS…` with the password on stdin."""
    return run_cli(["passwd", "--stdin", *args], input=password + "\n")


def apache_verifies(path, user: str, password: str) -> bool:
    result = subprocess.run(["htpasswd", "-vb", str(path), user, password], capture_output=True, timeout=60)
    return result.returncode == 0


def libargon2_verifies(encoded: str, password: str) -> bool:
    """argon2id_verify() from Debian's libargon2 (the reference implementation); 0 = ARGON2_OK."""
    library = ctypes.CDLL(ctypes.util.find_library("argon2") or "libargon2.so.1")
    secret = password.encode("utf-8")
    return library.argon2id_verify(encoded.encode(), secret, ctypes.c_size_t(len(secret))) == 0


def entry(path, user: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.split(":", 1)[0] == user:
            return line.split(":", 1)[1]
    raise AssertionError(f"{user} not in {path.read_text()!r}")


# (id, authgate flags, hash prefix)
WRITTEN = [
    ("the default is bcrypt $2y$ with cost 12", [], "$2y$12$"),
    ("-C 5 sets the bcrypt cost", ["-C", "5"], "$2y$05$"),
    ("--sha512 writes sha512-crypt", ["--sha512"], "$6$"),
]


@pytest.mark.parametrize("flags, prefix", [w[1:] for w in WRITTEN],
                         ids=[f"htpasswd -v verifies authgate passwd's entry: {w[0]}" for w in WRITTEN])
def test_apache_verifies_what_authgate_writes(tmp_path, flags, prefix):
    path = tmp_path / "users.htpasswd"
    result = passwd("-c", *flags, path, "alice")
    assert result.returncode == 0, result.stderr
    assert entry(path, "alice").startswith(prefix)
    assert apache_verifies(path, "alice", PASSWORD)
    assert not apache_verifies(path, "alice", PASSWORD + "x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_libargon2_verifies_authgate_argon2id(tmp_path):
    path = tmp_path / "users.htpasswd"
    assert passwd("-c", "--argon2id", path, "alice").returncode == 0
    encoded = entry(path, "alice")
    assert encoded.startswith("$argon2id$v=19$")
    assert libargon2_verifies(encoded, PASSWORD)
    assert not libargon2_verifies(encoded, PASSWORD + "x")


# (id, htpasswd flags)
READ = [("bcrypt", "B -C 5"), ("apr1-MD5", "m"), ("SHA-1", "s"), ("sha256-crypt", "2"), ("sha512-crypt", "5")]


@pytest.mark.parametrize("flags", [r[1] for r in READ], ids=[f"authgate passwd -v verifies Apache's {r[0]}" for r in READ])
def test_authgate_verifies_what_apache_writes(tmp_path, flags):
    path = write_htpasswd(tmp_path / "users.htpasswd", [htpasswd_line("alice", PASSWORD, flags)])
    assert passwd("-v", path, "alice").returncode == 0
    assert passwd("-v", path, "alice", password="wrong").returncode == 1
    assert passwd("-v", path, "nobody").returncode == 1


def test_update_and_delete_keep_the_other_lines(tmp_path):
    lines = [htpasswd_line(user, f"{user}-pw", "B -C 4") for user in ("alice", "bob", "carol")]
    path = write_htpasswd(tmp_path / "users.htpasswd", lines)
    path.chmod(0o640)
    assert passwd(path, "bob", password="new-bob-pw").returncode == 0
    assert apache_verifies(path, "bob", "new-bob-pw")
    assert passwd("-D", path, "carol").returncode == 0
    kept = path.read_text().splitlines()
    assert kept[0] == lines[0], "untouched entries stay byte for byte"
    assert [line.split(":")[0] for line in kept] == ["alice", "bob"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640, "an edited file keeps its mode, as with htpasswd"
    assert passwd("-D", path, "carol").returncode == 1, "deleting a missing user is refused"


@pytest.mark.parametrize("user", ["a:b", "", "tab\tuser"],
                         ids=["a user-id with a colon is refused (RFC 7617 §2)", "an empty user-id is refused",
                              "a user-id with a control character is refused"])
def test_impossible_user_ids_are_refused(tmp_path, user):
    path = tmp_path / "users.htpasswd"
    result = passwd("-c", path, user)
    assert result.returncode == 2
    assert not path.exists() or user not in path.read_text()


def test_updating_a_missing_file_without_create_fails(tmp_path):
    result = passwd(tmp_path / "absent.htpasswd", "alice")
    assert result.returncode == 2
    assert not (tmp_path / "absent.htpasswd").exists()


def test_the_gateway_accepts_the_argon2id_entries_authgate_writes(launcher, upstream, tmp_path):
    path = tmp_path / "users.htpasswd"
    assert passwd("-c", "--argon2id", path, "alice").returncode == 0
    groups = tmp_path / "groups.txt"
    groups.write_text("")
    gateway = launcher.serve(configs.gateway_config(upstream.url, path, groups))
    auth = ("alice".encode(), PASSWORD.encode("utf-8"))
    assert requests.get(gateway.url("/"), auth=auth, timeout=30).status_code == 200
    assert requests.get(gateway.url("/"), auth=("alice", "wrong"), timeout=30).status_code == 401


# --- Digest (RFC 7616) ---------------------------------------------------------------------------------

REALM = "Staff area"
HASHLIB = {"SHA-256": "sha256", "SHA-512-256": "sha512_256", "MD5": "md5"}
HEX = re.compile(r"[0-9a-fA-F]{32,}")


def ha1(algorithm: str, user: str, realm: str, password: str = PASSWORD) -> str:
    """H(user:realm:password) over the UTF-8 bytes (RFC 7616 §3.4.2), by Python's hashlib."""
    return hashlib.new(HASHLIB[algorithm], f"{user}:{realm}:{password}".encode("utf-8")).hexdigest()


def digest_line(user: str, realm: str, algorithms=("SHA-256", "SHA-512-256"), password: str = PASSWORD) -> str:
    if algorithms == ("MD5",):
        return f"{user}:{realm}:{ha1('MD5', user, realm, password)}"
    return f"{user}:{realm}:" + ",".join(f"{a}={ha1(a, user, realm, password)}" for a in algorithms)


def digest(*args, password: str = PASSWORD):
    """`authgate passwd --stdin --digest ARGS…` with the password on stdin."""
    return passwd("--digest", *args, password=password)


def write_lines(path, lines) -> bytes:
    content = "".join(line + "\n" for line in lines).encode("utf-8")
    path.write_bytes(content)
    return content


def htdigest_create(path, realm: str, user: str, password: str):
    """`htdigest -c FILE REALM USER` typing the password twice on a pseudo-terminal (it reads only a tty)."""
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


def test_digest_stores_sha256_and_sha512_256_by_default(tmp_path):
    path = tmp_path / "users.digest"
    result = digest("-c", path, REALM, "alice")
    assert result.returncode == 0, result.stderr
    line = f"alice:{REALM}:SHA-256={ha1('SHA-256', 'alice', REALM)},SHA-512-256={ha1('SHA-512-256', 'alice', REALM)}"
    assert path.read_bytes() == (line + "\n").encode()
    assert re.fullmatch(r"alice:Staff area:SHA-256=[0-9a-f]{64},SHA-512-256=[0-9a-f]{64}\n", path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not HEX.search(result.stdout + result.stderr), "an HA1 is as good as the password: never printed"
    assert "Adding password for user alice in realm Staff area" in result.stderr


# (id, authgate flags, algorithms of the expected line)
DIGEST_ALGORITHMS = [
    ("--algorithms MD5 writes htdigest's own line", ["--algorithms", "MD5"], ("MD5",)),
    ("--htdigest writes htdigest's own line", ["--htdigest"], ("MD5",)),
    ("algorithm names are case-insensitive", ["--algorithms", "md5"], ("MD5",)),
    ("tags come in the file's order, whatever the list's", ["--algorithms", "md5, sha-512-256"],
     ("SHA-512-256", "MD5")),
    ("all three", ["--algorithms", "SHA-256,SHA-512-256,MD5"], ("SHA-256", "SHA-512-256", "MD5")),
]


@pytest.mark.parametrize("flags, algorithms", [d[1:] for d in DIGEST_ALGORITHMS], ids=[d[0] for d in DIGEST_ALGORITHMS])
def test_digest_algorithms_choose_the_stored_ha1s(tmp_path, flags, algorithms):
    path = tmp_path / "users.digest"
    result = digest("-c", *flags, path, REALM, "alice")
    assert result.returncode == 0, result.stderr
    assert path.read_text() == digest_line("alice", REALM, algorithms) + "\n"


@pytest.mark.parametrize("algorithms", ["SHA-1", "SHA-256-sess", "SHA-256,", "SHA-256,sha-256"],
                         ids=["an unknown algorithm is refused", "a -sess name is refused (it shares the HA1)",
                              "an empty name is refused", "a name given twice is refused"])
def test_bad_algorithm_lists_are_refused_before_the_file_is_touched(tmp_path, algorithms):
    path = tmp_path / "users.digest"
    result = digest("-c", "--algorithms", algorithms, path, REALM, "alice")
    assert result.returncode == 2
    assert "--algorithms" in result.stderr
    assert not path.exists()


@pytest.mark.skipif(not os.path.exists("/usr/bin/htdigest"), reason="apache2-utils' htdigest is not installed")
@pytest.mark.parametrize("user, realm", [("alice", REALM), ("Jäsøn Doe", "Zürich ✓")],
                         ids=["an ASCII user", "a UTF-8 user and realm"])
def test_htdigest_and_authgate_write_the_same_bytes(tmp_path, user, realm):
    ours, theirs = tmp_path / "authgate.digest", tmp_path / "apache.digest"
    assert digest("-c", "--algorithms", "MD5", ours, realm, user).returncode == 0
    htdigest_create(theirs, realm, user, PASSWORD)
    assert theirs.read_bytes() == ours.read_bytes()
    assert ours.read_text() == digest_line(user, realm, ("MD5",)) + "\n"


def test_digest_update_replaces_only_that_users_line_in_that_realm(tmp_path):
    path = tmp_path / "users.digest"
    lines = ["# staff and others", digest_line("alice", REALM, ("MD5",), "old"), "",
             digest_line("bob", REALM, password="bob-pw"), digest_line("alice", "Other realm", ("MD5",), "old")]
    write_lines(path, lines)
    path.chmod(0o640)
    result = digest(path, REALM, "alice")
    assert result.returncode == 0, result.stderr
    assert "Updating password for user alice in realm Staff area" in result.stderr
    expected = lines.copy()
    expected[1] = digest_line("alice", REALM)  # the whole line: the old MD5 HA1 must not stay valid
    assert path.read_bytes() == "".join(line + "\n" for line in expected).encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640, "an edited file keeps its mode"


def test_digest_create_replaces_an_existing_file(tmp_path):
    path = tmp_path / "users.digest"
    write_lines(path, [digest_line("bob", REALM)])
    assert digest("-c", path, REALM, "alice").returncode == 0
    assert path.read_text() == digest_line("alice", REALM) + "\n"


def test_digest_delete_removes_the_user_in_that_realm_only(tmp_path):
    path = tmp_path / "users.digest"
    lines = [digest_line("alice", REALM), digest_line("bob", REALM), digest_line("alice", "Other realm")]
    write_lines(path, lines)
    result = digest("-D", path, REALM, "alice")
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == "".join(line + "\n" for line in lines[1:]).encode()
    before = path.read_bytes()
    assert digest("-D", path, REALM, "alice").returncode == 1, "deleting a missing user is refused"
    assert path.read_bytes() == before


def test_a_utf8_user_name_is_hashed_as_its_utf8_bytes(tmp_path):
    path = tmp_path / "users.digest"
    user = "Jäsøn Doe"
    result = digest("-c", path, REALM, user)
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == (digest_line(user, REALM) + "\n").encode("utf-8")
    sha256 = hashlib.sha256(f"{user}:{REALM}:{PASSWORD}".encode("utf-8")).hexdigest()
    sha512_256 = hashlib.new("sha512_256", f"{user}:{REALM}:{PASSWORD}".encode("utf-8")).hexdigest()
    assert path.read_text(encoding="utf-8").rstrip("\n").split(":", 2)[2] == \
        f"SHA-256={sha256},SHA-512-256={sha512_256}"


# (id, realm, user)
IMPOSSIBLE_DIGEST_NAMES = [
    ("a user name with ':' is refused (the field separator)", REALM, "a:b"),
    ("an empty user name is refused", REALM, ""),
    ("a user name with a control character is refused", REALM, "tab\tuser"),
    ("a user name starting with '#' is refused (a comment line)", REALM, "#alice"),
    ("a realm with ':' is refused", "a:b", "alice"),
    ("an empty realm is refused", "", "alice"),
]


@pytest.mark.parametrize("realm, user", [n[1:] for n in IMPOSSIBLE_DIGEST_NAMES],
                         ids=[n[0] for n in IMPOSSIBLE_DIGEST_NAMES])
def test_impossible_digest_names_are_refused_and_the_file_is_untouched(tmp_path, realm, user):
    path = tmp_path / "users.digest"
    before = write_lines(path, [digest_line("bob", REALM)])
    result = digest(path, realm, user)
    assert result.returncode == 2
    assert "user name" in result.stderr or "realm" in result.stderr
    assert path.read_bytes() == before


def test_a_file_that_would_not_load_is_not_written(tmp_path):
    path = tmp_path / "users.digest"
    before = write_lines(path, [digest_line("bob", REALM), "carol:Staff area:not-an-ha1"])
    result = digest(path, REALM, "alice")
    assert result.returncode == 2
    assert f"{path}:2:" in result.stderr, "the loader's file:line:col says which line is broken"
    assert path.read_bytes() == before


@pytest.mark.parametrize("realm", ['The "staff" area', "back\\slash"],
                         ids=["a realm with a quote warns about curl", "a realm with a backslash warns about curl"])
def test_realms_that_curl_hashes_escaped_are_written_with_a_warning(tmp_path, realm):
    path = tmp_path / "users.digest"
    result = digest("-c", path, realm, "alice")
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "curl" in result.stderr and "1095" in result.stderr
    assert path.read_text() == digest_line("alice", realm) + "\n"


def test_a_realm_without_the_digest_flag_is_refused(tmp_path):
    result = passwd("-c", tmp_path / "users.htpasswd", REALM, "alice")
    assert result.returncode == 2
    assert not (tmp_path / "users.htpasswd").exists()


def test_help_documents_the_digest_options():
    result = run_cli(["passwd", "--help"])
    assert result.returncode == 0
    for text in ("--digest", "--algorithms", "--htdigest", "FILE REALM USER"):
        assert text in result.stdout
