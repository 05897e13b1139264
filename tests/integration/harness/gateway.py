"""authgate as a subprocess: start it, wait for its ready lines, read its logs and memory, stop it.

Every process started here is in its own process group and is registered in LIVE until it has exited, so
a fixture finalizer (or the report hook showing logs on failure) can always find it.
"""
import json
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import yaml_text

REPO = Path(__file__).resolve().parents[3]
READY = re.compile(r"authgate: listening on (\S+):(\d+) \(([^)]*)\)")
LIVE = []  # AuthgateProcess objects not yet reaped


def authgate_bin() -> str:
    """The binary under test: $AUTHGATE_BIN, else build/release/authgate."""
    return os.environ.get("AUTHGATE_BIN") or str(REPO / "build" / "release" / "authgate")


def run_cli(args, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    """Runs `authgate ARGS…` to completion (never longer than `timeout`), capturing text output."""
    return subprocess.run([authgate_bin(), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          **kwargs)


def wait_accepting(port: int, process, timeout: float = 30.0):
    """Waits until 127.0.0.1:`port` accepts connections (the admin listener may print no ready line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.popen.poll() is not None:
                raise AssertionError(f"{process.label} exited with {process.popen.returncode}:\n"
                                     f"{process.stderr_text()[-4000:]}")
            time.sleep(0.05)
    raise AssertionError(f"nothing accepts connections on 127.0.0.1:{port} after {timeout}s")


class AuthgateProcess:
    """A long-running authgate command whose stdout and stderr go to files in `workdir`."""

    def __init__(self, args, workdir: Path, label: str = "authgate"):
        self.args = [authgate_bin(), *map(str, args)]
        self.label = label
        self.stdout_path = workdir / f"{label}.stdout"
        self.stderr_path = workdir / f"{label}.stderr"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.popen = subprocess.Popen(self.args, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                          cwd=workdir, start_new_session=True)
        LIVE.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def ready_ports(self) -> dict:
        """{port: listener name} for every ready line printed so far."""
        return {int(m[2]): m[3] for m in READY.finditer(self.stderr_text())}

    def wait_ready(self, ports, timeout: float = 30.0):
        """Waits until a ready line was printed for each of `ports` (or any line when `ports` is empty)."""
        deadline = time.monotonic() + timeout
        wanted = set(ports)
        while time.monotonic() < deadline:
            seen = self.ready_ports()
            if (wanted and wanted <= seen.keys()) or (not wanted and seen):
                return seen
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.label} exited with {self.popen.returncode} before it was ready:\n"
                                     f"{self.stderr_text()[-4000:]}")
            time.sleep(0.05)
        raise AssertionError(f"{self.label} printed no ready line for {sorted(wanted)} within {timeout}s:\n"
                             f"{self.stderr_text()[-4000:]}")

    def wait_for_stderr(self, pattern: str, timeout: float = 15.0, start: int = 0) -> re.Match:
        """Waits until stderr (from character `start` on) matches the regex `pattern`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.stderr_text()[start:])
            if match:
                return match
            time.sleep(0.05)
        raise AssertionError(f"{self.label} stderr never matched {pattern!r} within {timeout}s:\n"
                             f"{self.stderr_text()[start:][-4000:]}")

    def memory_kib(self, field_name: str = "VmHWM") -> int:
        """A /proc/PID/status memory figure in KiB (VmHWM = peak resident set, VmRSS = current)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
        raise AssertionError(f"no {field_name} in /proc/{self.pid}/status")

    def send_signal(self, sig: int):
        self.popen.send_signal(sig)

    def wait_exit(self, timeout: float) -> int:
        """The exit status, waiting at most `timeout` seconds (TimeoutExpired otherwise)."""
        code = self.popen.wait(timeout=timeout)
        self._forget()
        return code

    def stop(self, grace: float = 15.0):
        """SIGTERM, then SIGKILL to the whole process group if it is still there after `grace` seconds."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # also anything it started
        except (ProcessLookupError, PermissionError):
            pass
        self.popen.wait(timeout=30)
        self._forget()

    def _forget(self):
        if self in LIVE:
            LIVE.remove(self)


@dataclass
class Gateway:
    """A running `authgate serve` and the config it was started with."""

    process: AuthgateProcess
    config: dict
    config_path: Path
    port: int
    admin_port: int = None
    extra_ports: list = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def admin_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.admin_port}{path}"

    def access_log(self) -> list:
        """Every JSON object printed on stdout (the access log goes to "-")."""
        entries = []
        for line in self.process.stdout_text().splitlines():
            if line.startswith("{"):
                entries.append(json.loads(line))
        return entries

    def wait_for_access_log(self, count: int, where=lambda entry: True, timeout: float = 10.0) -> list:
        """The access-log entries that satisfy `where`, once there are at least `count`. A line is
        written after its response has gone out, so a client can finish before the line exists."""
        deadline = time.monotonic() + timeout
        while True:
            entries = [entry for entry in self.access_log() if where(entry)]
            if len(entries) >= count:
                return entries
            if time.monotonic() >= deadline:
                raise AssertionError(f"expected {count} access-log lines, got {entries}")
            time.sleep(0.05)

    def rewrite_config(self, text: str):
        """Replaces the config file in place (same inode), as an editor would."""
        self.config_path.write_text(text)


class Launcher:
    """Starts gateways and other authgate processes and stops all of them at the end."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.processes = []

    def spawn(self, args, label: str = "authgate") -> AuthgateProcess:
        process = AuthgateProcess(args, self.workdir, label=f"{label}-{len(self.processes)}")
        self.processes.append(process)
        return process

    def serve(self, config: dict, name: str = "authgate.yaml", wait: bool = True) -> Gateway:
        """Writes `config` as YAML into the work dir and runs `authgate serve --config` on it."""
        path = self.workdir / name
        path.write_text(yaml_text.dump(config))
        process = self.spawn(["serve", "--config", path], label="serve")
        ports = [listener["port"] for listener in config["listeners"]]
        admin_port = config.get("admin", {}).get("port")
        gateway = Gateway(process, config, path, ports[0], admin_port, ports[1:])
        if wait:
            process.wait_ready(ports)
            if admin_port:
                wait_accepting(admin_port, process)
        return gateway

    def stop_all(self):
        for process in self.processes:
            process.stop()
