"""Shared state across gateway instances (issue 16, docs/operations.md "Running several instances"): two
`authgate serve` processes with one config and one real redis-server (Debian's, on a free loopback port, no
persistence), started and stopped here.

Failures counted on instance A throttle the same user name, and the same client address, on instance B
(429 there); a Digest header accepted by A and replayed to B is refused, while the next nonce count is
fresh on B. With Redis paused or killed no request waits much beyond `state.redis.timeout`, throttling
fails open (a wrong password is a 401, the right one gets in), Digest fails closed (503), /readyz answers
503 and authgate_state_store_up is 0; once Redis is back both work again and /readyz answers 200."""
import signal
import socket
import time
import uuid

import pytest
import requests

from harness import configs, digest, passwords
from harness.digest import DigestUser
from harness.fixtures import basic
from harness.raw_http import RawConnection
from harness.redis_server import redis  # noqa: F401  (a fixture)

TIMEOUT_MS = 300
DIGEST_REALM = "Digest area"
ALICE = DigestUser("alice", passwords.ALICE.password, ("admins", "staff"))
USER_LIMIT, ADDRESS_LIMIT = 3, 4


def instance_config(upstream, workdir, redis_port: int) -> dict:
    """The default config (fresh ports) + throttling, a Digest route /digest, and `state.redis`."""
    config = configs.gateway_config(upstream.url, workdir / "users.htpasswd", workdir / "groups.txt")
    store = workdir / "users.htdigest"
    config["stores"]["dig"] = {"type": "htdigest", "path": str(store)}
    config["realms"]["dig"] = {"scheme": "digest", "realm": DIGEST_REALM, "store": "dig",
                               "digest": {"algorithms": ["SHA-256"],
                                          "nonce_secret_file": str(workdir / "nonce.secret")}}
    config["routes"].insert(0, configs.route("digest", "/digest", {"realms": ["dig"]}))
    limit = {"window": "1m", "ban": "30s"}
    config["throttle"] = {"users": {"max_failures": USER_LIMIT, **limit},
                          "addresses": {"max_failures": ADDRESS_LIMIT, **limit}}
    config["state"] = {"redis": {"url": f"redis://127.0.0.1:{redis_port}/0", "timeout": f"{TIMEOUT_MS}ms",
                                 "key_prefix": f"t{uuid.uuid4().hex[:8]}:"}}
    return config


@pytest.fixture(scope="module")
def pair(module_launcher, module_upstream, tmp_path_factory, redis):
    """Instances A and B: the same stores, nonce secret, throttle and Redis (configs differ in ports only)."""
    workdir = tmp_path_factory.mktemp("shared")
    passwords.write_default_store(workdir)
    digest.write_lines(workdir / "users.htdigest", [digest.ha1_line(ALICE.name, DIGEST_REALM, ALICE.password)])
    (workdir / "nonce.secret").write_text(uuid.uuid4().hex + uuid.uuid4().hex + "\n")
    first = instance_config(module_upstream, workdir, redis.port)
    second = instance_config(module_upstream, workdir, redis.port)
    second["state"]["redis"]["key_prefix"] = first["state"]["redis"]["key_prefix"]
    a = module_launcher.serve(first, name="a.yaml")
    b = module_launcher.serve(second, name="b.yaml")
    wait_ready(a), wait_ready(b)
    return a, b


# --- requests ----------------------------------------------------------------------------------------

class SourceConnection(RawConnection):
    """A RawConnection from the local address `source` (any 127/8 address is ours on Linux)."""

    def __init__(self, port: int, source: str, timeout: float = 15.0):
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        self.buffer = bytearray()


def ask(gateway, auth: str = None, source: str = "127.0.0.1", path: str = "/"):
    headers = [("Authorization", auth)] if auth is not None else []
    with SourceConnection(gateway.port, source) as conn:
        return conn.request("GET", path, headers)


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def settle():
    """Failures are counted after the answer went out (two round trips to Redis for the one that bans): give
    the last count time to land before asking the other instance."""
    time.sleep(0.2)


def wrong(user: str) -> str:
    return basic(user, "wrong-" + uuid.uuid4().hex[:8])


def readyz(gateway):
    return requests.get(gateway.admin_url("/readyz"), timeout=10)


