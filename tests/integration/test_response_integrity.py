"""Every client gets exactly its own response (issue 11, F1): many clients, every kind of request, over
pooled upstream connections. A byte the gateway leaves behind on an upstream connection (a second
last-chunk, a body not sent whole) shifts every later answer on it by one, across clients and identities.

Each request carries a unique id (X-Test-Id, and `id=` in the target); the echo upstream sends the id
back on every answer, with the X-Auth-User it received (harness/upstream.py), so even HEAD, 204 and 304
answers say whose they are. The strict upstream checks that it received nothing but whole requests."""
import hashlib
import json
import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from harness.fixtures import basic
from harness.passwords import ALICE, BOB
from harness.raw_http import RawConnection, request_bytes
from harness.upstream import MIB, pattern_sha256

CLIENTS = 6
REQUESTS_PER_CLIENT = 40
PAUSE = 0.02  # between two writes that must reach the gateway as two reads
USERS = {None: None, ALICE.name: ALICE, BOB.name: BOB}
AUTH_ONLY = {"status 204", "status 304", "big", "big chunked"}  # their paths are not under /public


@pytest.fixture
def gateway(launcher, config):
    """The default gateway; a request that a framing bug left hanging holds up its exit for 1 s, not 10."""
    config["server"]["shutdown_grace"] = "1s"
    return launcher.serve(config)


@dataclass
class Exchange:
    """One request as sent and what its answer must show."""

    kind: str
    rid: str
    user: str  # None: anonymous
    method: str = "GET"
    body: bytes = b""
    status: int = 200
    json: bool = True  # the answer is the echo's JSON


def chunks_of(body: bytes, rng: random.Random) -> list:
    """`body` cut into 2–6 chunks (wire bytes each), none empty."""
    cuts = sorted(rng.sample(range(1, len(body)), min(len(body) - 1, rng.randint(1, 5))))
    pieces = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)])]
    return [b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces]


def send(conn: RawConnection, ex: Exchange, rng: random.Random):
    """Writes the request for `ex` the way its kind says, waiting for 100 Continue where it asks to."""
    where = "/public/ri" if ex.user is None else "/ri"
    target = f"{where}/{ex.kind.replace(' ', '-')}?id={ex.rid}"
    headers = [("X-Test-Id", ex.rid)]
    if ex.user is not None:
        headers.append(("Authorization", basic(ex.user, USERS[ex.user].password)))
    if ex.kind == "status 204" or ex.kind == "status 304":
        target = f"/status/{ex.status}?id={ex.rid}"
    elif ex.kind.startswith("big"):
        target = f"/big?mb=1&chunked={int(ex.kind == 'big chunked')}&id={ex.rid}"
    elif ex.kind == "closes early":
        target += "&close=1"
    if ex.kind.startswith("chunked"):
        chunks = chunks_of(ex.body, rng) if ex.body else []
        head = request_bytes("POST", target, headers + [("Transfer-Encoding", "chunked")])
        if ex.kind == "chunked, each chunk its own write":
            for piece in [head, *chunks]:
                conn.send(piece)
            conn.send(b"0\r\n\r\n")
        elif ex.kind == "chunked, last-chunk in a later write":
            conn.send(head + b"".join(chunks))
            time.sleep(PAUSE)
            conn.send(b"0\r\n\r\n")
        else:  # the last data chunk and the last-chunk in one write; or an empty body
            conn.send(head + b"".join(chunks[:-1]))
            time.sleep(PAUSE)
            conn.send(b"".join(chunks[-1:]) + b"0\r\n\r\n")
        return
    if ex.method == "POST":
        headers.append(("Content-Length", str(len(ex.body))))
    if ex.kind == "expect 100-continue":
        conn.send(request_bytes("POST", target, headers + [("Expect", "100-continue")]))
        interim = conn.read_head()
        assert interim.status == 100, f"{ex.rid}: {interim.status} instead of 100 Continue"
        conn.send(ex.body)
        return
    conn.send(request_bytes(ex.method, target, headers, ex.body))


def plan(client: int, rng: random.Random) -> list:
    """This client's requests: every kind at least three times, in a shuffled order, mixed users."""
    kinds = ["get", "head", "sized", "chunked, each chunk its own write", "chunked, last-chunk in a later write",
             "chunked, last-chunk with the last data", "chunked, empty", "expect 100-continue", "status 204",
             "status 304", "big", "big chunked", "closes early"]
    order = (kinds * 4)[:REQUESTS_PER_CLIENT]
    rng.shuffle(order)
    exchanges = []
    for n, kind in enumerate(order):
        user = rng.choice([ALICE.name, BOB.name] if kind in AUTH_ONLY else list(USERS))
        ex = Exchange(kind, f"c{client}-r{n}-{rng.getrandbits(32):08x}", user)
        if kind in ("sized", "expect 100-continue") or kind.startswith("chunked"):
            ex.method = "POST"
            ex.body = b"" if kind == "chunked, empty" else rng.randbytes(rng.randint(2, 24_000))
        ex.method = "HEAD" if kind == "head" else ex.method
        ex.status = int(kind[-3:]) if kind.startswith("status") else 200
        ex.json = kind not in AUTH_ONLY and kind != "head"
        exchanges.append(ex)
    return exchanges


