"""The upstream application behind the gateway: Python stdlib only, in a thread of the test process.

Endpoints (any method):
  /big?mb=N[&chunked=1]  streams N MiB of PATTERN generated on the fly
  /slow?s=S              answers (echo) after S seconds
  /status/NNN            answers NNN with a short body
  /hop                   answers with hop-by-hop fields that the gateway must drop
  /ws                    WebSocket echo (RFC 6455 handshake, frames echoed back)
  anything else          echo: JSON of method, target, path, headers (wire order), body length and SHA-256
  …?linger_close=S       (echo) answered keep-alive, then the connection is closed S seconds later without
                         a word: what an upstream's keep-alive timeout does to a connection in a pool
The request body is always read and counted in 64 KiB pieces, never buffered whole.
"""
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import websocket

MIB = 1 << 20
PATTERN = bytes(range(256)) * (MIB // 256)  # one MiB; a /big body is this, repeated


def pattern_sha256(mib: int) -> str:
    """SHA-256 of `mib` MiB of PATTERN: what a client must see for /big?mb=mib."""
    digest = hashlib.sha256()
    for _ in range(mib):
        digest.update(PATTERN)
    return digest.hexdigest()


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "echo-upstream/1"
    # Head and body are two writes: without TCP_NODELAY the body waits for the gateway's delayed ACK
    # (40 ms per keep-alive request), which real upstreams such as nginx do not do.
    disable_nagle_algorithm = True

    def log_message(self, *args):  # quiet: the tests assert on what matters
        pass

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length, sha = self._consume_body()
        record = {
            "method": self.command, "target": self.path, "path": url.path,
            "version": self.request_version, "headers": [[k, v] for k, v in self.headers.items()],
            "body_length": length, "body_sha256": sha, "peer": list(self.client_address),
        }
        self.server.record(record)
        if url.path == "/big":
            return self._send_big(int(query.get("mb", "1")), query.get("chunked") == "1")
        if url.path == "/slow":
            self.server.stopping.wait(float(query.get("s", "5")))
        if url.path.startswith("/status/"):
            code = int(url.path.rsplit("/", 1)[1])
            return self._send(code, f"status {code}\n".encode(), "text/plain")
        if url.path == "/hop":
            extra = [("Connection", "X-Upstream-Hop"), ("X-Upstream-Hop", "1"), ("Keep-Alive", "timeout=5"),
                     ("X-Upstream-End-To-End", "1")]
            return self._send(200, b"hop\n", "text/plain", extra)
        if url.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self._websocket_echo()
        self._send(200, json.dumps(record).encode(), "application/json")
        if "linger_close" in query:
            self.server.stopping.wait(float(query["linger_close"]))
            self.close_connection = True

    def _consume_body(self):
        digest, total = hashlib.sha256(), 0
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while size := int(self.rfile.readline().split(b";")[0], 16):
                total += self._read_into(digest, size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
        else:
            total = self._read_into(digest, int(self.headers.get("Content-Length", "0")))
        return total, digest.hexdigest()

    def _read_into(self, digest, size: int) -> int:
        done = 0
        while done < size:
            piece = self.rfile.read(min(65536, size - done))
            if not piece:
                raise ConnectionError("client closed mid-body")
            digest.update(piece)
            done += len(piece)
        return done

    def _send(self, code: int, body: bytes, content_type: str, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        for name, value in extra:
            self.send_header(name, value)
        no_body = code in (204, 304) or code < 200
        if not no_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and not no_body:
            self.wfile.write(body)

    def _send_big(self, mib: int, chunked: bool):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding" if chunked else "Content-Length",
                         "chunked" if chunked else str(mib * MIB))
        self.end_headers()
        if self.command == "HEAD":
            return
        for _ in range(mib):
            self.wfile.write(b"%x\r\n%s\r\n" % (MIB, PATTERN) if chunked else PATTERN)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _websocket_echo(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", websocket.accept_for(key))
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True

        def read_exact(n):
            data = self.rfile.read(n)
            if len(data) != n:
                raise ConnectionError("websocket peer closed")
            return data

        while True:
            opcode, payload = websocket.decode_frame(read_exact)
            reply = websocket.OP_PONG if opcode == websocket.OP_PING else opcode
            self.wfile.write(websocket.encode_frame(reply, payload, masked=False))
            self.wfile.flush()
            if opcode == websocket.OP_CLOSE:
                return


class EchoUpstream(ThreadingHTTPServer):
    """The upstream, serving in a daemon thread on 127.0.0.1:`port` until stop()."""

    daemon_threads = True
    # socketserver's default backlog is 5: forty clients connecting at once overflowed it, and the
    # dropped handshakes were retried after 1 s and 3 s, past the gateway's response timeout (504).
    request_queue_size = 1024

    def __init__(self, port: int = 0, tls=None):
        """`tls` is an optional server-side ssl.SSLContext: the upstream then speaks https."""
        super().__init__(("127.0.0.1", port), EchoHandler)
        self.port = self.server_address[1]
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.requests = []  # every request record, in arrival order
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def record(self, record: dict):
        with self._lock:
            self.requests.append(record)

    def start(self) -> "EchoUpstream":
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=10)

    def handle_error(self, request, client_address):  # a client closing mid-stream is not news
        pass
