"""What the forward-proxy tests need around the gateway (docs/forward-proxy.md): a forward-proxy listener in
config form, a raw TCP echo server to tunnel to, a port whose accept queue is full (connects to it time out
on loopback), curl pointed at a proxy, proxy URLs with credentials, and Prometheus samples."""
import os
import re
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from .ports import free_port


def listener(name: str, realms, rules=None, **extra) -> dict:
    """A forward-proxy listener on a fresh 127.0.0.1 port (without `rules`: the default rule); `extra` goes
    into its `forward_proxy` map."""
    proxy = {"realms": list(realms), **({"rules": list(rules)} if rules is not None else {}), **extra}
    return {"name": name, "address": "127.0.0.1", "port": free_port(), "forward_proxy": proxy}


def proxy_url(port: int, user: str = None, password: str = None) -> str:
    """http://user:password@127.0.0.1:port with both percent-encoded (RFC 3986 userinfo), or no userinfo."""
    if user is None:
        return f"http://127.0.0.1:{port}"
    return f"http://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{port}"


def client_env() -> dict:
    """The environment without *_proxy variables, so that only the proxy a test names is used."""
    return {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


# --- curl ---------------------------------------------------------------------------------------

class CurlResult:
    """What `curl -D` saw: every response head in order (a CONNECT's 200, a 407, the final answer), the final
    status and body."""

    def __init__(self, status: int, heads: list, body: bytes, stderr: str):
        self.status, self.heads, self.body, self.stderr = status, heads, body, stderr

    def statuses(self) -> list:
        return [status for status, _, _ in self.heads]

    def lines(self, index: int = -1) -> list:
        """The raw field lines of one head (the last by default), as sent."""
        return self.heads[index][2]

    def fields(self, name: str, index: int = -1) -> list:
        """The values of every field `name` (case-insensitive) in one head."""
        return [v for k, v in self.heads[index][1] if k.lower() == name.lower()]


def _heads(text: str) -> list:
    heads = []
    for block in text.split("\r\n\r\n"):
        lines = [line for line in block.split("\r\n") if line]
        if not lines or not lines[0].startswith("HTTP/"):
            continue
        fields = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
        heads.append((int(lines[0].split(" ")[1]), fields, lines[1:]))
    return heads


def curl(*args, timeout: float = 30) -> CurlResult:
    """Runs `curl -sS ARGS…` with no proxy from the environment; the heads it dumped, status and body."""
    with tempfile.TemporaryDirectory() as tmp:
        body, head = Path(tmp) / "body", Path(tmp) / "head"
        command = ["curl", "-sS", "--max-time", str(timeout), "-o", body, "-D", head, "-w", "%{http_code}",
                   *map(str, args)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 30, env=client_env())
        heads = _heads(head.read_bytes().decode("latin-1")) if head.exists() else []
        data = body.read_bytes() if body.exists() else b""
        return CurlResult(int(result.stdout or 0), heads, data, result.stderr)


# --- servers ------------------------------------------------------------------------------------

class TcpEcho:
    """A raw TCP echo server (no HTTP): every byte a connection brings is sent back on it. It counts
    connections and the bytes of each, and knows which connections are still open."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.accepted = 0
        self.open = 0
        self.echoed = []  # bytes echoed by each connection that ended
        self._stopping = False
        self._threads = []
        self._conns = set()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> "TcpEcho":
        self._acceptor.start()
        return self

    def _accept(self):
        while not self._stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.open += 1
                self._conns.add(conn)
            thread = threading.Thread(target=self._echo, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _echo(self, conn: socket.socket):
        total = 0
        try:
            while data := conn.recv(1 << 18):
                conn.sendall(data)
                total += len(data)
        except OSError:
            pass
        finally:
            conn.close()
            with self.lock:
                self.open -= 1
                self.echoed.append(total)
                self._conns.discard(conn)

    def wait_open(self, count: int, timeout: float = 10) -> int:
        """Waits until exactly `count` connections are open (within `timeout`); the number open then."""
        deadline = time.monotonic() + timeout
        while self.open != count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.open

    def stop(self):
        self._stopping = True
        self.sock.close()
        with self.lock:
            for conn in list(self._conns):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in self._threads:
            thread.join(timeout=5)


class FullBacklog:
    """A port whose listen queue is full: Linux drops the SYN of every further connect (the accept queue
    overflows; no SYN-ACK, no RST), so a connect to it neither succeeds nor fails until the caller's own
    timeout, on loopback, deterministically. Nothing is ever accepted, so no request reaches it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.fillers = []
        for _ in range(3):  # backlog 0 queues one; the rest wait in SYN_SENT
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", self.port))
            except BlockingIOError:
                pass
            self.fillers.append(filler)

    def close(self):
        for filler in self.fillers:
            filler.close()
        self.sock.close()


# --- metrics ------------------------------------------------------------------------------------

def sample(text: str, name: str, labels: str = "") -> float:
    """The value of one Prometheus sample in `text` (0 when absent)."""
    pattern = "^" + re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match[1]) if match else 0.0
