"""HTTP/1.1 over a bare socket, for what real clients hide: pipelining, exact bytes, interim responses,
slow heads, several Authorization fields, and whether the server closed the connection."""
import socket
import time
from dataclasses import dataclass, field


@dataclass
class RawResponse:
    status: int
    reason: str
    headers: list = field(default_factory=list)  # [(name, value)] in wire order
    body: bytes = b""

    def header(self, name: str):
        """The value of the only field called `name` (case-insensitive); None when absent."""
        values = self.headers_named(name)
        assert len(values) <= 1, f"{name} appears {len(values)} times: {values}"
        return values[0] if values else None

    def headers_named(self, name: str) -> list:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def request_bytes(method: str, target: str, headers: list, body: bytes = b"", host="127.0.0.1") -> bytes:
    """A request head (+ body) with Host first unless `headers` already has one."""
    lines = [f"{method} {target} HTTP/1.1"]
    if not any(k.lower() == "host" for k, _ in headers):
        lines.append(f"Host: {host}")
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


class RawConnection:
    """One client connection to 127.0.0.1:port. Every read has a deadline (`timeout` seconds)."""

    def __init__(self, port: int, timeout: float = 15.0):
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = bytearray()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data: bytes):
        self.sock.sendall(data)

    def request(self, method: str, target: str, headers=(), body: bytes = b"") -> RawResponse:
        """Sends one request and reads its final response."""
        self.send(request_bytes(method, target, list(headers), body))
        return self.read_response(method)

    def _fill(self, deadline: float) -> bool:
        """Reads more bytes into the buffer; False when the peer closed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete response before the deadline")
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def _take_line(self, deadline: float) -> bytes:
        while b"\r\n" not in self.buffer:
            if not self._fill(deadline):
                raise ConnectionError(f"connection closed mid-line; got {self.buffer[:200]!r}")
        end = self.buffer.index(b"\r\n")
        line = bytes(self.buffer[:end])
        del self.buffer[:end + 2]
        return line

    def _take(self, size: int, deadline: float) -> bytes:
        while len(self.buffer) < size:
            if not self._fill(deadline):
                raise ConnectionError(f"connection closed after {len(self.buffer)} of {size} body bytes")
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def read_exact(self, size: int) -> bytes:
        """Exactly `size` bytes (a WebSocket frame, a tunnelled payload) within the timeout."""
        return self._take(size, time.monotonic() + self.timeout)

    def read_head(self, deadline=None) -> RawResponse:
        """Reads a status line and fields (an interim 1xx response too)."""
        deadline = deadline or time.monotonic() + self.timeout
        status_line = self._take_line(deadline).decode("latin-1")
        version, status, *reason = status_line.split(" ", 2)
        assert version == "HTTP/1.1", f"unexpected status line {status_line!r}"
        response = RawResponse(int(status), reason[0] if reason else "")
        while line := self._take_line(deadline):
            name, _, value = line.decode("latin-1").partition(":")
            response.headers.append((name, value.strip(" \t")))
        return response

    def read_response(self, method: str = "GET", allow_interim: bool = False) -> RawResponse:
        """Reads one final response with its body (skipping 1xx unless `allow_interim`)."""
        deadline = time.monotonic() + self.timeout
        response = self.read_head(deadline)
        while 100 <= response.status < 200 and response.status != 101 and not allow_interim:
            response = self.read_head(deadline)
        if method == "HEAD" or response.status in (101, 204, 304) or 100 <= response.status < 200:
            return response
        response.body = self._read_body(response, deadline)
        return response

    def _read_body(self, response: RawResponse, deadline: float) -> bytes:
        encoding = ",".join(response.headers_named("Transfer-Encoding")).lower()
        if "chunked" in encoding:
            body = bytearray()
            while size := int(self._take_line(deadline).split(b";")[0], 16):
                body += self._take(size, deadline)
                self._take_line(deadline)
            while self._take_line(deadline):  # trailer fields
                pass
            return bytes(body)
        length = response.headers_named("Content-Length")
        if length:
            return self._take(int(length[0]), deadline)
        while self._fill(deadline):  # delimited by close
            pass
        body, self.buffer = bytes(self.buffer), bytearray()
        return body

    def peer_closed(self, wait: float = 2.0) -> bool:
        """True when the server closes (or resets) the connection within `wait` seconds without sending more."""
        deadline = time.monotonic() + wait
        try:
            while time.monotonic() < deadline:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        return False
