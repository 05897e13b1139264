"""Server processes started by bench/compare: start, wait until they listen, measure RSS, stop by pid.

Every process started here is recorded in one registry and stopped (SIGTERM, then SIGKILL) by pid when the
run ends, however it ends: normal exit, failure, Ctrl-C or SIGTERM. Each child also asks the kernel for
SIGKILL should bench/compare itself die without cleaning up (PR_SET_PDEATHSIG).
"""

import ctypes
import os
import re
import signal
import socket
import subprocess
import time

_PR_SET_PDEATHSIG = 1
_used_ports = set()


class StartError(Exception):
    """A server did not come up; the message is its last log lines."""


def free_port():
    """A free TCP port on 127.0.0.1 that this run has not handed out before."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _used_ports:
            _used_ports.add(port)
            return port


def die_with_parent():
    """preexec_fn: the kernel sends this child SIGKILL when the tool that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _children(pid):
    """Direct children of pid (nginx master → worker)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def _rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid):
    """utime + stime of pid (proc(5) /proc/PID/stat fields 14 and 15), in seconds; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Process:
    """One server process, its log file and the port it listens on."""

    def __init__(self, name, argv, port, log_path):
        self.name, self.argv, self.port, self.log_path = name, argv, port, log_path
        self.popen = None
        self.child_pids = []

    def start(self):
        log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                      preexec_fn=die_with_parent)
        log.close()
        REGISTRY.add(self)

    def wait_ready(self, timeout_s=15.0):
        """Returns once the port accepts connections; raises StartError if the process exits first."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise StartError(f"{self.name} exited with {self.popen.returncode}: {self.log_excerpt()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    self.child_pids = _children(self.popen.pid)
                    return
            except OSError:
                time.sleep(0.05)
        raise StartError(f"{self.name} did not listen on port {self.port} within {timeout_s:.0f} s: "
                         f"{self.log_excerpt()}")

    def log_excerpt(self):
        """The first and the last line of the log (a config error list starts with the first problem and
        ends with the verdict), paths shortened to file names."""
        try:
            with open(self.log_path, errors="replace") as f:
                lines = [line.strip() for line in f if line.strip()]
        except OSError:
            return "(no log)"
        picked = lines[:1] + lines[-1:] if len(lines) > 1 else lines
        return re.sub(r"/\S*/([^/\s]+)", r"\1", " | ".join(picked)) or "(empty log)"

    def rss_kib(self):
        """Resident memory of the server: the process plus its children (nginx: master + worker)."""
        if self.popen is None or self.popen.poll() is not None:
            return 0
        pids = [self.popen.pid] + _children(self.popen.pid)
        return sum(_rss_kib(pid) for pid in pids)

    def cpu_by_part(self):
        """{name: CPU seconds (user + kernel) used so far by it and its children}; {} once it exited."""
        if self.popen is None or self.popen.poll() is not None:
            return {}
        return {self.name: sum(_cpu_seconds(pid) for pid in [self.popen.pid] + _children(self.popen.pid))}

    def stop(self):
        """SIGTERM, up to 5 s of grace, then SIGKILL; the same for children left behind."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        for pid in self.child_pids:
            _kill_if_ours(pid, self.argv[0])
        REGISTRY.discard(self)


class Chain:
    """Processes that take the load together, such as nginx in front of authgate's decision listener: the
    load goes to the port of the last one (the front); ready once every one listens; RSS is their sum, CPU is
    kept per process; stopped front first. Each part is a Process in the registry like any other."""

    def __init__(self, name, parts):
        self.name, self.parts, self.port = name, list(parts), parts[-1].port

    def wait_ready(self, timeout_s=15.0):
        for part in self.parts:
            part.wait_ready(timeout_s)

    def rss_kib(self):
        return sum(part.rss_kib() for part in self.parts)

    def cpu_by_part(self):
        out = {}
        for part in self.parts:
            out.update(part.cpu_by_part())
        return out

    def stop(self):
        for part in reversed(self.parts):
            part.stop()


def _kill_if_ours(pid, program):
    """SIGKILL a recorded child pid only if it still runs our program (pids are reused)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
    except OSError:
        return
    if os.path.basename(program).encode() in cmdline:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class _Registry:
    def __init__(self):
        self._live = []

    def add(self, process):
        self._live.append(process)

    def discard(self, process):
        if process in self._live:
            self._live.remove(process)

    def stop_all(self):
        for process in reversed(list(self._live)):
            try:
                process.stop()
            except Exception as exc:  # keep stopping the others
                print(f"compare: could not stop {process.name}: {exc}")


REGISTRY = _Registry()


def install_signal_handlers():
    """SIGTERM and SIGHUP end the run like Ctrl-C does, so `finally` blocks stop every server."""

    def interrupt(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
