"""Message framing at the edge (RFC 9112 §2.2, §5, §6): ambiguous or invalid framing is refused with 400
before anything reaches the upstream, so no request can be smuggled past the authentication decision."""
import json

import pytest

from harness.fixtures import basic
from harness.passwords import ALICE
from harness.raw_http import RawConnection

AUTH = f"Authorization: {basic(ALICE.name, ALICE.password)}\r\n".encode()
HEAD = b"POST /public/form HTTP/1.1\r\nHost: 127.0.0.1\r\n"

# (id, raw request, statuses allowed) — each must be refused before the upstream sees it
REFUSED = [
    ("two different Content-Length values get 400", HEAD + b"Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
     {400}),
    ("a Content-Length list with different values gets 400", HEAD + b"Content-Length: 3, 5\r\n\r\nabcde", {400}),
    ("a non-numeric Content-Length gets 400", HEAD + b"Content-Length: 3x\r\n\r\nabc", {400}),
    ("a negative Content-Length gets 400", HEAD + b"Content-Length: -1\r\n\r\n", {400}),
    ("a Transfer-Encoding that does not end in chunked gets 400 or 501",
     HEAD + b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", {400, 501}),
    ("an unknown Transfer-Encoding gets 400 or 501", HEAD + b"Transfer-Encoding: x-custom\r\n\r\n", {400, 501}),
    ("whitespace before a field colon gets 400", HEAD.replace(b"Host:", b"Host :") + b"Content-Length: 0\r\n\r\n",
     {400}),
    ("a NUL in a field value gets 400", HEAD + b"X-Evil: a\x00b\r\nContent-Length: 0\r\n\r\n", {400}),
    ("a field line without a colon gets 400", HEAD + b"NoColonHere\r\nContent-Length: 0\r\n\r\n", {400}),
    ("a bad chunk size gets 400", HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", {400}),
    ("a request line with two spaces gets 400", b"GET  /public HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {400}),
    ("an unknown HTTP version gets 505 or 400", b"GET /public HTTP/3.7\r\nHost: 127.0.0.1\r\n\r\n", {400, 505}),
    ("HTTP/1.1 without Host gets 400", b"GET /public HTTP/1.1\r\nX-A: 1\r\n\r\n", {400}),
    ("two Host fields get 400", b"GET /public HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", {400}),
]


@pytest.mark.parametrize("raw, allowed", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_bad_framing_is_refused(gateway, upstream, raw, allowed):
    with RawConnection(gateway.port) as conn:
        conn.send(raw)
        response = conn.read_response("POST")
    assert response.status in allowed, f"{response.status} {response.reason}"
    assert upstream.requests == []


def test_content_length_with_chunked_is_refused_or_forwarded_without_it(gateway, upstream):
    """RFC 9112 §6.3: Transfer-Encoding overrides Content-Length; an intermediary that forwards such a
    message MUST first remove Content-Length (or it may refuse it as an error)."""
    raw = HEAD + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    with RawConnection(gateway.port) as conn:
        conn.send(raw)
        response = conn.read_response("POST")
    if response.status == 400:
        assert upstream.requests == []
        return
    assert response.status == 200
    (record,) = upstream.requests
    assert record["body_length"] == 5
    assert not any(k.lower() == "content-length" for k, _ in record["headers"]), record["headers"]


def test_a_smuggled_second_request_is_not_forwarded_unauthenticated(gateway, upstream):
    """A body that hides a second request: whatever the gateway decides, the hidden request to a protected
    path must never reach the upstream without authentication."""
    hidden = b"GET /admin/secret HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    raw = (HEAD + b"Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden)
    with RawConnection(gateway.port) as conn:
        conn.send(raw)
        first = conn.read_response("POST")
        second = conn.read_response() if first.status != 400 and not conn.peer_closed(wait=1) else None
    assert all(r["path"] != "/admin/secret" for r in upstream.requests)
    if second is not None:
        assert second.status == 401


def test_http_1_0_request_is_answered_and_closed(gateway, upstream):
    with RawConnection(gateway.port) as conn:
        conn.send(b"GET /public/old HTTP/1.0\r\n\r\n")
        response = conn.read_response()
        assert conn.peer_closed(wait=5), "HTTP/1.0 without keep-alive: the server closes"
    assert response.status == 200
    assert json.loads(response.body)["path"] == "/public/old"


def test_authenticated_post_with_chunked_body_is_forwarded(gateway, upstream):
    raw = (b"POST /form HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH +
           b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n")
    with RawConnection(gateway.port) as conn:
        conn.send(raw)
        response = conn.read_response("POST")
    assert response.status == 200
    assert json.loads(response.body)["body_length"] == 7
