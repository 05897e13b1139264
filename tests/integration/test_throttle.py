"""Brute-force throttling (issue 16, docs/throttling.md): failed verifications are counted per claimed user
name and per client address; at `max_failures` within the window the key is banned, and a banned request
is answered `429 Too Many Requests` + `Retry-After` before the verify cache or any hash.

Each test starts its own gateway (counters live in the process) on the default config of harness/configs.py
plus a `throttle:` block, and drives it from chosen loopback sources (any 127/8 address is ours on Linux):
a guessing run cut off at exactly `max_failures` 401s, with no hash spent and nothing upstream while banned,
and the right password refused too; unknown and known names alike, byte for byte; an address guessing many
names banned while others are served; a success forgetting the name's count, never the address's; refusals
that are not guesses left uncounted; a ban expiring; counts, bans and new limits across reloads; the access
log and /metrics; the forward-auth listener (plain, and `nginx_compat` as 403 + `X-Authgate-Status: 429`)
counting the client its front proxy names (IPv6 as its /64); the forward proxy (407 → 429); Digest
usernames; Bearer guesses by address only; `per_realm`; `authgate check` on broken blocks; and guesses sent
at once, which must be cut at the limit too."""
import re
import signal
import socket
import threading
import time
import uuid

import pytest
import requests

from harness import configs, digest, passwords, tokens, yaml_text
from harness import forward_proxy as fp
from harness.configs import CHALLENGE
from harness.fixtures import basic
from harness.gateway import run_cli
from harness.passwords import ALICE, BOB, JURGEN
from harness.ports import free_port
from harness.raw_http import RawConnection, request_bytes

BAN = 30  # seconds, unless a test needs the ban to end
UNAUTHORIZED = b"401 Unauthorized\n"
DIGEST_REALM = "Digest area"


# --- gateways -----------------------------------------------------------------------------------

def limit(max_failures: int, window: str = "1m", ban: str = f"{BAN}s") -> dict:
    return {"max_failures": max_failures, "window": window, "ban": ban}


def throttled(upstream, store_files, users=limit(3), addresses=limit(0), **extra) -> dict:
    """The default config (harness/configs.py) with `throttle: {users, addresses, …extra}`."""
    config = configs.gateway_config(upstream.url, *store_files)
    config["throttle"] = {"users": users, "addresses": addresses, **extra}
    return config


def start(launcher, upstream, store_files, **throttle):
    return launcher.serve(throttled(upstream, store_files, **throttle))


@pytest.fixture
def dear_store(tmp_path):
    """alice, bob and jürgen at bcrypt cost 10 (tens of milliseconds each): a hash shows in `auth_us`."""
    lines = [passwords.htpasswd_line(u.name, u.password, "B -C 10") for u in passwords.DEFAULT_USERS]
    return (passwords.write_htpasswd(tmp_path / "dear.htpasswd", lines),
            passwords.write_groups(tmp_path / "groups.txt", passwords.DEFAULT_USERS))


# --- requests -----------------------------------------------------------------------------------

class SourceConnection(RawConnection):
    """A RawConnection whose socket is bound to the local address `source`."""

    def __init__(self, port: int, source: str = "127.0.0.1", timeout: float = 15.0):
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        self.buffer = bytearray()


def ask(port: int, auth: str = None, path: str = "/", source: str = "127.0.0.1", fields=(),
        field: str = "Authorization", method: str = "GET"):
    """One request on a new connection from `source`, with `auth` in `field` when given."""
    headers = list(fields) + ([(field, auth)] if auth is not None else [])
    with SourceConnection(port, source) as conn:
        return conn.request(method, path, headers)


def guess(user: str, n) -> str:
    return basic(user, f"wrong-{n}-{uuid.uuid4().hex[:8]}")


def marker() -> str:
    return "/" + uuid.uuid4().hex


# --- what came back -----------------------------------------------------------------------------

def wire(response) -> tuple:
    """A response without its Date: what two answers must share byte for byte."""
    fields = [(k, v) for k, v in response.headers if k != "Date"]
    return response.status, response.reason, fields, response.body


def assert_challenged(response, challenges=(CHALLENGE,)):
    assert (response.status, response.body) == (401, UNAUTHORIZED), (response.status, response.headers)
    assert response.headers_named("WWW-Authenticate") == list(challenges)
    assert response.header("Retry-After") is None


