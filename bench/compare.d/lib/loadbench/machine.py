"""The machine and software a run happened on, and OpenSSL's own RS256 verify rate on one core."""

import os
import platform
import re
import socket
import subprocess


def _first_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    text = (done.stdout + done.stderr).strip()
    return text.splitlines()[0] if text else "unavailable"


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _os_release():
    try:
        with open("/etc/os-release") as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        return fields.get("PRETTY_NAME", "").strip('"')
    except OSError:
        return "unknown"


def machine():
    return {"host": socket.gethostname(), "nproc": os.cpu_count(), "cpu": _cpu_model(),
            "kernel": platform.release(), "os": _os_release(),
            "memory_mib": os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1 << 20),
            "loadavg_start": list(os.getloadavg())}


def _git(repo, *args):
    try:
        done = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, timeout=10)
        return done.stdout.strip()
    except OSError:
        return ""


def versions(repo, authgate_bin):
    nginx = _first_line(["nginx", "-v"]).replace("nginx version: ", "")
    dirty = "+dirty" if _git(repo, "status", "--porcelain", "--untracked-files=no") else ""
    return {
        "authgate": (_first_line([authgate_bin, "version"]) if authgate_bin else "unavailable"),
        "authgate_commit": _git(repo, "rev-parse", "--short", "HEAD") + dirty,  # of the checkout
        "authgate_binary": authgate_bin,  # with --authgate, a binary that may come from elsewhere
        "nginx": nginx,
        "haproxy": _first_line(["haproxy", "-v"]).split(" - ")[0].replace("HAProxy version ", ""),
        "lighttpd": _first_line(["lighttpd", "-v"]).split(" - ")[0],
        "squid": _first_line(["squid", "-v"]).replace("Squid Cache: Version ", "squid "),
        "redis": _first_line(["redis-server", "--version"]).split(" sha=")[0],
        "wrk": _first_line(["wrk", "-v"]).split(" Copyright")[0],
        "openssl": _first_line(["openssl", "version"]),
        "python": platform.python_version(),
    }


def openssl_rsa2048(seconds):
    """{sign_per_s, verify_per_s} from `openssl speed -seconds N -elapsed rsa2048`, one core."""
    done = subprocess.run(["openssl", "speed", "-seconds", str(seconds), "-elapsed", "rsa2048"],
                          capture_output=True, text=True, timeout=seconds * 4 + 60)
    match = re.search(r"^rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", done.stdout, re.MULTILINE)
    if not match:
        return {"error": (done.stdout + done.stderr).strip()[-300:]}
    return {"sign_per_s": float(match.group(1)), "verify_per_s": float(match.group(2)),
            "command": f"openssl speed -seconds {seconds} -elapsed rsa2048"}
