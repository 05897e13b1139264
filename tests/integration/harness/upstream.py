"""The upstream application behind the gateway: Python stdlib only, in a thread of the test process.

Endpoints (any method):
  /big?mb=N[&chunked=1]  streams N MiB of PATTERN generated on the fly
  /slow?s=S              answers (echo) after S seconds
  /status/NNN            answers NNN with a short body
  /hop                   answers with hop-by-hop fields that the gateway must drop
  /chunks                answers CHUNKS_WIRE: a chunked body (CHUNKS_BODY) with chunk extensions and a trailer
  /interim?n=N&status=S  sends N interim heads of status S (default 103) with a Link field before the echo;
                         their reason phrase is "Interim", or empty with &reason=none
  /ws                    WebSocket echo (RFC 6455 handshake, frames echoed back)
  anything else          echo: JSON of method, target, path, headers (wire order), body length and SHA-256
  …?linger_close=S       (echo) answered keep-alive, then the connection is closed S seconds later without
                         a word: what an upstream's keep-alive timeout does to a connection in a pool
  …?close=1              (echo) answered with `Connection: close`, then the connection is closed
A request with an X-Test-Id field gets it back as X-Echo-Test-Id on any answer, next to
X-Echo-Auth-User (the X-Auth-User it arrived with, if any): a client knows its own answer even without a body.
The request body is always read and counted in 64 KiB pieces, never buffered whole.

The upstream is strict: it records the exact bytes every connection brings (a tee under the handler's
rfile) and checks them with harness/strict_http.py when the connection ends and whenever a test asks. Any
byte outside a well-formed request is a violation (`violations`, `assert_clean()`); so is a connection that
ends inside a request, unless the test said so (`expect_incomplete()`). After a 101 the rest of a
connection is a WebSocket tunnel, not HTTP, and is not checked.
"""
import hashlib
import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import strict_http, websocket
from .wire import Wire, RecordingReader