def assert_throttled(response, ban: int = BAN, since: float = None, status: int = 429, extra=()):
    """429 (RFC 6585 §4) with the short body, no challenge, and `Retry-After` within (ban - 1 - elapsed, ban]
    where elapsed is the time since `since` (a monotonic instant before the ban began); without `since`,
    a ban that began at most a second ago."""
    reason = {429: "Too Many Requests", 403: "Forbidden"}[status]
    assert (response.status, response.reason) == (status, reason), (response.status, response.headers)
    assert response.body == f"{status} {reason}\n".encode()
    names = sorted(k.lower() for k, _ in response.headers)
    expected = ["date", "content-type", "retry-after", "content-length", *extra]
    assert names == sorted(expected), response.headers
    assert response.header("Content-Type") == "text/plain; charset=utf-8"
    elapsed = time.monotonic() - since if since is not None else 1.0
    retry_after = int(response.header("Retry-After"))
    assert ban - 1 - elapsed < retry_after <= ban, (retry_after, ban, elapsed)
    return retry_after


def metrics(gw) -> str:
    return requests.get(gw.admin_url("/metrics"), timeout=10).text


def cache_lookups(text: str) -> float:
    return sum(fp.sample(text, "authgate_verify_cache_total", f'result="{r}"') for r in ("hit", "miss"))


def with_status(entries, status: int) -> list:
    """The entries of one status. Lines of requests sent one after another on new connections need not be
    logged in that order: each I/O thread logs its own once its response is out."""
    return [entry for entry in entries if entry["status"] == status]


def lines_for(gw, path: str, count: int) -> list:
    """The access-log lines of `path` once there are `count` of them (written just after each response)."""
    return gw.wait_for_access_log(count, lambda e: e.get("path") == path)


def generation(gw) -> int:
    return int(requests.get(gw.admin_url("/healthz"), timeout=10).headers["X-Config-Generation"])


def wait_for_generation(gw, above: int, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while generation(gw) <= above:
        assert time.monotonic() < deadline, f"no config generation above {above} within {timeout}s"
        time.sleep(0.05)


# --- the reverse proxy --------------------------------------------------------------------------

def test_a_guessing_run_gets_max_failures_401s_then_429_without_a_hash(launcher, upstream, dear_store):
    """users.max_failures 5: five wrong passwords are verified (401 each, a bcrypt hash each, one cache
    miss each); the sixth request and every one after it is 429 with Retry-After of the ban's length, costs
    no cache lookup and no hash (auth_us a fraction of a hash), and nothing ever reaches the upstream."""
    gw = start(launcher, upstream, dear_store, users=limit(5))
    path = marker()
    before = metrics(gw)
    for n in range(5):
        sent = time.monotonic()
        assert_challenged(ask(gw.port, guess(ALICE.name, n), path))
    lines_for(gw, path, 5)  # a request is counted in /metrics before its line is logged
    verified = metrics(gw)
    for n in range(5, 10):
        assert_throttled(ask(gw.port, guess(ALICE.name, n), path), since=sent)
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password), path), since=sent)
    entries = lines_for(gw, path, 11)
    after = metrics(gw)
    refused, banned = with_status(entries, 401), with_status(entries, 429)
    assert (len(refused), len(banned)) == (5, 6)
    assert cache_lookups(verified) - cache_lookups(before) == 5  # one verification per 401
    assert cache_lookups(after) == cache_lookups(verified), "a banned request looked into the cache"
    assert all(not e["cache_hit"] for e in entries)
    slowest_429 = max(e["auth_us"] for e in banned)
    fastest_401 = min(e["auth_us"] for e in refused)
    assert slowest_429 * 10 < fastest_401, (slowest_429, fastest_401)
    assert upstream.requests == []


def test_an_empty_throttle_section_uses_the_defaults(launcher, upstream, store_files):
    """`throttle: {}`: 10 failures per name, then a 15-minute ban (Retry-After: 900)."""
    config = configs.gateway_config(upstream.url, *store_files)
    config["throttle"] = {}
    gw = launcher.serve(config)
    for n in range(10):
        assert_challenged(ask(gw.port, guess(ALICE.name, n)))
    assert_throttled(ask(gw.port, guess(ALICE.name, 10)), ban=900)


def test_the_right_password_during_a_ban_gets_the_same_429_as_a_wrong_one(launcher, upstream, store_files):
    """Nothing is learnt while banned: alice's right password — even one the verify cache holds from a
    login before the guessing began — is answered with the wrong password's 429, byte for byte. A request
    without credentials still gets its 401 challenge."""
    gw = start(launcher, upstream, store_files, users=limit(3))
    assert ask(gw.port, basic(ALICE.name, ALICE.password), "/before").status == 200  # now cached
    for n in range(3):
        assert_challenged(ask(gw.port, guess(ALICE.name, n)))
    wrong = ask(gw.port, guess(ALICE.name, 3))
    right = ask(gw.port, basic(ALICE.name, ALICE.password), "/during")
    assert_throttled(wrong)
    assert wire(right) == wire(wrong)
    assert_challenged(ask(gw.port))  # without credentials: the usual challenge, nothing to ban
    assert [r["path"] for r in upstream.requests] == ["/before"]
    assert lines_for(gw, "/during", 1)[0]["cache_hit"] is False


