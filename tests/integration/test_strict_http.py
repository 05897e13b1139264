"""The strict parser the recording upstream judges the gateway with (harness/strict_http.py), on its own:
well-formed streams split into their messages, and every kind of stray or malformed byte is named; then the
recording upstream (harness/upstream.py) fed by hand over a socket, so that a check that never fails would
be seen. No gateway."""
import socket
import time

import pytest

from harness import strict_http, websocket
from harness.raw_http import RawConnection
from harness.upstream import EchoUpstream

H = b"Host: up\r\n"
GET = b"GET /a HTTP/1.1\r\n" + H + b"\r\n"
CHUNKED = b"POST /c HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
SIZED = b"POST /s HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello"

# (id, stream, bodies of the complete messages, the violation must contain this (None: clean), incomplete)
STREAMS = [
    ("a GET is one message", GET, [b""], None, False),
    ("two messages back to back are two messages", GET + SIZED, [b"", b"hello"], None, False),
    ("a chunked body is decoded", CHUNKED + b"5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", [b"helloabc"], None, False),
    ("an empty chunked body is one message", CHUNKED + b"0\r\n\r\n", [b""], None, False),
    ("chunk extensions, trailers, upper-case hex and leading zeros are well-formed",
     CHUNKED + b'000A;a=b ; q="x y"\r\n0123456789\r\n0;z\r\nX-T: 1\r\n\r\n', [b"0123456789"], None, False),
    ("a chunked message followed by a GET is two messages",
     CHUNKED + b"1\r\nx\r\n0\r\n\r\n" + GET, [b"x", b""], None, False),
    ("an empty stream is clean", b"", [], None, False),
    ("a stray last-chunk after a chunked message is a violation",
     CHUNKED + b"5\r\nhello\r\n0\r\n\r\n0\r\n\r\n", [b"hello"], "not a request line", False),
    ("one byte after a message is a violation", SIZED + b"x\r\n", [b"hello"], "not a request line", False),
    ("a CRLF before a request is a violation", b"\r\n" + GET, [], "not a request line", False),
    ("obs-fold is a violation", b"GET /a HTTP/1.1\r\n" + H + b"X-A: 1\r\n Content-Length: 5\r\n\r\nhello", [],
     "obs-fold", False),
    ("Content-Length with Transfer-Encoding is a violation",
     b"POST /x HTTP/1.1\r\n" + H + b"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [],
     "both Content-Length and Transfer-Encoding", False),
    ("two Content-Length fields are a violation",
     b"POST /x HTTP/1.1\r\n" + H + b"Content-Length: 1\r\nContent-Length: 1\r\n\r\nx", [], "Content-Length",
     False),
    ("a signed Content-Length is a violation", b"POST /x HTTP/1.1\r\n" + H + b"Content-Length: +1\r\n\r\nx", [],
     "Content-Length", False),
    ("a Transfer-Encoding list is a violation",
     b"POST /x HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", [], "Transfer-Encoding",
     False),
    ("a chunk size that is not hex is a violation", CHUNKED + b"5g\r\nhello\r\n0\r\n\r\n", [], "chunk-size",
     False),
    ("a chunk without its CRLF is a violation", CHUNKED + b"5\r\nhelloX\r\n0\r\n\r\n", [], "not followed by CRLF",
     False),
    ("a chunked body without its final CRLF runs into the next request",
     CHUNKED + b"0\r\n" + GET, [], "not a field line", False),
    ("a bare LF ending a line is a violation", b"GET /a HTTP/1.1\n" + H + b"\r\n", [], "bare LF", False),
    ("whitespace before a colon is a violation", b"GET /a HTTP/1.1\r\nHost : up\r\n\r\n", [],
     "between the field name and the colon", False),
    ("a NUL in a field value is a violation", b"GET /a HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", [],
     "control character", False),
    ("HTTP/1.0 is a violation", b"GET /a HTTP/1.0\r\n" + H + b"\r\n", [], "not a request line", False),
    ("a space in the target is a violation", b"GET /a b HTTP/1.1\r\n" + H + b"\r\n", [], "not a request line",
     False),
    ("a request without Host is a violation", b"GET /a HTTP/1.1\r\n\r\n", [], "Host", False),
    ("two Host fields are a violation", b"GET /a HTTP/1.1\r\n" + H + H + b"\r\n", [], "Host", False),
    ("a head cut short is unfinished", GET + b"GET /b HTTP/1.1\r\nHo", [b""], None, True),
    ("a sized body cut short is unfinished", SIZED[:-2], [], None, True),
    ("a chunked body without its last-chunk is unfinished", CHUNKED + b"5\r\nhello\r\n", [], None, True),
    ("a trailer section without its empty line is unfinished", CHUNKED + b"0\r\nX: 1\r\n", [], None, True),
]


@pytest.mark.parametrize("stream, bodies, violation, incomplete", [s[1:] for s in STREAMS],
                         ids=[s[0] for s in STREAMS])
def test_stream(stream, bodies, violation, incomplete):
    check = strict_http.parse_stream(stream)
    assert [m.body for m in check.messages] == bodies
    if violation is None:
        assert check.violation is None
    else:
        assert check.violation is not None and violation in check.violation, check.violation
    assert (check.incomplete is not None) == incomplete, check.incomplete
    if violation is None and not incomplete:
        assert check.end == len(stream)


def test_a_violation_names_the_offending_bytes_and_where_they_start():
    stream = CHUNKED + b"2\r\nhi\r\n0\r\n\r\n0\r\n\r\n"
    check = strict_http.parse_stream(stream)
    assert check.violation == (f"after 1 complete message(s), byte {len(stream) - 5}: not a request line "
                               f"`method SP request-target SP HTTP/1.1`: b'0\\r\\n\\r\\n'")


