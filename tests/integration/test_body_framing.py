"""Every body framing the gateway forwards reaches the upstream as exactly one message with the body intact
and nothing after it, and the client connection goes on serving; every framing it must not forward is
refused with 400 (or 501) and the connection closed, before the upstream sees it (RFC 9112 §6, §7.1).

What the upstream received is read back byte for byte (harness/upstream.py records it, harness/strict_http.py
parses it): a body is compared with what was sent after the strict parser decoded it."""
import hashlib
import json
import random
import re
import socket
import threading
import time
import uuid

import pytest

from harness import strict_http
from harness.fixtures import basic
from harness.passwords import ALICE
from harness.raw_http import RawConnection, request_bytes
from harness.upstream import CHUNKS_BODY, MIB

AUTH = ("Authorization", basic(ALICE.name, ALICE.password))
MEGA = random.Random(9112).randbytes(MIB)
TE = ("Transfer-Encoding", "chunked")


@pytest.fixture
def gateway(launcher, config):
    """The default gateway; a request that a framing bug left hanging holds up its exit for 1 s, not 10."""
    config["server"]["shutdown_grace"] = "1s"
    return launcher.serve(config)


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


# (id, version, framing fields, body as written, body as meant, Expect: 100-continue)
FORWARDED = [
    ("a Content-Length 0 body", "1.1", [("Content-Length", "0")], b"", b"", False),
    ("a small Content-Length body", "1.1", [("Content-Length", "11")], b"hello world", b"hello world", False),
    ("a 1 MiB Content-Length body", "1.1", [("Content-Length", str(MIB))], MEGA, MEGA, False),
    ("an empty chunked body", "1.1", [TE], b"0\r\n\r\n", b"", False),
    ("a chunked body of one chunk", "1.1", [TE], chunked(b"hello world"), b"hello world", False),
    ("a chunked body of 300 small chunks", "1.1", [TE],
     chunked(*[bytes([65 + i % 26]) * (1 + i % 7) for i in range(300)]),
     b"".join(bytes([65 + i % 26]) * (1 + i % 7) for i in range(300)), False),
    ("a 1 MiB chunked body in 64 KiB chunks", "1.1", [TE],
     chunked(*[MEGA[i:i + 65536] for i in range(0, MIB, 65536)]), MEGA, False),
    ("a chunked body with chunk extensions (dropped)", "1.1", [TE],
     b'5;a=b\r\nhello\r\n6;q="x y";flag\r\n world\r\n0;end=1\r\n\r\n', b"hello world", False),
    ("a chunked body with trailer fields (dropped)", "1.1", [TE],
     b"5\r\nhello\r\n0\r\nX-Trailer: 1\r\nX-Other: two words\r\n\r\n", b"hello", False),
    ("a chunked body with upper-case hex sizes", "1.1", [TE],
     b"A\r\n0123456789\r\n1F\r\n" + b"z" * 31 + b"\r\n0\r\n\r\n", b"0123456789" + b"z" * 31, False),
    ("a chunked body with leading zeros in its sizes", "1.1", [TE], b"0005\r\nhello\r\n00\r\n\r\n", b"hello",
     False),
    ("a chunked body after `Transfer-Encoding: ,chunked` (an empty list element, RFC 9110 §5.6.1)", "1.1",
     [("Transfer-Encoding", ",chunked")], chunked(b"hello"), b"hello", False),
    ("a Content-Length body after Expect: 100-continue", "1.1", [("Content-Length", "11")], b"hello world",
     b"hello world", True),
    ("a chunked body after Expect: 100-continue", "1.1", [TE], chunked(b"hello", b" world"), b"hello world",
     True),
    ("an HTTP/1.0 request with a Content-Length body", "1.0", [("Content-Length", "11"),
                                                               ("Connection", "keep-alive")],
     b"hello world", b"hello world", False),
]


def head(version: str, target: str, fields) -> bytes:
    lines = [f"POST {target} HTTP/{version}", "Host: 127.0.0.1", *[f"{k}: {v}" for k, v in fields], "", ""]
    return "\r\n".join(lines).encode()


def the_message(upstream, mark: str) -> strict_http.Message:
    """The one message on the upstream's wire whose target carries `mark`."""
    found = [m for connection in upstream.messages() for m in connection if mark in m.target]
    assert len(found) == 1, f"{len(found)} messages for {mark} on the upstream's wire"
    return found[0]


def assert_echoes(response, mark: str, user=None, body: bytes = b""):
    assert response.status == 200, f"{response.status} {response.reason} {response.body[:200]!r}"
    echo = json.loads(response.body)
    assert echo["target"].endswith(mark)
    assert [v for k, v in echo["headers"] if k.lower() == "x-auth-user"] == ([user] if user else [])
    assert (echo["body_length"], echo["body_sha256"]) == (len(body), hashlib.sha256(body).hexdigest())