def test_unknown_and_known_user_names_are_throttled_alike(launcher, upstream, store_files):
    """Throttling reveals nothing about which names exist: alice (known) and mallory (unknown) each get
    exactly three 401s then 429, and the answers are the same bytes apart from Date."""
    gw = start(launcher, upstream, store_files, users=limit(3))
    answers = {}
    for name in (ALICE.name, "mallory"):
        answers[name] = [wire(ask(gw.port, guess(name, n), f"/{name}")) for n in range(5)]
    assert [a[0] for a in answers[ALICE.name]] == [401, 401, 401, 429, 429]
    assert answers[ALICE.name] == answers["mallory"]
    for name, reason in ((ALICE.name, "wrong_password"), ("mallory", "unknown_user")):
        reasons = sorted(e["reason"] for e in lines_for(gw, f"/{name}", 5))
        assert reasons == ["rate_limited"] * 2 + [reason] * 3


def test_one_address_guessing_many_names_is_banned_while_other_addresses_are_served(launcher, upstream,
                                                                                     store_files):
    """addresses.max_failures 6, users 3: 127.0.0.2 tries one password each for six names (alice among
    them) — no name reaches its limit, the address does. From 127.0.0.2 even alice's right password is then
    429 (throttled_by address); from 127.0.0.3 alice gets in and bob's wrong password is a plain 401."""
    gw = start(launcher, upstream, store_files, users=limit(3), addresses=limit(6))
    names = [ALICE.name, "admin", "root", "test", "guest", "oracle"]
    for n, name in enumerate(names):
        assert_challenged(ask(gw.port, guess(name, n), source="127.0.0.2"))
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password), "/banned", source="127.0.0.2"))
    assert ask(gw.port, basic(ALICE.name, ALICE.password), "/other", source="127.0.0.3").status == 200
    assert_challenged(ask(gw.port, guess(BOB.name, 0), source="127.0.0.3"))
    assert_throttled(ask(gw.port, basic(BOB.name, BOB.password), source="127.0.0.2"))
    entry = lines_for(gw, "/banned", 1)[0]
    assert (entry["throttled_by"], entry["user"], entry["client"].split(":")[0]) == ("address", "alice",
                                                                                     "127.0.0.2")
    assert [r["path"] for r in upstream.requests] == ["/other"]


def test_an_ipv4_client_of_an_ipv6_socket_counts_as_its_own_address(launcher, upstream, store_files):
    """A listener on an IPv6 socket sees IPv4 clients as ::ffff:a.b.c.d; each must count as its IPv4
    address, never as the one ::ffff:0:0/64 every IPv4 client falls into."""
    config = throttled(upstream, store_files, users=limit(0), addresses=limit(2))
    config["listeners"][0]["address"] = "::ffff:127.0.0.1"
    gw = launcher.serve(config)
    for n in range(2):
        assert_challenged(ask(gw.port, guess(ALICE.name, n), source="127.0.0.8"))
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password), source="127.0.0.8"))
    assert ask(gw.port, basic(ALICE.name, ALICE.password), "/next", source="127.0.0.9").status == 200
    assert lines_for(gw, "/next", 1)[0]["client"].startswith("::ffff:127.0.0.9")


def test_a_success_forgets_the_names_count_but_never_the_addresses(launcher, upstream, store_files):
    """users 3, addresses 5, all from 127.0.0.4: alice's two failures are forgotten by her success, so two
    more are still 401s; but the address keeps all four, and the fifth failure bans it — a success of one
    user must not wipe a guesser's count for the others."""
    gw = start(launcher, upstream, store_files, users=limit(3), addresses=limit(5))
    source = "127.0.0.4"
    for n in range(2):
        assert_challenged(ask(gw.port, guess(ALICE.name, n), source=source))
    assert ask(gw.port, basic(ALICE.name, ALICE.password), source=source).status == 200
    for n in range(2, 4):
        assert_challenged(ask(gw.port, guess(ALICE.name, n), source=source))
    assert_challenged(ask(gw.port, guess(BOB.name, 0), source=source))  # the address's fifth failure
    assert_throttled(ask(gw.port, basic(BOB.name, BOB.password), source=source))


