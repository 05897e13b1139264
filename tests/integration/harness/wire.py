"""One upstream connection's bytes as they arrived: the record the strict upstream (upstream.py) keeps per
connection, the reader that tees the socket into it, and the strict parse of what it holds."""
import fcntl
import io
import struct
import termios
import threading

from . import strict_http


class Wire:
    """What one upstream connection received, byte for byte, and how those bytes parse."""

    def __init__(self, number: int, peer, sock):
        self.number, self.peer, self.sock = number, peer, sock
        self.raw = bytearray()
        self.lock = threading.Lock()
        self.ended = False
        self.tunnel_after = None  # set after a 101: the number of requests before the tunnel
        self.answered = 0  # requests the echo handler started to serve on this connection
        self.serving = False
        self._check = None

    @property
    def label(self) -> str:
        return f"upstream connection #{self.number} from {self.peer[0]}:{self.peer[1]}"

    def add(self, piece):
        with self.lock:
            self.raw += piece

    def snapshot(self) -> bytes:
        with self.lock:
            return bytes(self.raw)

    def check(self) -> strict_http.StreamCheck:
        """The strict parse of everything received so far (kept once the connection has ended)."""
        if self._check is not None:
            return self._check
        check = strict_http.parse_stream(self.raw if self.ended else self.snapshot(), limit=self.tunnel_after)
        if self.ended:
            self._check = check
        return check

    def unread_bytes(self) -> int:
        """Bytes that arrived in the kernel but were not read yet (0 once the connection has ended)."""
        try:
            fd = -1 if self.ended else self.sock.fileno()
            return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0] if fd >= 0 else 0
        except OSError:
            return 0


class RecordingReader(io.RawIOBase):
    """The socket's bytes, each also appended to the connection's Wire (the handler's rfile buffers this)."""

    def __init__(self, sock, wire: Wire):
        super().__init__()
        self._sock, self._wire = sock, wire

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._sock.recv_into(buffer)
        if count:
            self._wire.add(memoryview(buffer)[:count])
        return count
