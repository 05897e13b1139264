"""What the comparison needs: Debian packages (apt-get, only when missing) and the authgate binary."""

import importlib.util
import os
import shutil
import subprocess

# executable or python module → Debian package
_PROGRAMS = {"wrk": "wrk", "haproxy": "haproxy", "lighttpd": "lighttpd", "nginx": "nginx-light",
             "htpasswd": "apache2-utils", "openssl": "openssl"}
_MODULES = {"jwt": "python3-jwt", "cryptography": "python3-cryptography"}


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
    return missing


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