def test_only_a_verified_success_forgets_the_names_count(launcher, upstream, store_files):
    """Counts move only when something is verified: alice's right password served from the verify cache
    forgets nothing, so two failures before it and one after reach the limit of 3. (A new password to
    verify would have forgotten them; see the test above.)"""
    gw = start(launcher, upstream, store_files, users=limit(3))
    assert ask(gw.port, basic(ALICE.name, ALICE.password)).status == 200  # verified, now cached
    for n in range(2):
        assert_challenged(ask(gw.port, guess(ALICE.name, n)))
    assert ask(gw.port, basic(ALICE.name, ALICE.password), "/cached").status == 200
    assert lines_for(gw, "/cached", 1)[0]["cache_hit"] is True
    assert_challenged(ask(gw.port, guess(ALICE.name, 2)))
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password)))


def test_refusals_that_are_not_guesses_are_not_counted(launcher, upstream, store_files):
    """users 2, addresses 2: no credentials (401), malformed credentials (400) and a right password on a
    route that does not allow the user (bob on /admin: 403) are no guesses; ten of each leave both counts
    at zero, and two wrong passwords afterwards still get their two 401s."""
    gw = start(launcher, upstream, store_files, users=limit(2), addresses=limit(2))
    for _ in range(10):
        assert_challenged(ask(gw.port))
        assert ask(gw.port, "Basic !!!").status == 400
        assert ask(gw.port, basic(BOB.name, BOB.password), "/admin").status == 403
    assert_challenged(ask(gw.port, guess(BOB.name, 0)))
    assert_challenged(ask(gw.port, guess(BOB.name, 1)))
    assert_throttled(ask(gw.port, basic(BOB.name, BOB.password)))


@pytest.mark.parametrize("off", ["users", "addresses"], ids=lambda off: f"max_failures 0 turns {off} off")
def test_max_failures_0_turns_that_kind_of_key_off(launcher, upstream, store_files, off):
    """With users off only the address is banned (alice still gets in from elsewhere); with addresses off
    one address may fail for many names, and only a name at its limit is banned."""
    users, addresses = (limit(0), limit(3)) if off == "users" else (limit(3), limit(0))
    gw = start(launcher, upstream, store_files, users=users, addresses=addresses)
    if off == "users":
        for n in range(3):
            assert_challenged(ask(gw.port, guess(ALICE.name, n), source="127.0.0.5"))
        assert_throttled(ask(gw.port, guess(ALICE.name, 3), source="127.0.0.5"))
        assert ask(gw.port, basic(ALICE.name, ALICE.password), source="127.0.0.6").status == 200
    else:
        for n in range(20):
            assert_challenged(ask(gw.port, guess(f"user{n}", n)))
        for n in range(3):
            assert_challenged(ask(gw.port, guess(ALICE.name, n)))
        assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password)))
        assert ask(gw.port, basic(BOB.name, BOB.password)).status == 200


def test_the_ban_ends_and_the_user_gets_in_again(launcher, upstream, store_files):
    """users 2 in a 1-minute window, 1 s bans: Retry-After: 1. A failure just after the ban ends, while the
    window that led to it is still open, bans again at once (the count is still at the limit). Once that
    ban has ended too, alice's right password gets in and forgets the count: the next ban takes two
    failures again."""
    gw = start(launcher, upstream, store_files, users=limit(2, window="1m", ban="1s"))
    for n in range(2):
        assert_challenged(ask(gw.port, guess(ALICE.name, n)))
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password)), ban=1)
    time.sleep(1.2)
    assert_challenged(ask(gw.port, guess(ALICE.name, 2)))
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password)), ban=1)
    time.sleep(1.2)
    assert ask(gw.port, basic(ALICE.name, ALICE.password)).status == 200
    assert_challenged(ask(gw.port, guess(ALICE.name, 3)))
    assert_challenged(ask(gw.port, guess(ALICE.name, 4)))
    assert_throttled(ask(gw.port, guess(ALICE.name, 5)), ban=1)


def sighup(gw, config: dict):
    gw.rewrite_config(yaml_text.dump(config))
    gw.process.send_signal(signal.SIGHUP)


def renamed(config: dict, realm: str) -> dict:
    return {**config, "realms": {"staff": {**config["realms"]["staff"], "realm": realm}}}


@pytest.mark.parametrize("trigger", [sighup, lambda gw, c: gw.rewrite_config(yaml_text.dump(c))],
                         ids=["after SIGHUP", "after an in-place edit"])
