"""Waiting is explicit, and hashing never waits behind I/O (issue 12 §2): a stalled identity provider
holds no password-hashing thread. The fake IdP (harness/idp.py) accepts the introspection or JWKS request
and does not answer for seconds; meanwhile a flood of opaque tokens, or of tokens naming unknown kids,
waits on the gateway's I/O threads, and Basic logins against bcrypt cost-10 hashes, with two hashing
workers and the credential cache off (every login hashes), keep getting 200 quickly, never 503.

Every opaque token is answered 503 once the introspection `timeout` (2 s) is up, well before the stall
(4 s) ends: broken machinery is the server's problem, never a 401. A token naming an unknown kid waits
for the refetch it triggers at most `refetch_wait`, then is refused with the keys in force; when the
refetch brings the key within `refetch_wait`, the token's first request succeeds."""
import contextlib
import json
import statistics
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
import requests

from harness import configs, passwords, tokens
from harness.idp import IdentityProvider

ALG = "ES256"
STALL = 4.0                # seconds the IdP holds each stalled request
INTROSPECTION_TIMEOUT = 2  # the realm's `timeout`: every stalled call ends here, well before the stall
FLOOD = 200                # concurrent opaque tokens, all different (no single-flight, no cache)
BASIC_CLIENTS = 4          # Basic users logging in in a loop, with 2 hashing workers
BASIC_LIMIT = 2.0          # seconds a Basic login may take while the IdP stalls
USERS = [passwords.User(f"user{i}", f"secret-{i}-Pw") for i in range(BASIC_CLIENTS)]
UNKNOWN_KEY = 'Bearer realm="Remote", error="invalid_token", error_description="The token signing key is unknown"'


@dataclass
class Answer:
    status: int
    seconds: float
    challenge: str
    started: float  # time.monotonic() when the request was sent
    body: bytes = b""


@pytest.fixture(scope="module")
def bcrypt_store(tmp_path_factory):
    """users.htpasswd with bcrypt cost 10 (`htpasswd -B -C 10`, ~50 ms a verification) and groups.txt."""
    directory = tmp_path_factory.mktemp("bcrypt10")
    lines = [passwords.htpasswd_line(u.name, u.password, "B -C 10") for u in USERS]
    return (passwords.write_htpasswd(directory / "users.htpasswd", lines),
            passwords.write_groups(directory / "groups.txt", USERS))


@pytest.fixture(scope="module")
def keys():
    return {kid: tokens.new_key("P-256", kid) for kid in ("k1", "k2")}


@pytest.fixture
def idp():
    """The fake IdP; tests ask for it before `launcher`, so it stops after the gateway."""
    server = IdentityProvider().start()  # plain http: the gateway allows it to a loopback address
    yield server
    server.state.update({"introspection_delay": 0, "jwks_delay": 0})  # release any stalled handler
    server.stop()


def publish(idp, keys, *kids):
    idp.state.update({"jwks": {"keys": [keys[kid].public_jwk() for kid in kids]}})


def waiting_config(upstream, bcrypt_store, idp, tmp_path, refetch_wait="1s", jwks_timeout="2s") -> dict:
    """Two I/O threads, two hashing workers, no credential cache (every Basic login hashes); the staff
    realm at / (bcrypt cost 10), an introspection realm at /opaque, a remote-JWKS realm at /jwt."""
    config = configs.gateway_config(upstream.url, *bcrypt_store)
    config["server"].update({"io_threads": 2, "worker_threads": 2})
    config["cache"] = {"ttl": "0s"}
    # 200 clients connect from one address at once: that address's limits are not what is tested here.
    config["limits"].update({"max_connections_per_address": 0, "max_pending_heads_per_address": 0})
    secret = tmp_path / "client.secret"
    secret.write_text("s3cret\n")
    jwks = {"url": idp.url + "/jwks", "min_refresh_interval": "1s", "refresh_interval": "10m",
            "timeout": jwks_timeout, "refetch_wait": refetch_wait}
    config["realms"].update({
        "opaque": configs.introspection_realm(idp.url + "/introspect", secret, "Opaque"),
        "remote": {"scheme": "bearer", "realm": "Remote", "jwks": jwks, "algorithms": [ALG],
                   "issuer": tokens.ISSUER, "audiences": [tokens.AUDIENCE]},
    })
    # Every token of the flood is a call awaited on an I/O thread (max_in_flight, default 64, would
    # answer the rest 503 at once without calling).
    config["realms"]["opaque"]["introspection"].update({"timeout": f"{INTROSPECTION_TIMEOUT}s",
                                                        "max_in_flight": FLOOD})
    route = configs.route
    config["routes"] = [route("opaque", "/opaque", {"realms": ["opaque"]}),
                        route("jwt", "/jwt", {"realms": ["remote"]}),
                        route("public", "/public", "anonymous"),
                        route("app", "/", configs.staff())]
    return config


