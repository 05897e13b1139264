"""`authgate passwd` (htpasswd-like: [-c] [-D] [-v] [-i] [-B] [-C cost] [--argon2id] [--sha512] FILE USER)
is compatible both ways with Apache's htpasswd: what it writes, `htpasswd -v` verifies (argon2id: the
reference libargon2); what htpasswd writes, it verifies. New files get mode 0600; edited ones keep theirs."""
import ctypes
import ctypes.util
import stat
import subprocess

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