def test_counts_and_bans_survive_a_reload(launcher, upstream, store_files, trigger):
    """users 3: two failures, a reload (another realm string), one failure → banned: the count survived.
    Then a reload that raises the limit to 5 while the ban is in force: still 429 with the ban's own time
    left (a reload neither lifts nor restarts a ban); bob, with two failures before, gets three more 401s
    under the new limit."""
    config = throttled(upstream, store_files, users=limit(3))
    gw = launcher.serve(config)
    for n in range(2):
        assert_challenged(ask(gw.port, guess(ALICE.name, n)))
        assert_challenged(ask(gw.port, guess(BOB.name, n)))
    sent = time.monotonic()
    config = renamed(config, "Reloaded area")
    was = generation(gw)
    trigger(gw, config)
    wait_for_generation(gw, was)
    reloaded = 'Basic realm="Reloaded area", charset="UTF-8"'
    assert_challenged(ask(gw.port, guess(ALICE.name, 2)), [reloaded])
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password)), since=sent)
    time.sleep(1.1)  # so that a restarted ban would show a longer Retry-After than the running one
    config = {**config, "throttle": {**config["throttle"], "users": limit(5)}}
    was = generation(gw)
    trigger(gw, config)
    wait_for_generation(gw, was)
    assert assert_throttled(ask(gw.port, guess(ALICE.name, 3)), since=sent) < BAN
    for n in range(2, 5):
        assert_challenged(ask(gw.port, guess(BOB.name, n)), [reloaded])
    assert_throttled(ask(gw.port, basic(BOB.name, BOB.password)))


def test_a_throttled_request_is_logged_and_counted(launcher, upstream, store_files):
    """The 401s before a ban log no user (people type passwords into the user field); a 429 logs the
    claimed name (UTF-8 intact), reason rate_limited and throttled_by — "user" or "address" — and is
    counted in authgate_throttled_total{by}, authgate_auth_outcomes_total{reason="rate_limited"} and
    authgate_requests_total{route, code="429"}."""
    gw = start(launcher, upstream, store_files, users=limit(2), addresses=limit(5))
    before = metrics(gw)
    for n in range(2):
        assert_challenged(ask(gw.port, guess(JURGEN.name, n), "/by-user"))
    assert_throttled(ask(gw.port, basic(JURGEN.name, JURGEN.password), "/by-user"))
    for n in range(3):
        assert_challenged(ask(gw.port, guess(f"name{n}", n), "/by-address"))
    assert_throttled(ask(gw.port, basic(BOB.name, BOB.password), "/by-address"))
    by_user = lines_for(gw, "/by-user", 3)
    by_address = lines_for(gw, "/by-address", 4)
    assert [(e["user"], e["reason"]) for e in with_status(by_user, 401)] == [(None, "wrong_password")] * 2
    assert all("throttled_by" not in e for e in with_status(by_user + by_address, 401))
    assert [(e["user"], e["reason"]) for e in with_status(by_address, 401)] == [(None, "unknown_user")] * 3
    for entries, user, by in ((by_user, JURGEN.name, "user"), (by_address, BOB.name, "address")):
        [entry] = with_status(entries, 429)
        assert (entry["status"], entry["reason"], entry["user"], entry["throttled_by"]) == (
            429, "rate_limited", user, by)
        assert (entry["scheme"], entry["cache_hit"], entry["route"]) == (None, False, "app")
    after = metrics(gw)
    delta = lambda *s: fp.sample(after, *s) - fp.sample(before, *s)
    assert delta("authgate_throttled_total", 'by="user"') == 1
    assert delta("authgate_throttled_total", 'by="address"') == 1
    assert delta("authgate_auth_outcomes_total", 'reason="rate_limited"') == 2
    assert delta("authgate_requests_total", 'route="app",code="429"') == 2
    assert delta("authgate_auth_outcomes_total", 'reason="wrong_password"') == 2


def test_bearer_guesses_count_against_the_address_only(launcher, upstream, store_files, tmp_path):
    """A token names no user: three tokens signed with the wrong key ban the address (addresses 3), after
    which even a good token from it is 429; an expired token is no guess and is not counted."""
    config = throttled(upstream, store_files, users=limit(1), addresses=limit(3))
    key = tokens.hmac_key_file(tmp_path / "hs.secret")
    config["realms"]["api"] = configs.hmac_bearer_realm(tmp_path / "hs.secret", "API")
    config["routes"].insert(0, configs.route("api", "/api", {"realms": ["api"]}))
    gw = launcher.serve(config)
    good = "Bearer " + tokens.mint_pyjwt(key, "HS256", tokens.claims(sub="svc"))
    expired = "Bearer " + tokens.mint_pyjwt(key, "HS256", tokens.claims(sub="svc", iat=1, exp=2))
    assert ask(gw.port, good, "/api/ok").status == 200
    for _ in range(5):
        assert ask(gw.port, expired, "/api/expired").status == 401
    for n in range(3):
        forged = tokens.mint_pyjwt(tokens.new_key("oct", key.kid), "HS256", tokens.claims(sub=f"svc{n}"))
        assert ask(gw.port, "Bearer " + forged, "/api/forged").status == 401
    assert_throttled(ask(gw.port, good, "/api/banned"))
    entry = lines_for(gw, "/api/banned", 1)[0]
    assert (entry["throttled_by"], entry["user"]) == ("address", None)
    assert ask(gw.port, good, "/api/elsewhere", source="127.0.0.7").status == 200


