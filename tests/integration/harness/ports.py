"""Free TCP ports on 127.0.0.1."""
import socket


def free_port() -> int:
    """A port nobody listens on right now: bind port 0, read what the kernel chose, close.

    Another process could take it before we use it; on a test machine that race is rare enough.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