LAST_CHUNK = re.compile(rb"(?:\A|(?<=\r\n))0+(?:;[^\r]*)?\r\n(?:[^\r]+\r\n)*\r\n\Z")


def last_bytes_at(wire: bytes) -> int:
    """Where the end of a body starts: its last-chunk (and trailers), or its last byte."""
    match = LAST_CHUNK.search(wire)
    return match.start() if match else max(len(wire) - 1, 0)


SENDING = {
    "after": "and the next request is answered",
    "pipelined": "and a pipelined next request is answered",
    "split": "with its last-chunk (or last byte) in a later write",
}


@pytest.mark.parametrize("sending", list(SENDING), ids=list(SENDING.values()))
@pytest.mark.parametrize("version, fields, wire, body, expect", [f[1:] for f in FORWARDED],
                         ids=[f"{f[0]} reaches the upstream as one message" for f in FORWARDED])
def test_framing_is_forwarded(gateway, upstream, version, fields, wire, body, expect, sending):
    mark, after = uuid.uuid4().hex, uuid.uuid4().hex
    fields = [*fields, ("Expect", "100-continue")] if expect else fields
    request = head(version, f"/public/framing?id={mark}", fields)
    following = request_bytes("GET", f"/framing/after?id={after}", [AUTH])
    split = last_bytes_at(wire) if sending == "split" else len(wire)
    with RawConnection(gateway.port, timeout=5) as conn:
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if sending == "pipelined":
            conn.send(request + wire + following)
        else:
            if expect:
                conn.send(request)
                assert conn.read_head().status == 100, "100 Continue before the body"
                conn.send(wire[:split])
            else:
                conn.send(request + wire[:split])
            if split < len(wire):
                time.sleep(0.05)  # the gateway reads the body's end on its own
                conn.send(wire[split:])
        first = conn.read_response("POST")
        if version == "1.0":
            assert first.headers_named("Connection") == ["keep-alive"], "HTTP/1.0 keep-alive is honoured"
        if sending != "pipelined":
            conn.send(following)
        second = conn.read_response()
    assert_echoes(first, mark, body=body)
    assert_echoes(second, after, user=ALICE.name)
    upstream.assert_clean()
    message = the_message(upstream, mark)
    assert (message.method, message.body) == ("POST", body), "the body bytes the upstream decoded"
    assert (message.chunk_extensions, message.trailers) == ([], []), "extensions and trailers are not forwarded"
    assert len(upstream.requests) == 2