@pytest.mark.parametrize("per_realm", [False, True], ids=["names count across realms",
                                                           "per_realm counts a name in each realm apart"])
def test_per_realm(launcher, upstream, store_files, tmp_path, per_realm):
    """alice is in two Basic realms (two routes): three failures in `staff` ban her name in `other` too,
    unless per_realm."""
    config = throttled(upstream, store_files, users=limit(3), per_realm=per_realm)
    other = passwords.write_htpasswd(tmp_path / "other.htpasswd",
                                     [passwords.htpasswd_line(ALICE.name, "other-secret", "B -C 4")])
    config["stores"]["other"] = {"type": "htpasswd", "path": str(other)}
    config["realms"]["other"] = {"scheme": "basic", "realm": "Other area", "store": "other"}
    config["routes"].insert(0, configs.route("other", "/other", {"realms": ["other"]}))
    gw = launcher.serve(config)
    for n in range(3):
        assert_challenged(ask(gw.port, guess(ALICE.name, n)))
    assert_throttled(ask(gw.port, basic(ALICE.name, ALICE.password)))
    answer = ask(gw.port, basic(ALICE.name, "other-secret"), "/other")
    if per_realm:
        assert answer.status == 200
    else:
        assert_throttled(answer)


def test_guesses_sent_at_once_are_cut_at_the_limit_too(launcher, upstream, dear_store):
    """users 3: thirty wrong passwords for alice sent at the same moment on thirty connections. The
    guesser must get no more verified guesses by sending them together than one after another: at most
    three 401s, the rest 429."""
    gw = start(launcher, upstream, dear_store, users=limit(3))
    statuses, go = [], threading.Barrier(30)

    def one(n):
        with RawConnection(gw.port) as conn:
            go.wait(timeout=15)
            conn.send(request_bytes("GET", "/", [("Authorization", guess(ALICE.name, n))]))
            statuses.append(conn.read_response().status)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 30, statuses  # every one answered
    assert statuses.count(401) <= 3, f"{statuses.count(401)} guesses verified, the limit is 3"


# --- Digest ------------------------------------------------------------------------------------

def test_wrong_digest_responses_ban_the_username(launcher, upstream, store_files, tmp_path):
    """RFC 7616 usernames count like Basic user-ids: three wrong responses (each to a fresh nonce) for
    alice, then 429 — also for the right response — logged with her name. Answers to a nonce the realm
    never issued (bad_nonce) are no guesses and count nothing."""
    config = throttled(upstream, store_files, users=limit(3))
    store = digest.write_lines(tmp_path / "users.htdigest",
                               [digest.ha1_line(ALICE.name, DIGEST_REALM, ALICE.password)])
    config["stores"]["dig"] = {"type": "htdigest", "path": str(store)}
    config["realms"]["dig"] = {"scheme": "digest", "realm": DIGEST_REALM, "store": "dig"}
    config["routes"].insert(0, configs.route("digest", "/digest", {"realms": ["dig"]}))
    gw = launcher.serve(config)
    forged = digest.fetch_challenge(gw.port, "/digest")
    forged.params = [(k, "bm90LWEtbm9uY2U" if k == "nonce" else v) for k, v in forged.params]
    for n in range(5):  # bad_nonce: a nonce the realm never issued is no password guess
        wrong = digest.answer(forged, ALICE.name, f"wrong-{n}", uri="/digest")
        assert digest.send(gw.port, "GET", "/digest", wrong.header()).status == 401
    for n in range(3):
        challenge = digest.fetch_challenge(gw.port, "/digest")
        wrong = digest.answer(challenge, ALICE.name, f"wrong-{n}", uri="/digest")
        assert digest.send(gw.port, "GET", "/digest", wrong.header()).status == 401
    right = digest.answer(digest.fetch_challenge(gw.port, "/digest"), ALICE.name, ALICE.password,
                          uri="/digest/banned")
    assert_throttled(digest.send(gw.port, "GET", "/digest/banned", right.header()))
    entry = lines_for(gw, "/digest/banned", 1)[0]
    assert (entry["user"], entry["throttled_by"], entry["reason"]) == (ALICE.name, "user", "rate_limited")
    answered = gw.wait_for_access_log(9, lambda e: e.get("reason") not in ("no_credentials", None)
                                      and e.get("route") == "digest")  # not the challenges fetched
    reasons = sorted(e["reason"] for e in answered)
    assert reasons == ["bad_nonce"] * 5 + ["rate_limited"] + ["wrong_password"] * 3
    assert upstream.requests == []