MIB = 1 << 20
PATTERN = bytes(range(256)) * (MIB // 256)  # one MiB; a /big body is this, repeated
CHUNKS_WIRE = b'5;name=value\r\nhello\r\n6;q="a b";flag\r\n world\r\n0;last=1\r\nX-Trailer: t\r\n\r\n'
CHUNKS_BODY = b"hello world"
MAX_LINE = 65536  # a chunk line or trailer field longer than this gets 400 from the upstream itself


def pattern_sha256(mib: int) -> str:
    """SHA-256 of `mib` MiB of PATTERN: what a client must see for /big?mb=mib."""
    digest = hashlib.sha256()
    for _ in range(mib):
        digest.update(PATTERN)
    return digest.hexdigest()


class BadFraming(Exception):
    """The upstream's own reading of a request body met bytes that break RFC 9112 framing."""


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

    def setup(self):
        super().setup()
        self.rfile.close()  # replaced by a reader that records what it reads
        self.wire = self.server.open_wire(self.client_address, self.connection)
        self.rfile = io.BufferedReader(RecordingReader(self.connection, self.wire), MAX_LINE)

    def finish(self):
        try:
            super().finish()
        finally:
            if self.wire.tunnel_after is None:
                self._record_the_rest()
            self.server.end_wire(self.wire)

    def _record_the_rest(self):
        """Whatever already arrived after the last request read: a stray byte is still a violation."""
        try:
            self.connection.setblocking(False)
            while piece := self.connection.recv(MAX_LINE):
                self.wire.add(piece)
        except (OSError, ValueError):
            pass

    def _serve(self):
        self.wire.answered += 1
        self.wire.serving = True
        try:
            self._answer()
        finally:
            self.wire.serving = False

    def _answer(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            length, sha = self._consume_body()
        except BadFraming as error:
            self.close_connection = True
            return self._send(400, f"bad framing: {error}\n".encode(), "text/plain", [("Connection", "close")])
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
        if url.path == "/chunks":
            return self._send_chunks()
        if url.path == "/interim":
            status = int(query.get("status", "103"))
            reason = "" if query.get("reason") == "none" else "Interim"
            for i in range(int(query.get("n", "1"))):
                self.wfile.write(f"HTTP/1.1 {status} {reason}\r\nLink: </style-{i}.css>; rel=preload\r\n\r\n".encode())
        if url.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self._websocket_echo()
        closing = [("Connection", "close")] if query.get("close") == "1" else []
        self._send(200, json.dumps(record).encode(), "application/json", closing)
        if "linger_close" in query:
            self.server.stopping.wait(float(query["linger_close"]))
            self.close_connection = True

    def _consume_body(self):
        """(length, SHA-256) of the request body, read strictly by its framing (RFC 9112 §6)."""
        digest = hashlib.sha256()
        try:
            framing = strict_http.body_framing(list(self.headers.items()))
        except ValueError as error:
            raise BadFraming(str(error)) from None
        if framing == "chunked":
            return self._read_chunked(digest), digest.hexdigest()
        length = int(self.headers["Content-Length"]) if framing == "content-length" else 0
        return self._read_into(digest, length), digest.hexdigest()

    def _read_chunked(self, digest) -> int:
        total = 0
        while True:
            line = self.rfile.readline(MAX_LINE)
            match = strict_http.CHUNK_LINE.fullmatch(line[:-2]) if line.endswith(b"\r\n") else None
            if not match:
                raise BadFraming(f"chunk-size line {line[:60]!r}")
            size = int(match[1], 16)
            if size == 0:
                break
            total += self._read_into(digest, size)
            if (end := self.rfile.read(2)) != b"\r\n":
                raise BadFraming(f"chunk data followed by {end!r}, not CRLF")
        while (line := self.rfile.readline(MAX_LINE)) != b"\r\n":
            if not line.endswith(b"\r\n") or not strict_http.FIELD_LINE.fullmatch(line[:-2]):
                raise BadFraming(f"trailer line {line[:60]!r}")
        return total

    def _read_into(self, digest, size: int) -> int:
        done = 0
        while done < size:
            piece = self.rfile.read(min(65536, size - done))
            if not piece:
                raise ConnectionError("client closed mid-body")
            digest.update(piece)
            done += len(piece)
        return done

    def _echo_fields(self) -> list:
        if "X-Test-Id" not in self.headers:
            return []
        fields = [("X-Echo-Test-Id", self.headers["X-Test-Id"])]
        return fields + [("X-Echo-Auth-User", user) for user in self.headers.get_all("X-Auth-User", [])]

    def _send_head(self, code: int, fields, message=None):
        self.send_response(code, message)
        for name, value in [*fields, *self._echo_fields()]:
            self.send_header(name, value)
        self.end_headers()

    def _send(self, code: int, body: bytes, content_type: str, extra=()):
        no_body = code in (204, 304) or code < 200
        length = [] if no_body else [("Content-Length", str(len(body)))]
        self._send_head(code, [("Content-Type", content_type), *extra, *length])
        if self.command != "HEAD" and not no_body:
            self.wfile.write(body)

    def _send_big(self, mib: int, chunked: bool):
        framing = ("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(mib * MIB))
        self._send_head(200, [("Content-Type", "application/octet-stream"), framing])
        if self.command == "HEAD":
            return
        for _ in range(mib):
            self.wfile.write(b"%x\r\n%s\r\n" % (MIB, PATTERN) if chunked else PATTERN)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _send_chunks(self):
        self._send_head(200, [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked"),
                              ("Trailer", "X-Trailer")])
        if self.command != "HEAD":
            self.wfile.write(CHUNKS_WIRE)

    def _websocket_echo(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        self._send_head(101, [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                              ("Sec-WebSocket-Accept", websocket.accept_for(key))], "Switching Protocols")
        self.wfile.flush()
        self.wire.tunnel_after = self.wire.answered  # from here on the bytes are frames, not requests
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
        self._wires = []  # one Wire per accepted connection, in accept order
        self._incomplete_ok = False
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def record(self, record: dict):
        with self._lock:
            self.requests.append(record)

    def open_wire(self, peer, sock) -> Wire:
        with self._lock:
            wire = Wire(len(self._wires) + 1, peer, sock)
            self._wires.append(wire)
            return wire

    def end_wire(self, wire: Wire):
        with wire.lock:
            wire.ended = True
        wire.check()  # checked when it ends; kept for `violations`

    def wires(self) -> list:
        with self._lock:
            return list(self._wires)

    def connections(self) -> list:
        """The exact bytes each connection received so far, one bytes object per connection."""
        return [wire.snapshot() for wire in self.wires()]

    def messages(self) -> list:
        """The requests the strict parser found on each connection: a list of strict_http.Message lists."""
        return [wire.check().messages for wire in self.wires()]

    def received_bytes(self) -> int:
        return sum(len(wire.raw) for wire in self.wires())

    def expect_incomplete(self):
        """This test ends a request mid-way on purpose: a connection that stops inside a message is fine."""
        self._incomplete_ok = True

    @property
    def violations(self) -> list:
        """Every byte outside a well-formed request, one line per connection, naming it and the bytes."""
        found = []
        for wire in self.wires():
            check = wire.check()
            if check.violation:
                found.append(f"{wire.label}: {check.violation}")
            elif check.incomplete and not self._incomplete_ok:
                found.append(f"{wire.label}: {check.incomplete}")
        return found

    def settle(self, timeout: float = 2.0):
        """Waits (at most `timeout`) until no connection is mid-answer or has unread bytes, twice in a row."""
        deadline, quiet = time.monotonic() + timeout, 0
        while quiet < 2 and time.monotonic() < deadline:
            busy = any(w.serving or w.unread_bytes() for w in self.wires() if not w.ended)
            quiet = 0 if busy else quiet + 1
            time.sleep(0.02)

    def wait_closed(self, timeout: float = 5.0) -> bool:
        """True once every connection has ended (within `timeout`)."""
        deadline = time.monotonic() + timeout
        while not all(wire.ended for wire in self.wires()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def assert_clean(self):
        """Fails naming every connection that carried a byte outside a well-formed request."""
        self.settle()
        violations = self.violations
        assert not violations, "the upstream received bytes outside a well-formed request:\n" + "\n".join(
            violations)

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
