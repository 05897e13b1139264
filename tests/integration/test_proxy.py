"""The reverse proxy: what the upstream receives (identity, forwarding and hop-by-hop fields), connection
reuse on both sides, pipelining, and 502/504 that leave the client connection usable (RFC 9110 §7.6)."""
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from harness.configs import route
from harness.fixtures import basic
from harness.passwords import ALICE, BOB, JURGEN
from harness.ports import free_port
from harness.raw_http import RawConnection, request_bytes

AUTH = ("Authorization", basic(ALICE.name, ALICE.password))


def seen(record: dict, name: str) -> list:
    return [v for k, v in record["headers"] if k.lower() == name.lower()]


@pytest.fixture
def proxy(launcher, config, upstream):
    """The default gateway plus /down (an upstream nobody listens on) and /slow (1 s response timeout)."""
    config["upstreams"]["down"] = {"url": f"http://127.0.0.1:{free_port()}", "connect_timeout": "2s"}
    config["upstreams"]["hasty"] = {"url": upstream.url, "response_timeout": "1s"}
    config["routes"][:0] = [
        {**route("down", "/down", "anonymous"), "upstream": "down"},
        {**route("slow", "/slow", "anonymous"), "upstream": "hasty"},
    ]
    return launcher.serve(config)


SPOOFS = [
    ("the canonical spelling", [("X-Auth-User", "root")]),
    ("a lower-case spelling", [("x-auth-user", "root")]),
    ("two copies", [("X-Auth-User", "root"), ("X-AUTH-USER", "admin")]),
    ("forged groups and scheme", [("X-Auth-Groups", "admins"), ("X-Auth-Scheme", "Bearer")]),
]


@pytest.mark.parametrize("headers", [s[1] for s in SPOOFS],
                         ids=[f"client identity headers are stripped: {s[0]}" for s in SPOOFS])
def test_spoofed_identity_never_reaches_the_upstream(proxy, upstream, headers):
    with RawConnection(proxy.port) as conn:
        authenticated = conn.request("GET", "/", [AUTH, *headers])
        anonymous = conn.request("GET", "/public", headers)
    assert (authenticated.status, anonymous.status) == (200, 200)
    mine, theirs = upstream.requests
    assert seen(mine, "X-Auth-User") == ["alice"], "upstream sees only the gateway's identity"
    assert sorted(seen(mine, "X-Auth-Groups")[0].replace(",", " ").split()) == ["admins", "staff"]
    assert [v.lower() for v in seen(mine, "X-Auth-Scheme")] == ["basic"]
    for name in ("X-Auth-User", "X-Auth-Groups", "X-Auth-Scheme"):
        assert seen(theirs, name) == [], f"anonymous request must carry no {name}"


@pytest.mark.parametrize("path, forwarded", [("/", False), ("/pass/through", True)],
                         ids=["Authorization is not forwarded by default",
                              "Authorization is forwarded with pass_authorization"])
def test_authorization_forwarding(proxy, upstream, path, forwarded):
    with RawConnection(proxy.port) as conn:
        assert conn.request("GET", path, [AUTH]).status == 200
    (record,) = upstream.requests
    assert seen(record, "Authorization") == ([AUTH[1]] if forwarded else [])


def test_forwarding_headers_are_added(proxy, upstream):
    """X-Forwarded-For/-Proto/-Host (de-facto, RFC 7239's predecessors) and Via (RFC 9110 §7.6.3)."""
    with RawConnection(proxy.port) as conn:
        response = conn.request("GET", "/public/x", [("Host", "app.test:8443"),
                                                     ("X-Forwarded-For", "203.0.113.9")])
    assert response.status == 200
    (record,) = upstream.requests
    (xff,) = seen(record, "X-Forwarded-For")
    assert [part.strip() for part in xff.split(",")][-1] == "127.0.0.1", xff
    assert seen(record, "X-Forwarded-Proto") == ["http"]
    assert seen(record, "X-Forwarded-Host") == ["app.test:8443"]
    (via,) = seen(record, "Via")
    assert re.fullmatch(r"(.+,\s*)?1\.1 \S+( \(.*\))?", via), via