# --- forward auth -------------------------------------------------------------------------------

def decision_listener(name: str, style: str, **options) -> dict:
    return {"name": name, "address": "127.0.0.1", "port": free_port(),
            "forward_auth": {"original_request": style, **options}}


@pytest.fixture
def deciding(launcher, store_files):
    """Decision listeners only (no upstream): `authz` (x-forwarded) and `nginx` (x-original, nginx_compat),
    one route `/` for any staff user; users 3, addresses 4, IPv6 counted per /64."""
    htpasswd, groups = store_files
    config = {
        "server": {"io_threads": 2, "worker_threads": 2, "shutdown_grace": "2s"},
        "listeners": [decision_listener("authz", "x-forwarded"),
                      decision_listener("nginx", "x-original", nginx_compat=True)],
        "stores": {"staff": {"type": "htpasswd", "path": str(htpasswd), "groups": str(groups)}},
        "realms": {"staff": {"scheme": "basic", "realm": configs.REALM, "store": "staff"}},
        "routes": [{"name": "private", "match": {"path": "/"}, "auth": configs.staff()}],
        "throttle": {"users": limit(3), "addresses": limit(4), "ipv6_prefix": 64},
        "access_log": {"enabled": True, "path": "-"},
    }
    gw = launcher.serve(config, name="deciding.yaml")
    gw.authz, gw.nginx = (entry["port"] for entry in config["listeners"])
    return gw