def test_a_message_keeps_its_head_chunk_sizes_extensions_and_trailers():
    (message,) = strict_http.parse_stream(CHUNKED + b"2;a=b\r\nhi\r\n0\r\nX-T: 1\r\n\r\n").messages
    assert (message.method, message.target, message.framing) == ("POST", "/c", "chunked")
    assert message.fields == [("Host", "up"), ("Transfer-Encoding", "chunked")]
    assert message.chunk_sizes == [2, 0]
    assert (message.chunk_extensions, message.trailers) == ([b";a=b"], [("X-T", "1")])


def test_a_limit_leaves_what_follows_unparsed():
    """After a 101 the connection is a tunnel: parse_stream(…, limit=n) reads n requests and no further."""
    check = strict_http.parse_stream(GET + b"\x81\x05hello", limit=1)
    assert (len(check.messages), check.violation, check.incomplete) == (1, None, None)


RESPONSES = [
    ("a chunked response is decoded", "GET",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n", b"abc"),
    ("a sized response is read to its length", "GET", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", b"ok"),
    ("a response to HEAD has no body", "HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", b""),
    ("a 204 has no body", "GET", b"HTTP/1.1 204 No Content\r\n\r\n", b""),
    ("a response without framing runs to the end", "GET", b"HTTP/1.1 200 OK\r\n\r\nall of it", b"all of it"),
]


@pytest.mark.parametrize("method, raw, body", [r[1:] for r in RESPONSES], ids=[r[0] for r in RESPONSES])
def test_response(method, raw, body):
    response = strict_http.parse_response(raw, 0, method)
    assert (response.status, response.body, response.end) == (int(raw[9:12]), body, len(raw))


def test_a_stray_last_chunk_after_a_response_is_not_a_status_line():
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n0\r\n\r\n"
    first = strict_http.parse_response(raw)
    with pytest.raises(strict_http.Violation, match="not a status line"):
        strict_http.parse_response(raw, first.end)


@pytest.fixture
def bare_upstream():
    """An EchoUpstream without the fixture's final check: these tests break its rules on purpose."""
    server = EchoUpstream().start()
    yield server
    server.stop()
    server.wait_closed()


def test_the_upstream_names_a_stray_last_chunk_and_its_connection(bare_upstream):
    with RawConnection(bare_upstream.port) as conn:
        assert conn.request("POST", "/x", [("Transfer-Encoding", "chunked")], b"2\r\nhi\r\n0\r\n\r\n").status == 200
        conn.send(b"0\r\n\r\n")
        assert conn.peer_closed(), "the stdlib server answers the stray as a bad request, and closes"
    assert bare_upstream.wait_closed()
    (violation,) = bare_upstream.violations
    assert violation.startswith("upstream connection #1 from 127.0.0.1:")
    assert violation.endswith("after 1 complete message(s), byte 77: not a request line "
                              "`method SP request-target SP HTTP/1.1`: b'0\\r\\n\\r\\n'")
    with pytest.raises(AssertionError, match="outside a well-formed request"):
        bare_upstream.assert_clean()


def test_the_upstream_records_the_exact_bytes_of_each_connection(bare_upstream):
    first = b"GET /a HTTP/1.1\r\nHost: up\r\n\r\n"
    second = b"PUT /b HTTP/1.1\r\nHost: up\r\nContent-Length: 3\r\n\r\nabc"
    for wire in (first, first + second):
        with RawConnection(bare_upstream.port) as conn:
            conn.send(wire)
            for _ in range(wire.count(b"HTTP/1.1\r\n")):
                assert conn.read_response().status == 200
    assert bare_upstream.wait_closed()
    assert bare_upstream.connections() == [first, first + second]
    assert [[(m.method, m.target, m.body) for m in c] for c in bare_upstream.messages()] == [
        [("GET", "/a", b"")], [("GET", "/a", b""), ("PUT", "/b", b"abc")]]
    bare_upstream.assert_clean()


def test_a_connection_that_ends_mid_body_is_a_violation_unless_expected(bare_upstream):
    with socket.create_connection(("127.0.0.1", bare_upstream.port)) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: up\r\nContent-Length: 10\r\n\r\nabc")
    deadline = time.monotonic() + 5
    while not bare_upstream.wires() and time.monotonic() < deadline:  # accepted after the client left
        time.sleep(0.01)
    assert bare_upstream.wait_closed()
    (violation,) = bare_upstream.violations
    assert "an unfinished message from byte 0 (53 bytes)" in violation
    bare_upstream.expect_incomplete()
    bare_upstream.assert_clean()


def test_the_upstream_refuses_a_bad_chunk_line_itself(bare_upstream):
    with RawConnection(bare_upstream.port) as conn:
        response = conn.request("POST", "/x", [("Transfer-Encoding", "chunked")], b"0x2\r\nhi\r\n0\r\n\r\n")
        assert conn.peer_closed()
    assert (response.status, response.header("Connection")) == (400, "close")
    assert bare_upstream.requests == []


def test_the_frames_after_a_101_are_not_checked_as_http(bare_upstream):
    key = websocket.new_key()
    with RawConnection(bare_upstream.port) as conn:
        response = conn.request("GET", "/ws", [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                               ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13")])
        assert response.status == 101
        conn.send(websocket.encode_frame(websocket.OP_CLOSE, b"\x03\xe8", masked=True))
        assert websocket.decode_frame(conn.read_exact) == (websocket.OP_CLOSE, b"\x03\xe8")
    assert bare_upstream.wait_closed()
    bare_upstream.assert_clean()
    assert [len(c) for c in bare_upstream.messages()] == [1]