def jwt(key, **claims) -> str:
    return tokens.mint_pyjwt(key, ALG, tokens.claims(jti=str(uuid.uuid4()), **claims))


def timed(session, url, headers=None, auth=None) -> Answer:
    started = time.monotonic()
    response = session.get(url, headers=headers or {}, auth=auth, timeout=30)
    return Answer(response.status_code, time.monotonic() - started, response.headers.get("WWW-Authenticate"),
                  started, response.content)


@contextlib.contextmanager
def looping(gw, path, auth_of=lambda i: None, clients=1, pause=0.0):
    """`clients` threads GET `path` in a loop on keep-alive sessions (client i with `auth_of(i)` as
    requests' `auth`, `pause` seconds between requests) until the block ends; yields the list of
    Answers, appended as they come."""
    answers = []
    stop = threading.Event()

    def client(i):
        with requests.Session() as session:
            while not stop.is_set():
                answers.append(timed(session, gw.url(path), auth=auth_of(i)))
                stop.wait(pause)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for worker in workers:
        worker.start()
    try:
        yield answers
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)


def burst(gw, path, bearers) -> list:
    """One thread per token, released together; each sends one GET `path` with its Bearer token on a
    connection of its own. The Answers, in the order of `bearers`."""
    answers = [None] * len(bearers)
    gate = threading.Barrier(len(bearers))

    def client(i):
        with requests.Session() as session:
            gate.wait(30)
            answers[i] = timed(session, gw.url(path), headers={"Authorization": f"Bearer {bearers[i]}"})

    workers = [threading.Thread(target=client, args=(i,)) for i in range(len(bearers))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert all(answers), "every client got an answer"
    return answers


def basic_logins(gw):
    return looping(gw, "/", auth_of=lambda i: (USERS[i].name, USERS[i].password), clients=BASIC_CLIENTS)


def summary(name, answers) -> str:
    seconds = sorted(a.seconds for a in answers)
    return (f"{name}: n={len(answers)} min={seconds[0]:.3f}s median={statistics.median(seconds):.3f}s "
            f"p95={seconds[int(len(seconds) * 0.95) - 1 if len(seconds) > 1 else 0]:.3f}s "
            f"max={seconds[-1]:.3f}s statuses={sorted({a.status for a in answers})}")


def check_basic(answers, window):
    """Every Basic login got 200 within BASIC_LIMIT, and some of them were sent inside `window`."""
    before = [a for a in answers if a.started < window[0]]
    if before:
        print(summary("basic before the tokens came", before))
    print(summary("basic", answers))
    assert [a.status for a in answers if a.status != 200] == [], "no Basic login fails while the IdP stalls"
    slow = [round(a.seconds, 3) for a in answers if a.seconds >= BASIC_LIMIT]
    assert slow == [], f"Basic logins took {slow} s"
    during = [a for a in answers if window[0] <= a.started <= window[1]]
    print(summary("basic sent while the tokens waited", during))
    assert len(during) >= 10, f"only {len(during)} Basic logins were sent while the tokens waited"


def forwarded(answer, name):
    """The value of field `name` in the request the echo upstream received (its answer's body)."""
    fields = {field.lower(): value for field, value in json.loads(answer.body)["headers"]}
    return fields.get(name)


def wait_until(gw, path, make_token, status=200, timeout=15.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        code = requests.get(gw.url(path), headers={"Authorization": f"Bearer {make_token()}"}, timeout=30).status_code
        if code == status or time.monotonic() > deadline:
            return code
        time.sleep(0.05)


def test_stalled_introspection_costs_basic_logins_nothing(idp, launcher, upstream, bcrypt_store, keys, tmp_path):
    publish(idp, keys, "k1")
    idp.state.update({"introspection": {f"tok-{i}": {"active": True, "sub": f"opaque-{i}"} for i in range(FLOOD)},
                      "introspection_delay": STALL})
    gw = launcher.serve(waiting_config(upstream, bcrypt_store, idp, tmp_path))
    with requests.Session() as session:
        warm = timed(session, gw.url("/"), auth=(USERS[0].name, USERS[0].password))
    assert warm.status == 200
    with basic_logins(gw) as basic, looping(gw, "/public", pause=0.02) as public:
        time.sleep(0.3)  # the Basic users are logging in before the flood comes
        start = time.monotonic()
        opaque = burst(gw, "/opaque", [f"tok-{i}" for i in range(FLOOD)])
        flooded = time.monotonic()
        # Basic users go on logging in until every stalled call has ended at the IdP too.
        time.sleep(max(0.0, start + STALL + 0.3 - time.monotonic()))
    print(summary("opaque", opaque))
    print(summary("public", public))
    reached = idp.count("/introspect")
    print(f"flood sent and answered in {flooded - start:.3f}s; {reached} introspection calls reached the IdP")

    # Every opaque token: 503 with no challenge (the endpoint's silence is no verdict on the token),
    # answered at the realm's timeout, not when the stall ends (nor held by anything else).
    assert [a.status for a in opaque] == [503] * FLOOD
    assert [a.challenge for a in opaque] == [None] * FLOOD
    off = [round(a.seconds, 3) for a in opaque
           if not INTROSPECTION_TIMEOUT - 0.1 <= a.seconds < INTROSPECTION_TIMEOUT + 1.0]
    assert off == [], "every token waited for its call, which ended at the realm's timeout"
    assert reached == FLOOD, "every token was a call of its own, all awaited at once"
    entries = gw.wait_for_access_log(FLOOD, lambda e: e.get("route") == "opaque")
    assert {(e["status"], e.get("reason")) for e in entries} == {(503, "introspection_unavailable")}

    check_basic(basic, (start, flooded))
    assert public and {a.status for a in public} == {200}
    assert max(a.seconds for a in public) < 1.0, "the gateway stays responsive"

    # The stall over, answers are each token's own: no late answer of a timed-out call is read as another's.
    idp.state.update({"introspection_delay": 0})
    with requests.Session() as session:
        for i in (0, 7, 42, 199):
            answer = timed(session, gw.url(f"/opaque/{i}"), headers={"Authorization": f"Bearer tok-{i}"})
            assert answer.status == 200
            assert forwarded(answer, "x-auth-user") == f"opaque-{i}"


def test_a_stalled_refetch_holds_unknown_kids_for_refetch_wait_only(idp, launcher, upstream, bcrypt_store, keys,
                                                                    tmp_path):
    publish(idp, keys, "k1")
    # The fetch timeout (5 s, the default) outlasts every token's refetch_wait (1 s): a parked token is
    # answered at its refetch_wait, not when the fetch gives up.
    gw = launcher.serve(waiting_config(upstream, bcrypt_store, idp, tmp_path, refetch_wait="1s", jwks_timeout="5s"))
    assert wait_until(gw, "/jwt", lambda: jwt(keys["k1"])) == 200
    time.sleep(1.2)  # past min_refresh_interval since the first fetch: an unknown kid refetches at once
    fetched = idp.count("/jwks")
    # The issuer has rotated, but its JWKS endpoint stalls past the fetch timeout (5 s).
    publish(idp, keys, "k1", "k2")
    idp.state.update({"jwks_delay": 6})
    strangers = [jwt(tokens.new_key("P-256", f"kid-{uuid.uuid4()}")) for _ in range(100)]
    with basic_logins(gw) as basic, looping(gw, "/public", pause=0.02) as public:
        time.sleep(0.3)
        start = time.monotonic()
        first = burst(gw, "/jwt", [jwt(keys["k2"])])[0]
        unknown = burst(gw, "/jwt", strangers)
        done = time.monotonic()
        refetches = idp.count("/jwks") - fetched
        with requests.Session() as session:
            known = [timed(session, gw.url("/jwt"), headers={"Authorization": f"Bearer {jwt(keys['k1'])}"})
                     for _ in range(10)]
    print(f"first k2 request: {first.status} in {first.seconds:.3f}s")
    print(summary("unknown kids", unknown))
    print(summary("known kid during the stall", known))
    print(f"refetches started during the burst: {refetches}")

    # Parked for refetch_wait (1 s), not for the fetch's timeout (5 s) nor the stall (6 s), then refused
    # with the keys in force.
    for answer in [first] + unknown:
        assert (answer.status, answer.challenge) == (401, UNKNOWN_KEY)
    assert 0.9 <= first.seconds < 1.6, "the token waited for the refetch, at most refetch_wait"
    assert [round(a.seconds, 3) for a in unknown if not 0.9 <= a.seconds < 1.9] == [], \
        "each unknown kid waited refetch_wait, no longer"
    assert refetches == 1, "one refetch for every unknown kid, however many"
    assert {a.status for a in known} == {200} and max(a.seconds for a in known) < 1.0, "known keys need no wait"
    entries = gw.wait_for_access_log(101, lambda e: e.get("route") == "jwt" and e.get("status") == 401)
    assert {e.get("reason") for e in entries} == {"unknown_key"}

    check_basic(basic, (start, done))
    assert public and {a.status for a in public} == {200}
    assert max(a.seconds for a in public) < 1.0, "the gateway stays responsive"


def test_a_refetch_within_refetch_wait_costs_the_new_kid_no_401(idp, launcher, upstream, bcrypt_store, keys,
                                                                 tmp_path):
    publish(idp, keys, "k1")
    gw = launcher.serve(waiting_config(upstream, bcrypt_store, idp, tmp_path, refetch_wait="3s"))
    assert wait_until(gw, "/jwt", lambda: jwt(keys["k1"])) == 200
    time.sleep(1.2)  # past min_refresh_interval: the first token with the new kid refetches at once
    fetched = idp.count("/jwks")
    # The issuer rotates to k2 and signs with it at once; its JWKS endpoint is slow (1 s), but answers
    # within the fetch timeout (2 s) and within refetch_wait (3 s).
    publish(idp, keys, "k1", "k2")
    idp.state.update({"jwks_delay": 1.0})
    rotated = [jwt(keys["k2"], sub=f"rotated-{i}") for i in range(50)]
    with basic_logins(gw) as basic:
        time.sleep(0.3)
        start = time.monotonic()
        answers = burst(gw, "/jwt", rotated)
        done = time.monotonic()
    refetches = idp.count("/jwks") - fetched
    print(summary("new kid, first requests", answers))
    print(f"JWKS fetches started by the time every token was answered: {refetches}")

    assert [(a.status, a.challenge) for a in answers] == [(200, None)] * len(rotated), \
        "key rotation costs no request a 401"
    users = [forwarded(a, "x-auth-user") for a in answers]
    assert users == [f"rotated-{i}" for i in range(len(rotated))]
    # Answered by the first refetch (1 s): a second one could not have ended before 2 s.
    assert [round(a.seconds, 3) for a in answers if not 0.9 <= a.seconds < 1.9] == [], \
        "each waited for the first refetch (1 s), not for refetch_wait (3 s)"
    assert refetches == 1, "one refetch for fifty tokens"
    with requests.Session() as session:
        again = timed(session, gw.url("/jwt"), headers={"Authorization": f"Bearer {jwt(keys['k2'])}"})
    assert again.status == 200 and again.seconds < 0.5, "the new key is in force: no further wait"
    check_basic(basic, (start, done))
    # Tokens that arrived while the refetch ran asked for nothing more: its set answered them.
    time.sleep(1.5)
    total = idp.count("/jwks") - fetched
    print(f"JWKS fetches after the rotation, 1.5 s later: {total}")
    assert total == 1, "no follow-up fetch after a rotation"
