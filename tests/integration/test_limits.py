"""Every size has a limit and every wait a timeout: 413, 414, 431 and 408, each with the exact status, and
the allowed sizes just below each limit still served."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import passwords
from harness.fixtures import basic
from harness.passwords import ALICE
from harness.raw_http import RawConnection, request_bytes

AUTH = ("Authorization", basic(ALICE.name, ALICE.password))
KIB = 1024


@pytest.fixture
def limited(launcher, config):
    """The default gateway with short timeouts: header 1 s, idle keep-alive 2 s; default sizes
    (16 KiB head, 100 fields, 8 KiB URI) and the /limited route's 1 KiB body."""
    config["limits"] = {"header_timeout": "1s", "idle_timeout": "2s", "max_header_bytes": "16KiB",
                        "max_header_count": 100, "max_uri_bytes": "8KiB"}
    return launcher.serve(config)


# (id, method, target, headers, body, expected status)
SIZES = [
    ("a 64 KiB header field gets 431", "GET", "/public/x", [("X-Big", "a" * 64 * KIB)], b"", 431),
    ("a head of 20 small fields totalling 20 KiB gets 431", "GET", "/public/x",
     [(f"X-Part-{i}", "b" * KIB) for i in range(20)], b"", 431),
    ("150 header fields get 431", "GET", "/public/x", [(f"X-N{i}", "1") for i in range(150)], b"", 431),
    ("a 10 KiB URI gets 414", "GET", "/public/" + "u" * 10 * KIB, [], b"", 414),
    ("a 2 KiB body on a 1 KiB route gets 413", "POST", "/limited", [AUTH, ("Content-Length", str(2 * KIB))],
     b"x" * 2 * KIB, 413),
    ("a chunked 2 KiB body on a 1 KiB route gets 413", "POST", "/limited",
     [AUTH, ("Transfer-Encoding", "chunked")], b"800\r\n" + b"x" * 2 * KIB + b"\r\n0\r\n\r\n", 413),
    ("an 8 KiB header field is within the limit", "GET", "/public/x", [("X-Big", "a" * 8 * KIB)], b"", 200),
    ("90 header fields are within the limit", "GET", "/public/x", [(f"X-N{i}", "1") for i in range(90)], b"",
     200),
    ("a 6 KiB URI is within the limit", "GET", "/public/" + "u" * 6 * KIB, [], b"", 200),
    ("a 1 KiB body on a 1 KiB route is within the limit", "POST", "/limited",
     [AUTH, ("Content-Length", str(KIB))], b"x" * KIB, 200),
]


@pytest.mark.parametrize("method, target, headers, body, status", [s[1:] for s in SIZES], ids=[s[0] for s in SIZES])
def test_size_limit(limited, upstream, method, target, headers, body, status):
    with RawConnection(limited.port) as conn:
        conn.send(request_bytes(method, target, headers, body))
        response = conn.read_response(method)
    assert response.status == status, f"{response.status} {response.reason} {response.body[:200]!r}"
    if status != 200:
        assert upstream.requests == [], "a refused request must not reach the upstream"
        assert len(response.body) < 200


def test_413_is_decided_before_the_body_is_sent(limited, upstream):
    """With Content-Length over the limit and Expect: 100-continue, 413 comes at once, without 100."""
    with RawConnection(limited.port) as conn:
        conn.send(request_bytes("POST", "/limited", [AUTH, ("Content-Length", str(1024 * KIB)),
                                                      ("Expect", "100-continue")]))
        response = conn.read_head()
    assert response.status == 413
    assert upstream.requests == []


def test_a_half_sent_head_gets_408(limited):
    """Slowloris: a head that never completes is answered 408 after header_timeout (1 s) and closed."""
    started = time.monotonic()
    with RawConnection(limited.port, timeout=10) as conn:
        conn.send(b"GET /public/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        response = conn.read_response()
        elapsed = time.monotonic() - started
        assert conn.peer_closed(wait=3), "the connection is closed after a 408"
    assert response.status == 408
    assert 0.9 <= elapsed < 5, f"header_timeout is 1s; 408 came after {elapsed:.1f}s"


def test_a_trickled_head_still_gets_408(limited):
    """The header timeout runs from the first byte to the end of the head, not between bytes."""
    started = time.monotonic()
    with RawConnection(limited.port, timeout=10) as conn:
        conn.send(b"GET /public/x HTTP/1.1\r\n")
        for i in range(30):
            try:
                conn.send(f"X-Drip-{i}: 1\r\n".encode())
            except OSError:
                break
            if conn.peer_closed(wait=0.2) or conn.buffer:
                break
        response = conn.read_response()
    assert response.status == 408
    assert time.monotonic() - started < 5


def test_an_idle_keep_alive_connection_is_closed(limited):
    with RawConnection(limited.port, timeout=10) as conn:
        assert conn.request("GET", "/public/x").status == 200
        assert conn.peer_closed(wait=6), "idle_timeout is 2s: the gateway must close an idle connection"


def test_a_full_hashing_queue_gets_503_with_retry_after(launcher, config, tmp_path):
    """server.max_pending_hashes bounds the verification queue: beyond it, 503 + Retry-After (RFC 9110
    §15.6.4, §10.2.3) rather than an unbounded wait. One worker, a queue of one, cost-12 bcrypt."""
    htpasswd = passwords.write_htpasswd(tmp_path / "slow.htpasswd",
                                        [passwords.htpasswd_line(ALICE.name, ALICE.password, "B -C 12")])
    config["stores"]["staff"]["path"] = str(htpasswd)
    config["server"].update({"worker_threads": 1, "max_pending_hashes": 1})
    gateway = launcher.serve(config)

    def attempt(i: int):
        with RawConnection(gateway.port, timeout=60) as conn:
            return conn.request("GET", "/", [("Authorization", basic(ALICE.name, f"guess-{i}"))])

    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(attempt, range(12)))
    statuses = sorted(r.status for r in responses)
    assert set(statuses) <= {401, 503}, statuses
    assert 503 in statuses, f"12 concurrent cost-12 verifications with a queue of 1: {statuses}"
    assert all(r.header("Retry-After") for r in responses if r.status == 503)


@pytest.mark.parametrize("drain_bytes, kept", [("64KiB", True), ("0", False)],
                         ids=["a small unread body is drained and the connection kept (the default)",
                              "with limits.drain_bytes 0 the connection closes after the 401 instead"])
def test_drain_bytes_decides_whether_a_refused_body_is_read_or_the_connection_closed(launcher, config, drain_bytes,
                                                                                      kept):
    config["limits"] = {"drain_bytes": drain_bytes, "linger_timeout": "200ms"}
    gateway = launcher.serve(config)
    with RawConnection(gateway.port) as conn:
        conn.send(request_bytes("POST", "/private/x", [("Content-Length", "10")], b"0123456789"))
        response = conn.read_response("POST")
        assert response.status == 401
        assert (response.header("Connection") == "close") is not kept
        if kept:
            assert conn.request("GET", "/public/next").status == 200
        else:
            assert conn.peer_closed(wait=5)
