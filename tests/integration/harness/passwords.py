"""htpasswd lines made by Debian's own tools (apache2-utils `htpasswd`, whois `mkpasswd`, `argon2`), never
by authgate: the gateway must read what the real tools write."""
import subprocess
from dataclasses import dataclass
from pathlib import Path


def _run(args, stdin: str = None) -> str:
    result = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip()


def htpasswd_line(user: str, password: str, flags: str) -> str:
    """`htpasswd -nb<flags> user password`, e.g. flags "B -C 4" (bcrypt $2y$), "m" (apr1), "s" ({SHA})."""
    letters, *options = flags.split()
    return _run(["htpasswd", f"-nb{letters}", *options, user, password]).splitlines()[0]


def mkpasswd_line(user: str, password: str, method: str) -> str:
    """`user:` + `mkpasswd -m method` (yescrypt, bcrypt, bcrypt-a, sha256crypt, sha512crypt, …)."""
    return f"{user}:{_run(['mkpasswd', '-m', method, '--stdin'], stdin=password)}"


def argon2_line(user: str, password: str, salt: str = "authgate-test-salt") -> str:
    """`user:` + Debian's reference `argon2` CLI in encoded form ($argon2id$v=19$m=…,t=…,p=…$…)."""
    return f"{user}:{_run(['argon2', salt, '-id', '-e', '-t', '2', '-m', '12', '-p', '1'], stdin=password)}"


@dataclass(frozen=True)
class User:
    name: str
    password: str
    groups: tuple = ()


# The default population of every gateway: bcrypt entries written by `htpasswd -B`.
ALICE = User("alice", "alice-secret-1", ("admins", "staff"))
BOB = User("bob", "bob-secret-2", ("staff",))
JURGEN = User("jürgen", "pässwörd-日本-✓", ("staff",))  # UTF-8 user-id and password (RFC 7617 §2.1)
DEFAULT_USERS = (ALICE, BOB, JURGEN)


def write_htpasswd(path: Path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_groups(path: Path, users) -> Path:
    """An Apache AuthGroupFile: one `group: user user` line per group."""
    groups = {}
    for user in users:
        for group in user.groups:
            groups.setdefault(group, []).append(user.name)
    path.write_text("".join(f"{g}: {' '.join(names)}\n" for g, names in groups.items()), encoding="utf-8")
    return path


def write_default_store(directory: Path, users=DEFAULT_USERS) -> tuple:
    """users.htpasswd (bcrypt cost 4, by htpasswd) and groups.txt for `users`; returns both paths."""
    lines = [htpasswd_line(u.name, u.password, "B -C 4") for u in users]
    return (write_htpasswd(directory / "users.htpasswd", lines), write_groups(directory / "groups.txt", users))


def htpasswd_line_for_raw_user(user: bytes, password: str, flags: str = "B -C 4") -> bytes:
    """An htpasswd line whose user name is the raw bytes `user` (control characters and all), with a hash
    made by `htpasswd` itself: what a hand-edited or generated file can hold but htpasswd never writes."""
    placeholder = "placeholder-user"
    line = htpasswd_line(placeholder, password, flags)
    return user + line[len(placeholder):].encode("ascii")


def write_bytes_lines(path: Path, lines) -> Path:
    """A file of the byte strings `lines`, each ended by LF, written exactly as given."""
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path