def test_request_hop_by_hop_fields_are_removed(proxy, upstream):
    """RFC 9110 §7.6.1: Connection, the fields it names, Keep-Alive, Proxy-Connection, TE are hop-by-hop."""
    headers = [("Connection", "keep-alive, X-Foo"), ("X-Foo", "secret-hop"), ("Keep-Alive", "timeout=300"),
               ("Proxy-Connection", "keep-alive"), ("X-End-To-End", "kept")]
    with RawConnection(proxy.port) as conn:
        assert conn.request("GET", "/public/hop", headers).status == 200
    (record,) = upstream.requests
    names = {k.lower() for k, _ in record["headers"]}
    assert {"x-foo", "keep-alive", "proxy-connection"}.isdisjoint(names), record["headers"]
    assert all("x-foo" not in v.lower() for v in seen(record, "Connection"))
    assert seen(record, "X-End-To-End") == ["kept"]


def test_response_hop_by_hop_fields_are_removed(proxy):
    with RawConnection(proxy.port) as conn:
        response = conn.request("GET", "/hop", [AUTH])
    assert response.status == 200
    names = {k.lower() for k, _ in response.headers}
    assert "x-upstream-hop" not in names and "keep-alive" not in names, response.headers
    assert response.header("X-Upstream-End-To-End") == "1"


def test_query_and_method_reach_the_upstream_unchanged(proxy, upstream):
    with RawConnection(proxy.port) as conn:
        response = conn.request("DELETE", "/items/42?force=1&tag=a%20b", [AUTH])
    assert response.status == 200
    (record,) = upstream.requests
    assert (record["method"], record["target"]) == ("DELETE", "/items/42?force=1&tag=a%20b")


@pytest.mark.parametrize("code", [404, 500, 503], ids=lambda c: f"an upstream {c} is passed through as {c}")
def test_upstream_status_is_passed_through(proxy, code):
    with RawConnection(proxy.port) as conn:
        response = conn.request("GET", f"/status/{code}", [AUTH])
    assert (response.status, response.body) == (code, f"status {code}\n".encode())


# The upstream (Python's http.server) sends an empty reason for a status it has no name for; Beast would
# write "<unknown-status>" in its place. Known statuses keep the upstream's own phrase.
@pytest.mark.parametrize("code, reason", [(299, "Success"), (399, "Redirection"), (498, "Client Error"),
                                          (599, "Network Connect Timeout Error"), (418, "I'm a Teapot")],
                         ids=lambda v: str(v))
def test_a_status_keeps_its_number_and_an_empty_reason_gets_its_class(proxy, code, reason):
    with RawConnection(proxy.port) as conn:
        response = conn.request("GET", f"/status/{code}", [AUTH])
    assert (response.status, response.reason, response.body) == (code, reason, f"status {code}\n".encode())


def test_client_keep_alive_serves_many_requests_on_one_connection(proxy):
    with RawConnection(proxy.port) as conn:
        statuses = [conn.request("GET", f"/public/{i}").status for i in range(5)]
        assert statuses == [200] * 5
        assert not conn.peer_closed(wait=0.3), "a keep-alive connection stays open between requests"


@pytest.mark.parametrize("connection", [["close"], ["keep-alive", "close"], ["Keep-Alive, CLOSE"]])
@pytest.mark.parametrize("path, auth", [("/public/x", []), ("/", [])])
def test_close_on_any_connection_line_ends_the_connection(proxy, connection, path, auth):
    """RFC 9110 §5.3: several Connection lines are one list; a close in the second one counts too (for a
    proxied answer and for the gateway's own 401)."""
    with RawConnection(proxy.port) as conn:
        response = conn.request("GET", path, auth + [("Connection", line) for line in connection])
        assert response.status in (200, 401)
        assert response.headers_named("Connection") == ["close"]
        assert conn.peer_closed(), "the gateway closes after answering a request that said close"


def test_upstream_connections_are_pooled(proxy, upstream):
    with RawConnection(proxy.port) as conn:
        for i in range(6):
            assert conn.request("GET", f"/public/{i}").status == 200
    ports = {record["peer"][1] for record in upstream.requests}
    assert len(ports) <= 2, f"sequential requests should reuse a pooled upstream connection; used {ports}"


def test_pipelined_requests_are_answered_in_order(proxy):
    """RFC 9112 §9.3.2: a server may process pipelined requests, answering in the order received."""
    paths = ["/public/one", "/public/two", "/public/three"]
    with RawConnection(proxy.port) as conn:
        conn.send(b"".join(request_bytes("GET", p, []) for p in paths))
        responses = [conn.read_response() for _ in paths]
    assert [r.status for r in responses] == [200, 200, 200]
    assert [json.loads(r.body)["path"] for r in responses] == paths


