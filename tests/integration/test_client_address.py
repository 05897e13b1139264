"""The client address behind trusted proxies (`listeners[].trusted_proxies`): from a peer in those ranges
the client is the right-most X-Forwarded-For entry no trusted proxy wrote — logged as `forwarded_for` and
counted by throttling — and from anyone else X-Forwarded-For is the client's own claim and changes
nothing. The upstream still gets the whole chain with the peer appended."""
import json
import socket

import pytest

from harness import yaml_text
from harness.fixtures import basic
from harness.gateway import run_cli
from harness.passwords import ALICE
from harness.raw_http import RawConnection


class SourceConnection(RawConnection):
    """A RawConnection bound to the local address `source` (any 127/8 address is ours on Linux)."""

    def __init__(self, port: int, source: str, timeout: float = 15.0):
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        self.buffer = bytearray()


def ask(gw, source: str, forwarded_for: str = None, password: str = "wrong", path: str = "/private"):
    fields = [("Host", "app.example"), ("Authorization", basic(ALICE.name, password))]
    if forwarded_for is not None:
        fields.append(("X-Forwarded-For", forwarded_for))
    with SourceConnection(gw.port, source) as conn:
        return conn.request("GET", path, fields)


@pytest.fixture
def gw(launcher, config):
    """Trusts 127.0.0.1 as its load balancer; throttles addresses after 2 failures (users not counted)."""
    config["listeners"][0]["trusted_proxies"] = ["127.0.0.1/32"]
    config["throttle"] = {"users": {"max_failures": 0}, "addresses": {"max_failures": 2, "window": "1m",
                                                                      "ban": "1m"}}
    return launcher.serve(config)


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_on_its_own(gw):
    """Two clients behind one load balancer: the first is banned after 2 guesses, the second is not."""
    assert [ask(gw, "127.0.0.1", "198.51.100.4").status for _ in range(3)] == [401, 401, 429]
    assert ask(gw, "127.0.0.1", "198.51.100.5").status == 401  # another client, its own count
    assert ask(gw, "127.0.0.1", "198.51.100.4, 127.0.0.1").status == 429  # the trusted hop is skipped
    logged = gw.wait_for_access_log(5)
    # Lines of separate connections may be written in any order (one writer per I/O thread).
    seen = sorted((entry["forwarded_for"], entry["status"], entry.get("throttled_by") or "") for entry in logged)
    assert seen == [("198.51.100.4", 401, ""), ("198.51.100.4", 401, ""), ("198.51.100.4", 429, "address"),
                    ("198.51.100.4", 429, "address"), ("198.51.100.5", 401, "")]


def test_from_an_untrusted_peer_x_forwarded_for_is_ignored(gw):
    """127.0.0.2 is no trusted proxy: what it says about the client is its own claim. It cannot escape its
    own ban by naming a new client each time."""
    statuses = [ask(gw, "127.0.0.2", f"203.0.113.{i}").status for i in range(3)]
    assert statuses == [401, 401, 429]
    logged = gw.wait_for_access_log(3)
    assert all("forwarded_for" not in entry for entry in logged), logged
    assert all(entry["client"].startswith("127.0.0.2:") for entry in logged), logged


def test_the_upstream_still_gets_the_whole_chain(gw, upstream):
    response = ask(gw, "127.0.0.1", "198.51.100.4", password=ALICE.password, path="/public")
    assert response.status == 200
    echoed = json.loads(response.body)
    chain = [value for name, value in echoed["headers"] if name.lower() == "x-forwarded-for"]
    assert chain == ["198.51.100.4, 127.0.0.1"]


@pytest.mark.parametrize("listener, message", [
    ({"trusted_proxies": ["10.0.0.1/8"]}, "host bits"),
    ({"trusted_proxies": ["proxy.example"]}, "trusted_proxies"),
    ({"trusted_proxies": ["127.0.0.1"], "forward_auth": {"original_request": "x-forwarded"}},
     "forward_auth.trusted_sources"),
])
def test_check_refuses_bad_trusted_proxies_at_their_line(tmp_path, config, listener, message):
    config["listeners"][0].update(listener)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text.dump(config))
    result = run_cli(["check", "--config", str(path)])
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
    assert f"{path}:" in result.stderr


def request_ids(gw, upstream, source: str, fields: list) -> tuple:
    """(the X-Request-Id values the upstream got, the request_id logged) for one /public request."""
    with SourceConnection(gw.port, source) as conn:
        response = conn.request("GET", "/public/id", [("Host", "app.example"), *fields])
    assert response.status == 200
    echoed = json.loads(response.body)
    sent = [value for name, value in echoed["headers"] if name.lower() == "x-request-id"]
    (entry,) = gw.wait_for_access_log(1, lambda e: e["path"] == "/public/id")
    return sent, entry["request_id"]


TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.mark.parametrize("source, fields, kept", [
    ("127.0.0.2", [], None),
    ("127.0.0.2", [("X-Request-Id", "forged-by-a-client")], None),
    ("127.0.0.1", [("X-Request-Id", "lb-7f3a-9")], "lb-7f3a-9"),
    ("127.0.0.1", [("traceparent", TRACEPARENT)], "4bf92f3577b34da6a3ce929d0e0e4736"),
    ("127.0.0.1", [("X-Request-Id", "bad id with spaces")], None),
], ids=["made here when none came", "a client's own id is replaced", "a trusted proxy's id is kept",
        "a trusted proxy's traceparent gives the trace-id", "a malformed id from a trusted proxy is replaced"])
def test_the_request_id_in_the_log_is_the_one_the_upstream_gets(gw, upstream, source, fields, kept):
    sent, logged = request_ids(gw, upstream, source, fields)
    assert sent == [logged], "exactly one X-Request-Id, the logged one"
    if kept is None:
        assert len(logged) == 32 and all(c in "0123456789abcdef" for c in logged), logged
    else:
        assert logged == kept
