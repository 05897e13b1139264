"""Processes bench/cost starts: free ports, start, wait until listening, stop by pid.

Every process is recorded in REGISTRY and stopped (SIGTERM, then SIGKILL) however the run ends: the
runner's try/finally calls stop_all() on success, failure, Ctrl-C and SIGTERM (turned into
KeyboardInterrupt). Children run in their own session, so a terminal's Ctrl-C reaches only bench/cost,
which then stops them in order; each also gets SIGKILL from the kernel should bench/cost die without
cleaning up (PR_SET_PDEATHSIG, kept across valgrind's exec)."""

import os
import signal
import socket
import subprocess
import sys
import time

# Free ports, the start error and the parent-death signal are bench/compare's (one copy for both tools).
sys.path.insert(0, os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", "compare.d", "lib")))
from loadbench.processes import StartError, die_with_parent, free_port  # noqa: E402,F401


def log_tail(path, lines=6):
    try:
        with open(path, errors="replace") as f:
            kept = [line.rstrip() for line in f if line.strip()]
    except OSError:
        return "(no log)"
    return " | ".join(kept[-lines:]) or "(empty log)"


class Process:
    def __init__(self, name, argv, port, log_path, cwd):
        self.name, self.argv, self.port, self.log_path, self.cwd = name, argv, port, log_path, cwd
        self.popen = None

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, cwd=self.cwd,
                                          start_new_session=True, preexec_fn=die_with_parent)
        REGISTRY.append(self)
        return self

    def wait_ready(self, timeout_s):
        """Returns once the port accepts a connection; raises StartError if the process exits first or
        the time runs out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise StartError(f"{self.name} exited with status {self.popen.returncode} before listening: "
                                 f"{log_tail(self.log_path)}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                    return
            except OSError:
                time.sleep(0.1)
        raise StartError(f"{self.name} did not listen on 127.0.0.1:{self.port} within {timeout_s:.0f} s: "
                         f"{log_tail(self.log_path)}")

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def stop(self, grace_s=30.0):
        """SIGTERM, up to grace_s for it to exit (valgrind writes its last dump then), then SIGKILL."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(signal.SIGTERM)
                self.popen.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self in REGISTRY:
            REGISTRY.remove(self)


REGISTRY = []


def stop_all():
    """Stops every process still running, the most recently started first."""
    for proc in list(reversed(REGISTRY)):
        try:
            proc.stop()
        except Exception:  # noqa: BLE001 - keep stopping the others
            try:
                proc.popen.kill()
            except Exception:  # noqa: BLE001
                pass
            if proc in REGISTRY:
                REGISTRY.remove(proc)


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def install_signal_handlers():
    """SIGTERM and SIGHUP end the run like Ctrl-C: through the finally blocks that stop the servers."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
