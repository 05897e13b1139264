"""The measuring client: one keep-alive TCP connection, one request at a time, each response read whole
(by Content-Length, chunked framing, or to the end of the connection) before the next request is sent.

ResponseReader only needs a recv(n) function, so tests feed it bytes in any fragmentation."""

import socket


class ProtocolError(Exception):
    """A response that cannot be framed, or a connection that ended mid-response."""


class Response:
    def __init__(self, version, status, reason, headers, body):
        self.version, self.status, self.reason = version, status, reason
        self.headers = headers     # [(name, value)] as received, names as sent
        self.body = body

    def header(self, name, default=None):
        """The first field with this name (case-insensitive)."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    def header_all(self, name):
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    @property
    def closes(self):
        """The server will close the connection after this response (RFC 9112 §9.3)."""
        tokens = {t.strip().lower() for v in self.header_all("Connection") for t in v.split(",")}
        if "close" in tokens:
            return True
        return self.version == "HTTP/1.0" and "keep-alive" not in tokens

    def __repr__(self):
        return f"<Response {self.status} {self.reason!r} {len(self.body)} bytes>"


class ResponseReader:
    """Reads HTTP/1.1 responses from recv(n) -> bytes (b"" at the end of the connection)."""

    MAX_HEAD = 64 * 1024

    def __init__(self, recv, chunk=65536):
        self._recv, self._chunk = recv, chunk
        self._buf = bytearray()
        self._eof = False

    def _fill(self):
        if self._eof:
            return False
        data = self._recv(self._chunk)
        if not data:
            self._eof = True
            return False
        self._buf += data
        return True

    def _read_until(self, delimiter, limit, what):
        while True:
            index = self._buf.find(delimiter)
            if index >= 0:
                end = index + len(delimiter)
                out = bytes(self._buf[:end])
                del self._buf[:end]
                return out
            if len(self._buf) > limit:
                raise ProtocolError(f"{what} longer than {limit} bytes")
            if not self._fill():
                raise ProtocolError(f"connection closed inside the {what} "
                                    f"({len(self._buf)} bytes of it received)")

    def _read_exact(self, n, what):
        while len(self._buf) < n:
            if not self._fill():
                raise ProtocolError(f"connection closed inside the {what} "
                                    f"({len(self._buf)} of {n} bytes received)")
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def _read_to_close(self):
        while self._fill():
            pass
        out = bytes(self._buf)
        self._buf.clear()
        return out

    def _read_head(self):
        head = self._read_until(b"\r\n\r\n", self.MAX_HEAD, "response head")
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise ProtocolError(f"bad status line {lines[0]!r}")
        version, status = parts[0], int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers = []
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise ProtocolError(f"bad header line {line!r}")
            headers.append((name, value.strip(" \t")))
        return version, status, reason, headers

    def _read_chunked(self):
        body = bytearray()
        while True:
            line = self._read_until(b"\r\n", 4096, "chunk size line")[:-2]
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size line {bytes(line)!r}") from None
            if size == 0:
                break
            body += self._read_exact(size, "chunk data")
            if self._read_exact(2, "chunk data") != b"\r\n":
                raise ProtocolError("chunk data not followed by CRLF")
        while self._read_until(b"\r\n", 16384, "trailer section") != b"\r\n":
            pass  # trailer fields are read and dropped
        return bytes(body)

    def read_response(self, request_method="GET"):
        """The next final response (1xx interim responses are skipped), body read whole."""
        while True:
            version, status, reason, headers = self._read_head()
            if 100 <= status < 200 and status != 101:
                continue
            break
        response = Response(version, status, reason, headers, b"")
        if request_method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return response
        codings = [t.strip().lower() for v in response.header_all("Transfer-Encoding") for t in v.split(",")]
        if codings:
            if codings[-1] != "chunked":
                response.body = self._read_to_close()
                return response
            response.body = self._read_chunked()
            return response
        lengths = {v.strip() for v in response.header_all("Content-Length")}
        if lengths:
            if len(lengths) != 1 or not next(iter(lengths)).isdigit():
                raise ProtocolError(f"bad Content-Length {sorted(lengths)}")
            response.body = self._read_exact(int(next(iter(lengths))), "body")
            return response
        response.body = self._read_to_close()
        return response

    @property
    def buffered(self):
        """Bytes received past the last response (a server that sent more than it framed)."""
        return len(self._buf)


def build_request(method, path, headers, body=b""):
    """The bytes of one request: request line, the fields in order, an empty line, the body."""
    lines = [f"{method} {path} HTTP/1.1"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One keep-alive client connection to 127.0.0.1:port."""

    def __init__(self, port, timeout_s=120.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = ResponseReader(self.sock.recv)

    def exchange(self, request_bytes, method):
        self.sock.sendall(request_bytes)
        return self.reader.read_response(method)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
