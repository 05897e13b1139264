"""The 400/401/403 decision for Basic (RFC 9110 §11, RFC 7617), exactly as a client sees it on the wire,
and what the upstream receives when a request gets through."""
import base64
import json
import statistics
import time

import pytest

from harness import configs, passwords
from harness.configs import CHALLENGE
from harness.fixtures import basic
from harness.passwords import ALICE, BOB, JURGEN
from harness.raw_http import RawConnection


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def seen(record: dict, name: str) -> list:
    """Values of the header `name` as the upstream received it (raw bytes decoded as UTF-8)."""
    return [v.encode("latin-1").decode("utf-8") for k, v in record["headers"] if k.lower() == name.lower()]


ALICE_AUTH = ("Authorization", basic(ALICE.name, ALICE.password))

# (id, path, request headers, expected status, the user the upstream must see or None when it must see nothing)
DECISIONS = [
    ("no Authorization field gets 401", "/", [], 401, None),
    ("a wrong password gets 401", "/", [("Authorization", basic("alice", "wrong"))], 401, None),
    ("an unknown user gets 401", "/", [("Authorization", basic("mallory", "alice-secret-1"))], 401, None),
    ("an empty user-id and password get 401", "/", [("Authorization", "Basic " + b64(":"))], 401, None),
    ("a Bearer token on a Basic-only route gets 401", "/", [("Authorization", "Bearer abc.def.ghi")], 401, None),
    ("bad base64 gets 400", "/", [("Authorization", "Basic !!!not-base64!!!")], 400, None),
    ("base64 without its padding gets 400", "/", [("Authorization", "Basic " + b64("alice:x").rstrip("="))],
     400, None),
    ("Basic with no token gets 400", "/", [("Authorization", "Basic")], 400, None),
    ("user-pass without a colon gets 400", "/", [("Authorization", "Basic " + b64("alice"))], 400, None),
    ("two Authorization fields get 400", "/", [ALICE_AUTH, ALICE_AUTH], 400, None),
    ("a control character in the password gets 400", "/", [("Authorization", basic("alice", "pw\x07"))],
     400, None),
    ("a CR LF in the user-id gets 400, never an injected header", "/",
     [("Authorization", basic("alice\r\nX-Admin: 1", "alice-secret-1"))], 400, None),
    ("a token68 followed by parameters gets 400", "/", [("Authorization", "Basic " + b64("a:b") + ", x=y")],
     400, None),
    ("the right password gets through", "/", [ALICE_AUTH], 200, "alice"),
    ("the lower-case scheme basic gets through", "/",
     [("Authorization", "basic " + b64("alice:alice-secret-1"))], 200, "alice"),
    ("the upper-case scheme BASIC gets through", "/",
     [("Authorization", "BASIC " + b64("alice:alice-secret-1"))], 200, "alice"),
    ("a UTF-8 user-id and password get through", "/", [("Authorization", basic(JURGEN.name, JURGEN.password))],
     200, JURGEN.name),
    ("a member of the group reaches the group route", "/admin/panel", [ALICE_AUTH], 200, "alice"),
    ("a user not in the group gets 403", "/admin/panel", [("Authorization", basic(BOB.name, BOB.password))],
     403, None),
    ("a user not on the users list gets 403", "/bob", [ALICE_AUTH], 403, None),
    ("the listed user reaches the users route", "/bob", [("Authorization", basic(BOB.name, BOB.password))],
     200, "bob"),
    ("the anonymous route needs no credentials", "/public/page", [], 200, ""),
    ("a path that only starts like the group route is not the group route", "/administrators",
     [("Authorization", basic(BOB.name, BOB.password))], 200, "bob"),
]


