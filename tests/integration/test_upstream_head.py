"""How the gateway reads an upstream's response head (proxy.cpp read_head_fast): whole or in pieces, it is
the same response; an upstream that closes before a byte, or part way through its head, or sends a head
over upstreams.<name>.max_response_header_bytes, gets the client a 502 and never a response made of half a
head. The upstream here is scripted: each connection it accepts reads one request head and answers with
the next script's pieces, pausing between them so each piece reaches the gateway as its own read."""
import socket
import threading
import time

import pytest

from harness.ports import free_port
from harness.raw_http import RawConnection

PAUSE = 0.05
BODY = b"scripted\n"
HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Scripted: yes\r\nX-Long: " + b"v" * 300 +
        b"\r\nContent-Length: %d\r\n\r\n" % len(BODY))


class ScriptedUpstream:
    """Answers each accepted connection's first request with one script: a list of byte pieces, and
    `close` (close after the last piece) or not (keep the connection open until the test ends)."""

    def __init__(self):
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.2)
        self.scripts = []
        self.requests = []
        self.stopping = threading.Event()
        self.threads = []
        self.accepter = threading.Thread(target=self._accept, daemon=True)
        self.accepter.start()

    def play(self, pieces, close: bool):
        self.scripts.append((pieces, close))

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve(self, conn):
        with conn:
            conn.settimeout(10)
            received = b""
            while b"\r\n\r\n" not in received:
                data = conn.recv(65536)
                if not data:
                    return
                received += data
            self.requests.append(received)
            pieces, close = self.scripts.pop(0)
            for piece in pieces:
                conn.sendall(piece)
                time.sleep(PAUSE)
            if not close:
                self.stopping.wait(10)

    def stop(self):
        self.stopping.set()
        self.accepter.join(5)
        for thread in self.threads:
            thread.join(5)
        self.listener.close()


@pytest.fixture
def scripted():
    server = ScriptedUpstream()
    yield server
    server.stop()


@pytest.fixture
def gateway(launcher, config, scripted):
    config["upstreams"]["app"]["url"] = f"http://127.0.0.1:{scripted.port}"
    config["upstreams"]["app"]["response_timeout"] = "3s"
    config["upstreams"]["app"]["max_response_header_bytes"] = 1024
    return launcher.serve(config)


def get(gateway):
    with RawConnection(gateway.port) as conn:
        conn.send(b"GET /public/item HTTP/1.1\r\nHost: app\r\n\r\n")
        return conn.read_response()


def cut(data: bytes, *at) -> list:
    edges = [0, *at, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:])]


@pytest.mark.parametrize("pieces", [
    cut(HEAD + BODY, len(HEAD)),                      # the head alone, then the body
    cut(HEAD + BODY, 5, 17, len(HEAD) - 1),           # the head in four reads, its last LF with the body
    cut(HEAD + BODY, len(HEAD) - 2, len(HEAD) - 1),   # the empty line cut between CR and LF
    [bytes([b]) for b in HEAD[:20]] + [HEAD[20:] + BODY],  # a byte at a time, then the rest
], ids=["head then body", "head in four pieces", "empty line cut", "byte at a time"])
def test_a_head_in_pieces_is_the_same_response(gateway, scripted, pieces):
    scripted.play(pieces, close=False)
    response = get(gateway)
    assert response.status == 200
    assert response.header("X-Scripted") == "yes"
    assert response.header("X-Long") == "v" * 300
    assert response.header("Content-Length") == str(len(BODY))
    assert response.body == BODY


@pytest.mark.parametrize("pieces", [
    [],                                    # closed before a byte
    [HEAD[:30]],                           # closed mid status line / first field
    [HEAD[:-2]],                           # closed before the empty line's CRLF
    [HEAD[:-1]],                           # closed between its CR and LF
], ids=["nothing", "part of the first line", "all but the empty line", "all but the last LF"])
def test_an_upstream_closing_before_its_head_is_whole_gets_a_502(gateway, scripted, pieces):
    scripted.play(pieces, close=True)
    response = get(gateway)
    assert response.status == 502
    assert response.header("X-Scripted") is None
    (entry,) = gateway.wait_for_access_log(1)
    assert entry["status"] == 502 and entry["reason"] == "upstream_error"


@pytest.mark.parametrize("split", [False, True], ids=["in one piece", "in two pieces"])
def test_a_head_over_max_response_header_bytes_gets_a_502(gateway, scripted, split):
    big = b"HTTP/1.1 200 OK\r\nX-Big: " + b"b" * 2000 + b"\r\nContent-Length: 0\r\n\r\n"
    scripted.play(cut(big, 700) if split else [big], close=False)
    response = get(gateway)
    assert response.status == 502
    (entry,) = gateway.wait_for_access_log(1)
    assert entry["reason"] == "upstream_error"


def test_a_head_that_never_completes_times_out_with_504(gateway, scripted):
    scripted.play([HEAD[:50]], close=False)
    started = time.monotonic()
    response = get(gateway)
    assert response.status == 504
    assert 2.5 < time.monotonic() - started < 8
    (entry,) = gateway.wait_for_access_log(1)
    assert entry["reason"] == "upstream_timeout"