def test_pipelined_denials_and_passes_keep_their_order(proxy):
    with RawConnection(proxy.port) as conn:
        conn.send(request_bytes("GET", "/", []) + request_bytes("GET", "/a", [AUTH]) + request_bytes("GET", "/", []))
        statuses = [conn.read_response().status for _ in range(3)]
    assert statuses == [401, 200, 401]


def test_heads_of_every_length_on_one_connection_reach_the_upstream_whole(proxy, upstream):
    """The area an idle connection's next request lands in grows when a read fills it: heads that grow,
    shrink and arrive pipelined across every size step must all be parsed whole, in order."""
    sizes = [10, 250, 300, 600, 1200, 2500, 5000, 9000, 40, 3000, 255, 256, 257]
    with RawConnection(proxy.port) as conn:
        for i, size in enumerate(sizes):
            response = conn.request("GET", f"/a/{i}", [AUTH, ("X-Pad", "p" * size)])
            assert response.status == 200, f"head {i} with a {size}-byte field"
        pair = [request_bytes("GET", f"/a/pipelined-{n}", [AUTH, ("X-Pad", "q" * n)]) for n in (2000, 700)]
        conn.send(b"".join(pair))
        assert [conn.read_response().status for _ in pair] == [200, 200]
    records = upstream.requests
    assert [r["path"] for r in records] == [f"/a/{i}" for i in range(len(sizes))] + [
        "/a/pipelined-2000", "/a/pipelined-700"]
    assert [len(seen(r, "X-Pad")[0]) for r in records] == sizes + [2000, 700]
    assert all(seen(r, "X-Auth-User") == ["alice"] for r in records)


def test_upstream_down_gets_502_and_the_connection_survives(proxy):
    with RawConnection(proxy.port) as conn:
        down = conn.request("GET", "/down/x")
        after = conn.request("GET", "/public/after")
    assert down.status == 502
    assert 0 < len(down.body) < 200
    assert after.status == 200


def test_upstream_slow_gets_504_and_the_connection_survives(proxy):
    started = time.monotonic()
    with RawConnection(proxy.port) as conn:
        slow = conn.request("GET", "/slow?s=8")
        elapsed = time.monotonic() - started
        after = conn.request("GET", "/public/after")
    assert slow.status == 504
    assert 0.9 <= elapsed < 6, f"response_timeout is 1s; 504 came after {elapsed:.1f}s"
    assert 0 < len(slow.body) < 200
    assert after.status == 200


def test_concurrent_clients_each_get_their_own_identity(proxy):
    """40 clients at once, three users and one impostor, five requests each on keep-alive connections:
    every answer carries the identity of the client that asked, never another's."""
    people = [(ALICE.name, ALICE.password, 200), (BOB.name, BOB.password, 200),
              (JURGEN.name, JURGEN.password, 200), (ALICE.name, "impostor", 401)]

    def client(i: int) -> list:
        user, password, expected = people[i % len(people)]
        results = []
        with requests.Session() as session:
            for j in range(5):
                response = session.get(proxy.url(f"/who/{i}/{j}"), timeout=60,
                                       auth=(user.encode(), password.encode("utf-8")))
                seen_user = None
                if response.status_code == 200:
                    (seen_user,) = [v.encode("latin-1").decode() for k, v in response.json()["headers"]
                                    if k.lower() == "x-auth-user"]
                results.append((response.status_code, seen_user, expected, user))
        return results

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = [o for batch in pool.map(client, range(40)) for o in batch]
    assert len(outcomes) == 200
    for status, seen_user, expected, user in outcomes:
        assert status == expected
        assert seen_user == (user if expected == 200 else None)


@pytest.mark.parametrize("method, body", [("GET", b""), ("POST", b"x=1")],
                         ids=["a GET on a connection the upstream closed is sent again on a fresh one",
                              "a POST never goes to a connection the upstream closed"])
def test_a_pooled_connection_the_upstream_closed_costs_the_client_nothing(proxy, upstream, method, body):
    with RawConnection(proxy.port) as conn:
        assert conn.request("GET", "/public/first?linger_close=0.1").status == 200
        time.sleep(0.4)  # the upstream has closed the pooled connection by now
        headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))] if body else []
        assert conn.request(method, "/public/second", headers, body).status == 200
    first, second = upstream.requests
    lines = [(first["method"], first["path"]), (second["method"], second["path"])]
    assert lines == [("GET", "/public/first"), (method, "/public/second")], lines
    assert second["peer"] != first["peer"], "the second request needs a new connection"
