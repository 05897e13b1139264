"""A real redis-server from Debian for the shared-state tests, on a free loopback port, without persistence,
started and stopped by the tests."""
import os
import signal
import socket
import subprocess
import time

import pytest

from harness.ports import free_port


class RedisServer:
    """/usr/bin/redis-server on 127.0.0.1:port in `workdir`, without persistence."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.port = free_port()
        self.popen = None
        self.started = False

    def listen_arguments(self) -> list:
        """Where and how it listens (a TLS server overrides this)."""
        return ["--port", str(self.port), "--bind", "127.0.0.1"]

    def start(self):
        """Start it. A port taken between choosing and binding (another test's socket on the same address) is
        retried on a fresh port, so the race free_port() admits never fails a test; a restart keeps its port
        (gateways are configured with it) and waits for it instead."""
        for _ in range(5):
            if self.start_once():
                self.started = True
                return
            if self.started:
                time.sleep(0.5)
            else:
                self.port = free_port()
        raise AssertionError(f"redis-server found no free port: {self.log_path.read_text(errors='replace')[-2000:]}")

    def start_once(self) -> bool:
        # Redis logs to standard output: kept in a file, so a server that does not start says why.
        self.log_path = self.workdir / f"redis-{self.port}.log"
        with open(self.log_path, "wb") as log:
            self.popen = subprocess.Popen(
                ["/usr/bin/redis-server", *self.listen_arguments(), "--save", "", "--appendonly", "no",
                 "--dir", str(self.workdir), "--loglevel", "warning"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while self.ping() != b"+PONG\r\n":
            exited = self.popen.poll()
            if exited is not None and b"Address already in use" in self.log_path.read_bytes():
                self.popen = None
                return False
            assert exited is None and time.monotonic() < deadline, \
                f"redis-server did not start (exit {exited}): {self.log_path.read_text(errors='replace')[-2000:]}"
            time.sleep(0.02)
        return True

    def ping(self) -> bytes:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64)
        except OSError:
            return b""

    def signal(self, sig):
        os.kill(self.popen.pid, sig)

    def kill(self):
        if self.popen is None:
            return
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGKILL)
        self.popen.wait(timeout=10)
        self.popen = None


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    """One plain redis-server for a test module (import this fixture into the module that uses it)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.kill()
