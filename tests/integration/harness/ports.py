"""Free TCP ports on 127.0.0.1."""
import collections
import socket


# The ports handed out lately: the kernel may offer a closed port again at once, and two calls made
# before either port is bound (a listener and an admin port for one config) must not get the same one.
_recent: collections.deque = collections.deque(maxlen=512)


def free_port() -> int:
    """A port nobody listens on right now and not handed out lately: bind port 0, read what the kernel
    chose, close.

    Another process could take it before we use it; on a test machine that race is rare enough.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _recent:
            _recent.append(port)
            return port