@pytest.mark.parametrize("path, headers, status, user", [c[1:] for c in DECISIONS], ids=[c[0] for c in DECISIONS])
def test_decision(gateway, upstream, path, headers, status, user):
    with RawConnection(gateway.port) as conn:
        response = conn.request("GET", path, headers)
    assert response.status == status, response
    challenge = response.headers_named("WWW-Authenticate")
    if status == 401:
        assert challenge == [CHALLENGE]
        assert response.header("Cache-Control") == "no-store"
    if status == 403:
        assert challenge == [], "RFC 9110 §15.5.4: a 403 is not a request for credentials"
    if user is None:
        assert upstream.requests == [], "a denied request must never reach the upstream"
        assert len(response.body) < 200, "denials carry a short body without internal detail"
        return
    (record,) = upstream.requests
    assert json.loads(response.body) == record
    assert seen(record, "X-Auth-User") == ([user] if user else [])
    assert seen(record, "Authorization") == [], "the client's credentials stay at the gateway"


def test_unknown_user_and_wrong_password_look_the_same(gateway):
    """RFC 7617 §4 / RFC 9110 §11.6: the response must not tell an attacker which user-ids exist."""
    with RawConnection(gateway.port) as conn:
        unknown = conn.request("GET", "/", [("Authorization", basic("mallory", "x"))])
        wrong = conn.request("GET", "/", [("Authorization", basic("alice", "x"))])
    assert (unknown.status, unknown.body) == (wrong.status, wrong.body) == (401, wrong.body)
    assert sorted(unknown.headers_named("WWW-Authenticate")) == sorted(wrong.headers_named("WWW-Authenticate"))


def test_identity_headers_reach_the_upstream(gateway, upstream):
    with RawConnection(gateway.port) as conn:
        assert conn.request("GET", "/whoami", [ALICE_AUTH]).status == 200
    (record,) = upstream.requests
    assert seen(record, "X-Auth-User") == ["alice"]
    assert [s.lower() for s in seen(record, "X-Auth-Scheme")] == ["basic"]
    (groups,) = seen(record, "X-Auth-Groups")
    assert sorted(groups.replace(",", " ").split()) == ["admins", "staff"]


def test_head_gets_401_without_a_body(gateway):
    """RFC 9110 §9.3.2: same status and fields as GET, no content; the next response must parse cleanly."""
    with RawConnection(gateway.port) as conn:
        head = conn.request("HEAD", "/")
        follow = conn.request("GET", "/public/after-head")
    assert head.status == 401
    assert head.headers_named("WWW-Authenticate") == [CHALLENGE]
    assert head.body == b""
    assert follow.status == 200


def test_401_body_is_short_and_plain(gateway):
    with RawConnection(gateway.port) as conn:
        response = conn.request("GET", "/")
    assert response.status == 401
    assert 0 < len(response.body) < 200
    assert b"alice" not in response.body and b"htpasswd" not in response.body


@pytest.fixture
def costly_gateway(launcher, upstream, tmp_path):
    """alice behind a bcrypt cost-11 hash (~0.1 s), so the cost of a verification is measurable."""
    htpasswd = passwords.write_htpasswd(tmp_path / "users.htpasswd",
                                        [passwords.htpasswd_line(ALICE.name, ALICE.password, "B -C 11")])
    groups = passwords.write_groups(tmp_path / "groups.txt", [ALICE])
    return launcher.serve(configs.gateway_config(upstream.url, htpasswd, groups))


def test_unknown_user_costs_as_much_as_a_wrong_password(costly_gateway):
    """An unknown user is verified against a dummy hash (DESIGN.md): timing does not reveal which user-ids
    exist. Medians of 7, each with a fresh password so no cache answers."""
    def median_seconds(user: str) -> float:
        samples = []
        with RawConnection(costly_gateway.port, timeout=30) as conn:
            for i in range(7):
                started = time.monotonic()
                assert conn.request("GET", "/", [("Authorization", basic(user, f"guess-{i}"))]).status == 401
                samples.append(time.monotonic() - started)
        return statistics.median(samples)

    wrong, unknown = median_seconds(ALICE.name), median_seconds("nobody-by-that-name")
    assert wrong > 0.02, f"a cost-11 bcrypt verification took only {wrong * 1000:.1f} ms"
    assert 0.5 < unknown / wrong < 2.0, f"unknown user {unknown * 1000:.0f} ms vs wrong password {wrong * 1000:.0f} ms"
