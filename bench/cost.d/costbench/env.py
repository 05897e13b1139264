"""What bench/cost needs from the machine: valgrind (callgrind, callgrind_control), nginx, openssl, and
htpasswd (optional: `authgate passwd` otherwise); their versions and the git revision for the JSON.

Nothing is installed unless missing, and then only as root: `apt-get install -y` of valgrind, nginx and
apache2-utils (Debian 12)."""

import datetime
import hashlib
import os
import re
import shutil
import socket
import subprocess

# executable → Debian package that provides it (only these are ever installed)
_INSTALLABLE = {"valgrind": "valgrind", "callgrind_control": "valgrind", "nginx": "nginx",
                "htpasswd": "apache2-utils"}
_REQUIRED = ("valgrind", "callgrind_control", "nginx", "openssl")


def _which(name):
    found = shutil.which(name)
    if found is None and name == "nginx" and os.access("/usr/sbin/nginx", os.X_OK):
        found = "/usr/sbin/nginx"   # not on a non-root PATH
    return found


def ensure_tools(log):
    """{name: path} for every tool; installs the missing ones with apt-get when root, else raises."""
    missing = [name for name in _INSTALLABLE if _which(name) is None]
    packages = sorted({_INSTALLABLE[name] for name in missing})
    if packages:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            log(f"installing {' '.join(packages)} with apt-get")
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
            subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True, env=env)
        elif any(name in _REQUIRED for name in missing):
            raise RuntimeError(f"missing {' '.join(missing)}: install the Debian packages {' '.join(packages)} "
                               f"(or run bench/cost as root to have them installed)")
    tools = {}
    for name in _REQUIRED + ("htpasswd",):
        path = _which(name)
        if path is None and name in _REQUIRED:
            raise RuntimeError(f"{name} not found")
        tools[name] = path
    return tools


def _first_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    out = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return out[0].strip() if out else ""


def versions(tools):
    nginx = _first_line([tools["nginx"], "-v"])
    return {
        "valgrind": _first_line([tools["valgrind"], "--version"]),
        "nginx": re.sub(r"^nginx version:\s*", "", nginx),
        "authgate": _first_line([tools["authgate"], "--version"]),
        "openssl": _first_line([tools["openssl"], "version"]),
    }


def binary_identity(path):
    """Size, mtime and SHA-256 of the binary measured: the tree may be rebuilt between runs (and the
    git sha says nothing about uncommitted changes it was built from)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    st = os.stat(path)
    return {"path": path, "bytes": st.st_size,
            "mtime": datetime.datetime.fromtimestamp(st.st_mtime).astimezone().isoformat(timespec="seconds"),
            "sha256": digest.hexdigest()}


def git_revision(repo):
    def git(*args):
        try:
            done = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, timeout=30)
        except OSError:
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"sha": git("rev-parse", "HEAD"), "short": git("rev-parse", "--short", "HEAD") or "nogit",
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def machine():
    return {"host": socket.gethostname(), "nproc": os.cpu_count(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}