def problems_with(ex: Exchange, response, big_sha: str) -> list:
    """What is wrong with `response` as the answer to `ex` (nothing: [])."""
    found = []
    if response.status != ex.status:
        found.append(f"status {response.status}, expected {ex.status}")
    if response.headers_named("X-Echo-Test-Id") != [ex.rid]:
        found.append(f"got the answer to {response.headers_named('X-Echo-Test-Id')}")
    if response.headers_named("X-Echo-Auth-User") != ([ex.user] if ex.user else []):
        found.append(f"the upstream saw X-Auth-User {response.headers_named('X-Echo-Auth-User')}")
    if ex.kind.startswith("big") and (len(response.body), hashlib.sha256(response.body).hexdigest()) != (
            MIB, big_sha):
        found.append(f"a /big body of {len(response.body)} bytes, not the 1 MiB pattern")
    if ex.json and not found:
        echo = json.loads(response.body)
        seen_user = [v for k, v in echo["headers"] if k.lower() == "x-auth-user"]
        if not echo["target"].endswith(f"id={ex.rid}") and f"id={ex.rid}&" not in echo["target"]:
            found.append(f"the echo is of {echo['target']}")
        if seen_user != ([ex.user] if ex.user else []):
            found.append(f"the echo saw X-Auth-User {seen_user}")
        if (echo["body_length"], echo["body_sha256"]) != (len(ex.body), hashlib.sha256(ex.body).hexdigest()):
            found.append(f"the upstream got {echo['body_length']} body bytes, not the {len(ex.body)} sent")
    return found


def run_client(port: int, client: int, big_sha: str) -> tuple:
    """One client on its own keep-alive connection (a new one only when the gateway closes it)."""
    rng = random.Random(1100 + client)
    exchanges, problems = plan(client, rng), []
    conn = RawConnection(port, timeout=5)
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for ex in exchanges:
            try:
                send(conn, ex, rng)
                response = conn.read_response(ex.method)
                problems += [f"{ex.rid} ({ex.kind}, {ex.user or 'anonymous'}): {p}"
                             for p in problems_with(ex, response, big_sha)]
            except (AssertionError, OSError, ValueError) as error:
                problems.append(f"{ex.rid} ({ex.kind}, {ex.user or 'anonymous'}): {error!r}")
                break
            if "close" in [v.lower() for v in response.headers_named("Connection")]:
                conn.close()
                conn = RawConnection(port, timeout=5)
                conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    finally:
        conn.close()
    return exchanges, problems


def test_every_client_gets_exactly_its_own_response_over_pooled_upstream_connections(gateway, upstream):
    big_sha = pattern_sha256(1)
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda c: run_client(gateway.port, c, big_sha), range(CLIENTS)))
    sent = [ex for exchanges, _ in results for ex in exchanges]
    problems = [p for _, found in results for p in found]
    assert not problems, f"{len(problems)} wrong answers, the first ones:\n" + "\n".join(problems[:25])

    upstream.assert_clean()
    assert len(upstream.requests) == len(sent) == CLIENTS * REQUESTS_PER_CLIENT
    messages = [m for connection in upstream.messages() for m in connection]
    assert len(messages) == len(sent), "every request reached the upstream as exactly one message"
    by_id = {m.header("X-Test-Id")[0]: m for m in messages}
    for ex in sent:
        message = by_id[ex.rid]
        assert message.body == ex.body, f"{ex.rid}: the upstream got other body bytes than the client sent"
        assert message.header("X-Auth-User") == ([ex.user] if ex.user else []), ex.rid
    assert max(len(connection) for connection in upstream.messages()) > 1, "upstream connections were reused"


def test_a_chunked_post_leaves_nothing_behind_on_its_pooled_connection(gateway, upstream):
    """Issue 11, F1, as it was seen: alice POSTs a chunked body; the gateway wrote the last-chunk twice, the
    upstream answered the stray `0\\r\\n\\r\\n` as a second request, and that answer sat on the pooled
    connection until the next request on it — an anonymous client's — took it: the anonymous client got
    alice's answer. Now: one message per request on the wire, each answer to its own client."""
    alice = [("Authorization", basic(ALICE.name, ALICE.password)), ("X-Test-Id", "alice-1"),
             ("Transfer-Encoding", "chunked")]
    with RawConnection(gateway.port, timeout=5) as first, RawConnection(gateway.port, timeout=5) as second:
        first.send(request_bytes("POST", "/ri/upload", alice) + b"5\r\nhello\r\n3\r\nabc\r\n")
        time.sleep(PAUSE)
        first.send(b"0\r\n\r\n")
        mine = first.read_response("POST")
        theirs = [second.request("GET", f"/public/ri/{n}", [("X-Test-Id", f"anon-{n}")]) for n in range(3)]
    assert (mine.status, mine.headers_named("X-Echo-Test-Id")) == (200, ["alice-1"])
    assert json.loads(mine.body)["body_length"] == 8
    for n, response in enumerate(theirs):
        assert (response.status, response.headers_named("X-Echo-Test-Id")) == (200, [f"anon-{n}"])
        assert response.headers_named("X-Echo-Auth-User") == [], "an anonymous answer carries no identity"
    upstream.assert_clean()
    assert sorted(m.target for c in upstream.messages() for m in c) == [
        "/public/ri/0", "/public/ri/1", "/public/ri/2", "/ri/upload"]