def traefik(auth: str, client: str = "192.0.2.10", uri: str = "/app") -> list:
    """What Traefik's ForwardAuth sends: the client's Authorization, then X-Forwarded-* naming the client."""
    return [("Authorization", auth), ("X-Forwarded-For", client), ("X-Forwarded-Host", "app.example"),
            ("X-Forwarded-Method", "GET"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Uri", uri)]


def nginx(auth: str, uri: str = "/app") -> list:
    """What the nginx_compat recipe's auth_request subrequest sends."""
    return [("X-Original-URL", f"http://app.example{uri}"), ("X-Original-Method", "GET"),
            ("Authorization", auth)]


def test_a_forward_auth_decision_is_429_with_retry_after(deciding):
    """Three wrong passwords for alice through the x-forwarded listener: 401 each, then the decision is
    429 + Retry-After — what Traefik and Caddy pass on to the client as it is."""
    for n in range(3):
        assert_challenged(ask(deciding.authz, fields=traefik(guess(ALICE.name, n))))
    sent = time.monotonic()
    assert_throttled(ask(deciding.authz, fields=traefik(basic(ALICE.name, ALICE.password), uri="/banned")),
                     since=sent)
    entry = deciding.wait_for_access_log(1, lambda e: e.get("path") == "/banned")[0]
    assert (entry["status"], entry["user"], entry["throttled_by"], entry["forwarded_for"]) == (
        429, ALICE.name, "user", "192.0.2.10")


def test_nginx_compat_sends_the_429_as_403_with_x_authgate_status(deciding):
    """nginx auth_request passes on only 401 and 403: the ban is sent as 403 + X-Authgate-Status: 429 +
    Retry-After (the recipe in docs/forward-auth.md maps it back), with no-store as on every 403, and
    logged with its real status. The name's count is one for both listeners."""
    for n in range(2):
        response = ask(deciding.nginx, fields=nginx(guess(ALICE.name, n)))
        assert (response.status, response.header("X-Authgate-Status")) == (401, "401")
    assert ask(deciding.authz, fields=traefik(guess(ALICE.name, 2))).status == 401
    response = ask(deciding.nginx, fields=nginx(basic(ALICE.name, ALICE.password), uri="/compat"))
    assert_throttled(response, status=403, extra=("x-authgate-status", "cache-control"))
    assert (response.header("X-Authgate-Status"), response.header("Cache-Control")) == ("429", "no-store")
    entry = deciding.wait_for_access_log(1, lambda e: e.get("path") == "/compat")[0]
    assert (entry["status"], entry["reason"], entry["throttled_by"]) == (429, "rate_limited", "user")


def test_forward_auth_counts_the_client_its_front_proxy_names(deciding):
    """Every decision request comes from the front proxy's socket (127.0.0.1); the address counted is the
    X-Forwarded-For client. 192.0.2.10 guessing four names is banned; 192.0.2.11 is served. IPv6 clients
    count per /64: 2001:db8::1 … ::4 are one network and banned together, 2001:db8:0:1::1 is another."""
    for n, name in enumerate(["root", "admin", "test", "guest"]):
        assert_challenged(ask(deciding.authz, fields=traefik(guess(name, n), client="192.0.2.10")))
    bob = basic(BOB.name, BOB.password)
    assert_throttled(ask(deciding.authz, fields=traefik(bob, client="192.0.2.10")))
    assert ask(deciding.authz, fields=traefik(bob, client="192.0.2.11")).status == 200
    for n, name in enumerate(["oracle", "pi", "ubnt", "support"]):
        client = f"2001:db8::{n + 1}"
        assert_challenged(ask(deciding.authz, fields=traefik(guess(name, n), client=client)))
    for client in ("2001:db8::ffff", "2001:db8:0:0:ffff:ffff:ffff:ffff"):
        assert_throttled(ask(deciding.authz, fields=traefik(bob, client=client)))
    assert ask(deciding.authz, fields=traefik(bob, client="2001:db8:0:1::1")).status == 200


# --- the forward proxy --------------------------------------------------------------------------

def test_the_forward_proxy_answers_429_after_wrong_proxy_authorization_guesses(launcher, upstream,
                                                                               store_files):
    """A forward-proxy listener (Basic realm `proxy`): three wrong Proxy-Authorization guesses get 407 with
    Proxy-Authenticate, then 429 + Retry-After without any challenge — also for the right password — and
    the origin sees nothing."""
    config = throttled(upstream, store_files, users=limit(3))
    config["realms"]["proxy"] = {"scheme": "basic", "realm": "Proxy area", "store": "staff"}
    rules = [{"hosts": ["127.0.0.1"], "ports": [str(upstream.port)]}]
    config["listeners"].append(fp.listener("proxy", ["proxy"], rules, allow_internal=["127.0.0.1"]))
    gw = launcher.serve(config)
    proxy = gw.extra_ports[0]
    target, host = f"{upstream.url}/through", [("Host", f"127.0.0.1:{upstream.port}")]
    for n in range(3):
        response = ask(proxy, guess(ALICE.name, n), target, fields=host, field="Proxy-Authorization")
        assert response.status == 407
        assert response.headers_named("Proxy-Authenticate") == ['Basic realm="Proxy area", charset="UTF-8"']
    response = ask(proxy, basic(ALICE.name, ALICE.password), target, fields=host, field="Proxy-Authorization")
    assert_throttled(response)
    assert response.headers_named("Proxy-Authenticate") == []
    entry = gw.wait_for_access_log(1, lambda e: e.get("status") == 429)[0]
    assert (entry["route"], entry["user"], entry["throttled_by"]) == ("proxy", ALICE.name, "user")
    assert upstream.requests == []


# --- authgate check -----------------------------------------------------------------------------

# (id, the throttle block's lines, the key whose line the error must point at)
BAD_BLOCKS = [
    ("an IPv6 prefix shorter than /32", ["  ipv6_prefix: 16"], "ipv6_prefix"),
    ("an IPv6 prefix longer than /128", ["  ipv6_prefix: 129"], "ipv6_prefix"),
    ("a window of 0", ["  users:", "    window: 0"], "window"),
    ("a ban longer than a week", ["  addresses:", "    ban: 200h"], "ban"),
    ("a negative max_failures", ["  users:", "    max_failures: -1"], "max_failures"),
    ("a misspelt key", ["  users:", "    max_failure: 5"], "max_failure"),
    ("per_realm as yes", ["  per_realm: yes"], "per_realm"),
]


@pytest.mark.parametrize("block, key", [b[1:] for b in BAD_BLOCKS],
                         ids=[f"check refuses {b[0]} at file:line" for b in BAD_BLOCKS])
def test_check_refuses_a_bad_throttle_block_at_its_line(tmp_path, upstream, store_files, block, key):
    head = yaml_text.dump(configs.gateway_config(upstream.url, *store_files)).rstrip("\n").splitlines()
    path = tmp_path / "authgate.yaml"
    path.write_text("\n".join([*head, "throttle:", *block]) + "\n")
    line = len(head) + 1 + next(i for i, text in enumerate(block, 1) if text.strip().startswith(key + ":"))
    result = run_cli(["check", "--config", path])
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(re.escape(f"{path}:{line}:") + r"\d+: throttle\.", output), output
