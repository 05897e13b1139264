"""What the comparison needs: Debian packages (apt-get, only when missing), the authgate binary and the
Digest load client (client/digest_load.cpp, compiled here and cached by its source's hash)."""

import hashlib
import importlib.util
import os
import shutil
import subprocess

# executable or python module → Debian package
_PROGRAMS = {"wrk": "wrk", "haproxy": "haproxy", "lighttpd": "lighttpd", "nginx": "nginx-light",
             "squid": "squid", "redis-server": "redis-server", "htpasswd": "apache2-utils",
             "openssl": "openssl"}
# Packages whose own service apt-get may start (Squid on 127.0.0.1:3128 and every other address, Redis on
# 127.0.0.1:6379): stopped and disabled right after they are installed. The comparison runs its own
# instances on free ports.
_SERVICES = {"squid": "squid", "redis-server": "redis-server"}
_MODULES = {"jwt": "python3-jwt", "cryptography": "python3-cryptography"}
_CLIENT_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "client")
_CACHE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "cache")  # gitignored, as fixtures.py's
_CLIENT_SOURCES = ("digest_load.cpp", "http_reply.hpp")


def missing_packages():
    missing = [pkg for prog, pkg in _PROGRAMS.items() if shutil.which(prog) is None]
    missing += [pkg for mod, pkg in _MODULES.items() if importlib.util.find_spec(mod) is None]
    return missing


def ensure_packages(allowed=True):
    """Installs missing packages with apt-get (as root, or through sudo); raises when it cannot."""
    missing = missing_packages()
    if not missing:
        return []
    if not allowed:
        raise RuntimeError(f"missing Debian packages: {' '.join(missing)} (run without --no-install)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"compare: installing {' '.join(missing)} with apt-get", flush=True)
    subprocess.run(sudo + ["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                   check=True, env=env)
    still = missing_packages()
    if still:
        raise RuntimeError(f"still missing after apt-get: {' '.join(still)}")
    for pkg in missing:
        if pkg in _SERVICES:
            _stop_service(sudo, _SERVICES[pkg])
    return missing


def _stop_service(sudo, name):
    """Stops a service a package just installed and keeps it from starting at boot (best effort: where
    policy-rc.d forbade the start, as in containers, there is nothing to stop)."""
    if os.path.isdir("/run/systemd/system"):
        argvs = [["systemctl", "disable", "--now", name]]
    else:
        argvs = [["service", name, "stop"], ["update-rc.d", name, "disable"]]
    for argv in argvs:
        if shutil.which(argv[0]):
            subprocess.run(sudo + argv, capture_output=True, text=True)
    print(f"compare: stopped and disabled the {name} service that its package installed", flush=True)


def build_authgate(repo, build_dir):
    """Builds the authgate target (Release) into build_dir; returns (path, '') or ('', why not)."""
    binary = os.path.join(build_dir, "authgate")
    steps = []
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        steps.append(["cmake", "-S", repo, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"])
    steps.append(["cmake", "--build", build_dir, "--target", "authgate", "-j2"])
    print(f"compare: building authgate (Release) in {os.path.relpath(build_dir, repo)}...", flush=True)
    for argv in steps:
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
            if os.path.exists(binary):
                print(f"compare: build failed, using the existing binary: {' | '.join(tail)}", flush=True)
                break
            return "", "authgate build failed: " + " | ".join(tail)
    return binary, ""


def authgate_ready(binary):
    """'' when `authgate serve` exists, else why authgate cannot run."""
    if not binary or not os.access(binary, os.X_OK):
        return f"no authgate binary at {binary}"
    done = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        return "`authgate serve` is not available yet"
    return ""


def build_digest_client(cache_dir=_CACHE_DIR):
    """The Digest load client's path, compiled (g++, OpenSSL) unless this source was compiled before."""
    sha = hashlib.sha256()
    for name in _CLIENT_SOURCES:
        with open(os.path.join(_CLIENT_DIR, name), "rb") as f:
            sha.update(f.read())
    binary = os.path.join(cache_dir, "bin", f"digest_load-{sha.hexdigest()[:12]}")
    if os.path.exists(binary):
        return binary
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    argv = ["g++", "-std=c++20", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Werror",
            os.path.join(_CLIENT_DIR, "digest_load.cpp"), "-lcrypto", "-o", binary + ".tmp"]
    print("compare: compiling the Digest load client (cached for next runs)...", flush=True)
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"cannot compile client/digest_load.cpp: {done.stderr.strip()[-1000:]}")
    os.replace(binary + ".tmp", binary)
    return binary