def wait_ready(gateway, status: int = 200, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while (response := readyz(gateway)).status_code != status:
        assert time.monotonic() < deadline, (response.status_code, response.text)
        time.sleep(0.05)
    return response


def store_up(gateway) -> str:
    text = requests.get(gateway.admin_url("/metrics"), timeout=10).text
    return next(line for line in text.splitlines() if line.startswith("authgate_state_store_up "))


def digest_answer(gateway, nc: int = 1, nonce_from=None):
    challenge = digest.fetch_challenge((nonce_from or gateway).port, "/digest")
    return digest.answer(challenge, ALICE.name, ALICE.password, uri="/digest", nc=nc)


# --- sharing -----------------------------------------------------------------------------------------

def test_failures_of_a_user_name_on_a_throttle_it_on_b(pair):
    a, b = pair
    user = "guess-" + uuid.uuid4().hex[:6]
    for _ in range(USER_LIMIT):
        assert ask(a, wrong(user), source="127.0.1.1").status == 401
    settle()
    banned = ask(b, wrong(user), source="127.0.1.2")  # another address: the name is what is banned
    assert banned.status == 429, banned.headers
    assert 0 < int(banned.header("Retry-After")) <= 30
    assert ask(b, basic("bob", passwords.BOB.password), source="127.0.1.2").status == 200, "others pass"


def test_failures_from_an_address_on_a_throttle_it_on_b(pair):
    a, b = pair
    for n in range(ADDRESS_LIMIT):
        assert ask(a, wrong(f"name-{n}-{uuid.uuid4().hex[:6]}"), source="127.0.2.1").status == 401
    settle()
    assert ask(b, wrong("yet-another-" + uuid.uuid4().hex[:6]), source="127.0.2.1").status == 429
    # Banned before anything is verified: even the right password is refused from there.
    assert ask(b, basic("bob", passwords.BOB.password), source="127.0.2.1").status == 429
    assert ask(b, basic("bob", passwords.BOB.password), source="127.0.2.2").status == 200


def test_a_digest_header_accepted_on_a_is_refused_when_replayed_on_b(pair):
    a, b = pair
    first = digest_answer(a)
    assert digest.send(a.port, "GET", "/digest", first.header()).status == 200
    replayed = digest.send(b.port, "GET", "/digest", first.header())
    assert replayed.status == 401, "B knows the nonce count A recorded"
    assert "stale=true" in replayed.header("WWW-Authenticate")
    # The same nonce with the next count is fresh on B: the nonce itself is known there.
    challenge = digest.fetch_challenge(a.port, "/digest")
    next_answer = digest.answer(challenge, ALICE.name, ALICE.password, uri="/digest", nc=1)
    assert digest.send(a.port, "GET", "/digest", next_answer.header()).status == 200
    second = digest.answer(challenge, ALICE.name, ALICE.password, uri="/digest", nc=2)
    assert digest.send(b.port, "GET", "/digest", second.header()).status == 200


def test_readyz_and_the_gauge_say_the_store_is_up(pair):
    a, _ = pair
    response = readyz(a)
    assert (response.status_code, response.text) == (200, "ready\n")
    assert store_up(a) == "authgate_state_store_up 1"


# --- outages -----------------------------------------------------------------------------------------

def assert_degraded(gateway, source: str):
    """Throttling fails open, Digest fails closed, and nothing waits much beyond the timeout."""
    limit_s = TIMEOUT_MS / 1000 * 2 + 1.0  # ban check + count, plus a bcrypt hash and slack
    refused, took = timed(lambda: ask(gateway, wrong("outage-" + uuid.uuid4().hex[:6]), source=source))
    assert (refused.status, took < limit_s) == (401, True), (refused.status, took)
    allowed, took = timed(lambda: ask(gateway, basic("bob", passwords.BOB.password), source=source))
    assert (allowed.status, took < limit_s) == (200, True), (allowed.status, took)
    answer = digest_answer(gateway)
    closed, took = timed(lambda: digest.send(gateway.port, "GET", "/digest", answer.header()))
    assert (closed.status, took < limit_s) == (503, True), (closed.status, took)
    gateway.wait_for_access_log(1, lambda entry: entry.get("reason") == "store_unavailable")
    gateway.process.wait_for_stderr(r"throttling fails open")


def test_a_paused_redis_costs_a_request_at_most_the_timeout(pair, redis):
    a, _ = pair
    redis.signal(signal.SIGSTOP)
    try:
        assert_degraded(a, "127.0.3.1")
    finally:
        redis.signal(signal.SIGCONT)
    wait_ready(a)


def test_with_redis_killed_throttling_fails_open_digest_closed_and_it_recovers(pair, redis):
    a, b = pair
    redis.kill()
    try:
        body = wait_ready(a, status=503).text
        assert body.startswith("not ready: state store redis "), body
        assert store_up(a) == "authgate_state_store_up 0"
        assert_degraded(a, "127.0.4.1")
        assert_degraded(b, "127.0.4.2")
    finally:
        redis.start()
    wait_ready(a), wait_ready(b)
    assert store_up(b) == "authgate_state_store_up 1"
    # State works again: counts shared, replays refused.
    test_failures_of_a_user_name_on_a_throttle_it_on_b(pair)
    test_a_digest_header_accepted_on_a_is_refused_when_replayed_on_b(pair)