BAD = b"POST /public/refused HTTP/1.1\r\nHost: 127.0.0.1\r\n"
# (id, raw request, statuses allowed, how far it may get): "nowhere" when the head or the first chunk line is
# wrong (the gateway reads both before it contacts the upstream); "not whole" when the fault comes after body
# bytes the gateway streams on: the upstream may then see an unfinished request, never a whole one.
REFUSED = [
    ("obs-fold in a field gets 400", BAD + b"X-A: 1\r\n Content-Length: 5\r\n\r\nhello", {400}, "nowhere"),
    ("obs-fold after Transfer-Encoding: chunked gets 400",
     BAD + b"Transfer-Encoding: chunked\r\n x\r\n\r\n5\r\nhello\r\n0\r\n\r\n", {400}, "nowhere"),
    ("a line starting with a space right after the request line gets 400",
     b"POST /public/refused HTTP/1.1\r\n Host: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", {400}, "nowhere"),
    ("a line starting with a tab right after the request line gets 400",
     b"POST /public/refused HTTP/1.1\r\n\tX-A: 1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", {400},
     "nowhere"),
    ("Transfer-Encoding: chunked in an HTTP/1.0 request gets 400 (RFC 9112 §6.1)",
     b"POST /public/refused HTTP/1.0\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400},
     "nowhere"),
    ("Transfer-Encoding: chunked, chunked gets 400",
     BAD + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", {400}, "nowhere"),
    ("Transfer-Encoding: chunked twice gets 400",
     BAD + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}, "nowhere"),
    ("Transfer-Encoding: identity gets 400 (chunked is not the last coding, RFC 9112 §6.3)",
     BAD + b"Transfer-Encoding: identity\r\n\r\n", {400}, "nowhere"),
    ("Transfer-Encoding: chunked;x=1 gets 400", BAD + b"Transfer-Encoding: chunked;x=1\r\n\r\n0\r\n\r\n", {400},
     "nowhere"),
    ('Transfer-Encoding: "chunked" gets 400', BAD + b'Transfer-Encoding: "chunked"\r\n\r\n0\r\n\r\n', {400},
     "nowhere"),
    ("Transfer-Encoding with Content-Length gets 400",
     BAD + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", {400}, "nowhere"),
    ("Transfer-Encoding: gzip, chunked gets 501 (a coding the gateway cannot pass on, RFC 9112 §6.1)",
     BAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", {501}, "nowhere"),
    ("a chunk extension over 4096 bytes gets 400",
     BAD + b"Transfer-Encoding: chunked\r\n\r\n5;x=" + b"e" * 5000 + b"\r\nhello\r\n0\r\n\r\n", {400},
     "nowhere"),
    ("a trailer section over 4096 bytes gets 400",
     BAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" +
     b"".join(b"X-T%d: %s\r\n" % (i, b"t" * 500) for i in range(10)) + b"\r\n", {400}, "not whole"),
    ("a chunk size of 17 hex digits (2^64) gets 400",
     BAD + b"Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n", {400}, "nowhere"),
    ("a chunk size of 17 hex digits (all F) gets 400",
     BAD + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", {400}, "nowhere"),
]


@pytest.mark.parametrize("raw, allowed, reach", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_framing_is_refused(gateway, upstream, raw, allowed, reach):
    if reach == "not whole":
        upstream.expect_incomplete()  # the head went ahead with the first chunk: the rest is judged as it comes
    with RawConnection(gateway.port, timeout=5) as conn:
        conn.send(raw)
        response = conn.read_response("POST")
        assert response.status in allowed, f"{response.status} {response.reason}"
        assert response.headers_named("Connection") == ["close"]
        assert conn.peer_closed(wait=5), "the connection is closed after a framing error"
    upstream.assert_clean()
    assert upstream.requests == [], "nothing refused is answered by the upstream"
    if reach == "nowhere":
        assert upstream.received_bytes() == 0, "the upstream saw nothing"
    else:
        assert [m for connection in upstream.messages() for m in connection] == [], "no whole message reached it"


def test_a_16_mib_chunk_extension_gets_400_at_once_and_costs_no_memory(gateway, upstream):
    """Issue 11, F5: the extension was buffered whole (≈ 13 MiB per connection). It must be refused after
    limits.max_chunk_metadata_bytes (4 KiB by default), long before the client has sent it all, and before
    the upstream sees the request (the extension is on the first chunk line)."""
    with RawConnection(gateway.port) as warm:
        assert warm.request("GET", "/public/warm-up").status == 200
    before = gateway.process.memory_kib("VmHWM")
    started = time.monotonic()
    with RawConnection(gateway.port, timeout=10) as conn:
        conn.send(BAD + b"Transfer-Encoding: chunked\r\n\r\n5;x=")

        def push():  # the rest of the 16 MiB, until the gateway stops reading
            try:
                for _ in range(256):
                    conn.sock.sendall(b"e" * 65536)
                conn.sock.sendall(b"\r\nhello\r\n0\r\n\r\n")
            except OSError:
                pass

        sender = threading.Thread(target=push, daemon=True)
        sender.start()
        response = conn.read_response("POST")
        elapsed = time.monotonic() - started
        try:
            conn.sock.shutdown(socket.SHUT_RDWR)  # stops the sender if it is still writing
        except OSError:
            pass  # the gateway's lingering close already ended the connection (a reset): nothing to stop
        sender.join(timeout=10)
    assert not sender.is_alive()
    assert response.status == 400
    assert elapsed < 3, f"400 came after {elapsed:.1f}s"
    grown = gateway.process.memory_kib("VmHWM") - before
    assert grown < 8 * 1024, f"peak RSS grew by {grown} KiB for one 16 MiB chunk extension"
    assert [m.target for connection in upstream.messages() for m in connection] == ["/public/warm-up"]


def test_a_chunked_response_with_extensions_and_trailers_reaches_the_client_with_one_last_chunk(gateway):
    """The upstream's /chunks answer carries chunk extensions and a trailer field; what the client reads
    is one well-formed response with the same body and then, on the same connection, the next response —
    no stray last-chunk between them."""
    with RawConnection(gateway.port) as conn:
        conn.send(request_bytes("GET", "/chunks", [AUTH]) +
                  request_bytes("GET", "/public/after", [("Connection", "close")]))
        assert conn.peer_closed(wait=10), "the gateway closes after the second (Connection: close) request"
        raw = bytes(conn.buffer)
    first = strict_http.parse_response(raw, 0, "GET")
    second = strict_http.parse_response(raw, first.end, "GET")
    assert (first.status, first.body) == (200, CHUNKS_BODY)
    assert first.framing in ("chunked", "content-length"), first.framing
    assert (second.status, json.loads(second.body)["path"]) == (200, "/public/after")
    assert second.framing == "content-length" and second.end == len(raw), "nothing after the second response"
