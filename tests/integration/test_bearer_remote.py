"""Bearer keys fetched over the network and opaque tokens: a fake identity provider on 127.0.0.1
(harness/idp.py, TLS with a CA made for the test) serves OpenID Connect discovery, a JWKS and an
RFC 7662 introspection endpoint. Tokens verify once the keys arrived; keys rotate while requests flow
and no valid token fails (an unknown kid triggers a refetch); a JWKS outage keeps the last good set and
is counted; a discovery document of another issuer is refused and logged; introspection active,
inactive, down (503, never 401) and cached (the endpoint sees one call)."""
import contextlib
import re
import signal
import threading
import time
import uuid

import pytest
import requests

from harness import certs, configs, tokens, yaml_text
from harness.gateway import run_cli
from harness.idp import IdentityProvider

ALG = "ES256"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("idp-pki")
    ca = certs.make_ca(directory)
    return ca, certs.make_leaf(directory, ca, "idp")


@pytest.fixture
def idp(pki):
    _, leaf = pki
    server = IdentityProvider(tls=(leaf.cert, leaf.key)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def keys():
    return {kid: tokens.new_key("P-256", kid) for kid in ("k1", "k2", "k3")}


def publish(idp, keys, *kids):
    idp.state.update({"jwks": {"keys": [keys[kid].public_jwk() for kid in kids]}})


def remote_config(upstream, store_files, idp, pki, tmp_path) -> dict:
    ca, _ = pki
    config = configs.gateway_config(upstream.url, *store_files)
    secret = tmp_path / "client.secret"
    secret.write_text("s3cret\n")
    refresh = {"ca_file": str(ca), "min_refresh_interval": "1s", "refresh_interval": "10m", "timeout": "2s"}
    config["realms"].update({
        "remote": {"scheme": "bearer", "realm": "Remote", "jwks": {"url": idp.url + "/jwks", **refresh},
                   "algorithms": [ALG], "issuer": tokens.ISSUER, "audiences": [tokens.AUDIENCE]},
        "oidc": {"scheme": "bearer", "realm": "OIDC", "oidc": {"issuer": idp.url, **refresh},
                 "algorithms": [ALG], "audiences": [tokens.AUDIENCE]},
        "opaque": {"scheme": "bearer", "realm": "Opaque", "scope": "read",
                   "introspection": {"url": idp.url + "/introspect", "client_id": "gateway",
                                     "client_secret_file": str(secret), "ca_file": str(ca),
                                     "cache_ttl": "30s", "timeout": "2s"}},
        "strict": {"scheme": "bearer", "realm": "Strict", "leeway": "0s",
                   "introspection": {"url": idp.url + "/introspect", "client_id": "gateway",
                                     "client_secret_file": str(secret), "ca_file": str(ca),
                                     "negative_cache_ttl": "0s", "max_idle_connections": 0}},
    })
    route = configs.route
    config["routes"] = [route("remote", "/remote", {"realms": ["remote"]}),
                        route("oidc", "/oidc", {"realms": ["oidc"]}),
                        route("opaque", "/opaque", {"realms": ["opaque"]}),
                        route("strict", "/strict", {"realms": ["strict"]}),
                        route("public", "/public", "anonymous")]
    return config


def token(key, **claims) -> str:
    # A fresh jti per token: every request is a cache miss, so every one really verifies.
    return tokens.mint_pyjwt(key, ALG, tokens.claims(jti=str(uuid.uuid4()), **claims))


def get(gw, path, bearer=None):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    return requests.get(gw.url(path), headers=headers, timeout=30)


def wait_status(gw, path, make_token, status=200, timeout=15.0):
    """Polls until `path` answers `status` (the first fetch runs in the background after start-up)."""
    deadline = time.monotonic() + timeout
    while True:
        response = get(gw, path, make_token())
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.05)


def metric(gw, name_and_labels: str) -> float:
    text = requests.get(gw.admin_url("/metrics"), timeout=10).text
    match = re.search("^" + re.escape(name_and_labels) + r" (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


@pytest.fixture
def gw(launcher, upstream, store_files, idp, pki, keys, tmp_path):
    publish(idp, keys, "k1")
    return launcher.serve(remote_config(upstream, store_files, idp, pki, tmp_path))



@contextlib.contextmanager
def requests_in_flight(gw, path, authorization, clients=1):
    """`clients` threads GET `path` on keep-alive sessions, with `authorization()` as the header, until the
    block ends; yields the list of (status, WWW-Authenticate) answers, appended as they come."""
    answers = []
    stop = threading.Event()

    def client():
        with requests.Session() as session:
            while not stop.is_set():
                response = session.get(gw.url(path), timeout=30, headers={"Authorization": authorization()})
                answers.append((response.status_code, response.headers.get("WWW-Authenticate")))

    workers = [threading.Thread(target=client) for _ in range(clients)]
    for worker in workers:
        worker.start()
    try:
        yield answers
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)


def test_tokens_verify_once_the_keys_arrived(gw, idp, keys):
    assert wait_status(gw, "/remote", lambda: token(keys["k1"])).status_code == 200
    assert wait_status(gw, "/oidc", lambda: token(keys["k1"], iss=idp.url)).status_code == 200
    assert idp.count("/.well-known/openid-configuration") >= 1, "the oidc realm went through discovery"
    assert metric(gw, 'authgate_jwks_fetch_total{realm="remote",result="ok"}') >= 1
    assert metric(gw, 'authgate_jwks_keys{realm="remote"}') == 1
    forged = get(gw, "/remote", tokens.mint_pyjwt(tokens.new_key("P-256", "k1"), ALG, tokens.claims()))
    assert forged.status_code == 401, "another key under a known kid is a bad signature"
    assert forged.headers["WWW-Authenticate"].startswith('Bearer realm="Remote", error="invalid_token"')


def test_keys_rotate_while_requests_flow_and_no_valid_token_fails(gw, idp, keys):
    assert wait_status(gw, "/remote", lambda: token(keys["k1"])).status_code == 200
    current = {"key": keys["k1"]}
    with requests_in_flight(gw, "/remote", lambda: f"Bearer {token(current['key'])}", clients=3) as answers:
        for old, new in (("k1", "k2"), ("k2", "k3")):
            time.sleep(1.5)
            # The issuer publishes the next key and signs with it at once (OpenID Connect Core §10.1.1:
            # the verifier refetches when it sees an unfamiliar kid), then retires the old one.
            publish(idp, keys, old, new)
            current["key"] = keys[new]
            time.sleep(1.5)
            publish(idp, keys, new)
    failures = [answer for answer in answers if answer[0] != 200]
    assert len(answers) > 50
    assert failures == []
    assert idp.count("/jwks") <= 6, "refetches are rate-limited, not one per request"


def test_a_jwks_outage_keeps_the_last_good_set_and_is_counted(gw, idp, keys):
    assert wait_status(gw, "/remote", lambda: token(keys["k1"])).status_code == 200
    idp.state.update({"jwks_status": 500})
    unknown = get(gw, "/remote", token(keys["k3"]))  # an unknown kid asks for a refetch, which fails
    assert unknown.status_code == 401
    deadline = time.monotonic() + 10
    while metric(gw, 'authgate_jwks_fetch_total{realm="remote",result="error"}') < 1:
        assert time.monotonic() < deadline, "the failed refetch was not counted"
        time.sleep(0.1)
    assert get(gw, "/remote", token(keys["k1"])).status_code == 200, "the last good set still verifies"
    assert metric(gw, 'authgate_jwks_keys{realm="remote"}') == 1
    gw.process.wait_for_stderr(r"jwks realm remote: refresh failed: JWKS https://127\.0\.0\.1:\d+/jwks: HTTP 500; "
                               r"keeping the last good set")


def wait_count(idp, path, at_least, timeout=15.0):
    deadline = time.monotonic() + timeout
    while idp.count(path) < at_least:
        assert time.monotonic() < deadline, f"{path} was fetched {idp.count(path)} times, expected {at_least}"
        time.sleep(0.05)


def test_discovery_is_remembered_and_asked_again_when_the_keys_move(gw, idp, keys):
    discovery = "/.well-known/openid-configuration"
    assert wait_status(gw, "/oidc", lambda: token(keys["k1"], iss=idp.url)).status_code == 200
    idp.state.update({"cache_control": "max-age=1"})
    # An unknown kid makes the oidc realm refetch at once; that answer's max-age=1 then makes it refetch
    # every second (min_refresh_interval is 1s here).
    assert get(gw, "/oidc", token(keys["k3"], iss=idp.url)).status_code == 401
    wait_count(idp, "/jwks", idp.count("/jwks") + 3)
    assert idp.count(discovery) == 1, "the jwks_uri is remembered, not rediscovered on every refresh"
    # The issuer moves its keys and rotates: the remembered jwks_uri now fails, so discovery is asked
    # again at once and the new jwks_uri serves the same refresh.
    idp.state.update({"jwks": {"keys": [keys["k2"].public_jwk()]}, "jwks_uri": idp.url + "/jwks2",
                      "jwks_gone": ["/jwks"]})
    assert wait_status(gw, "/oidc", lambda: token(keys["k2"], iss=idp.url)).status_code == 200
    gw.process.wait_for_stderr(r"jwks realm oidc: the keys moved from https://127\.0\.0\.1:\d+/jwks to "
                               r"https://127\.0\.0\.1:\d+/jwks2")
    moved = idp.count("/jwks2")
    wait_count(idp, "/jwks2", moved + 3)
    assert idp.count(discovery) == 2, "one rediscovery for the move, none for the refreshes after it"


def test_discovery_naming_another_issuer_is_refused_and_logged(launcher, upstream, store_files, idp, pki, keys,
                                                               tmp_path):
    publish(idp, keys, "k1")
    idp.state.update({"issuer": "https://evil.example"})
    gw = launcher.serve(remote_config(upstream, store_files, idp, pki, tmp_path))
    gw.process.wait_for_stderr(r"jwks realm oidc: fetch failed: discovery .*: the discovery document names "
                               r"another issuer \(refused\); no keys yet, the realm answers 503")
    response = get(gw, "/oidc", token(keys["k1"], iss=idp.url))
    assert response.status_code == 503, "no keys is the server's problem, never a 401"
    assert metric(gw, 'authgate_jwks_fetch_total{realm="oidc",result="error"}') >= 1
    assert wait_status(gw, "/remote", lambda: token(keys["k1"])).status_code == 200, "other realms serve"


def opaque_tokens(idp):
    idp.state.update({"introspection": {
        "tok-alice": {"active": True, "sub": "alice", "scope": "read", "exp": int(time.time()) + 300},
        "tok-old": {"active": False},
    }})


def test_introspection_active_inactive_and_cached(gw, idp, upstream):
    opaque_tokens(idp)
    first = get(gw, "/opaque/a", "tok-alice")
    assert first.status_code == 200
    sent = {name.lower(): value for name, value in upstream.requests[-1]["headers"]}
    assert sent.get("x-auth-user") == "alice"
    assert "authorization" not in sent, "the token never reaches the upstream"
    assert get(gw, "/opaque/b", "tok-alice").status_code == 200
    assert idp.count("/introspect") == 1, "the second request was answered from the cache"
    inactive = get(gw, "/opaque", "tok-old")
    assert inactive.status_code == 401
    assert inactive.headers["WWW-Authenticate"] == \
        'Bearer realm="Opaque", scope="read", error="invalid_token", error_description="The token is not active"'
    assert get(gw, "/opaque").headers["WWW-Authenticate"] == 'Bearer realm="Opaque", scope="read"'
    last = idp.state.stats()["last"]["/introspect"]
    assert last["body"] == "token=tok-old&token_type_hint=access_token"
    assert last["headers"]["Authorization"].startswith("Basic ")


def test_introspection_endpoint_down_is_503_and_logged(gw, idp):
    opaque_tokens(idp)
    idp.state.update({"introspection_status": 500})
    response = get(gw, "/opaque", "tok-alice")
    assert response.status_code == 503
    assert "WWW-Authenticate" not in response.headers
    gw.process.wait_for_stderr(r"introspection realm Opaque: HTTP 500")
    deadline = time.monotonic() + 5
    while not [e for e in gw.access_log() if e.get("reason") == "introspection_unavailable"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    idp.state.update({"introspection_status": 200})
    assert get(gw, "/opaque", "tok-alice").status_code == 200, "back as soon as the endpoint is"
    assert "s3cret" not in gw.process.stderr_text() and "tok-alice" not in gw.process.stderr_text()
    assert "tok-alice" not in gw.process.stdout_text()


def test_introspection_calls_share_kept_alive_connections(gw, idp):
    # Eight different tokens: eight cache misses, eight calls; one TLS handshake would do for all.
    idp.state.update({"introspection": {f"tok-{i}": {"active": True, "sub": f"user{i}"} for i in range(8)}})
    connections = idp.connections("/introspect")
    for i in range(8):
        assert get(gw, "/opaque", f"tok-{i}").status_code == 200
    assert idp.count("/introspect") == 8
    assert idp.connections("/introspect") - connections <= 2, "kept-alive connections are reused"
    assert "Connection" not in idp.state.stats()["last"]["/introspect"]["headers"]
    # A realm with max_idle_connections: 0 opens (and closes) one connection per call.
    connections = idp.connections("/introspect")
    for i in range(3):
        assert get(gw, "/strict", f"tok-{i}").status_code == 200
    assert idp.connections("/introspect") - connections == 3
    assert idp.state.stats()["last"]["/introspect"]["headers"].get("Connection") == "close"


def test_kept_connections_the_idp_closed_cost_no_request_a_failure(launcher, upstream, store_files, idp, pki,
                                                                   keys, tmp_path):
    # The server closes each connection after answering, without saying so (an idle timeout shorter
    # than ours): the parked connection is dead, and the gateway must notice or retry, never 503.
    # One I/O thread: introspection connections are kept per I/O thread, and this test needs the
    # request after tok-warm to find the connection tok-warm parked.
    publish(idp, keys, "k1")
    config = remote_config(upstream, store_files, idp, pki, tmp_path)
    config["server"]["io_threads"] = 1
    gw = launcher.serve(config)
    active = {f"tok-{i}": {"active": True, "sub": "u"} for i in range(6)}
    idp.state.update({"introspection": {**active, "tok-fresh": {"active": True, "sub": "u"}},
                      "close_silently": True})
    statuses = [get(gw, "/opaque", f"tok-{i}").status_code for i in range(6)]
    assert statuses == [200] * 6
    idp.state.update({"close_silently": False})
    assert get(gw, "/opaque", "tok-warm").status_code == 401  # parks a live connection again
    idp.state.update({"drop_requests": 1})  # the next request on it gets no answer at all
    assert get(gw, "/opaque", "tok-fresh").status_code == 200, "retried once on a fresh connection"
    assert idp.state.stats()["counts"]["/introspect"] == 9


def test_a_flood_of_one_inactive_token_costs_one_introspection(gw, idp):
    opaque_tokens(idp)
    answers = [get(gw, "/opaque", "tok-old") for _ in range(20)]
    assert {answer.status_code for answer in answers} == {401}
    assert {answer.headers["WWW-Authenticate"] for answer in answers} == {
        'Bearer realm="Opaque", scope="read", error="invalid_token", error_description="The token is not active"'}
    assert idp.count("/introspect") == 1, "refusals are cached for negative_cache_ttl (default 5s)"
    calls = idp.count("/introspect")
    for _ in range(3):
        assert get(gw, "/strict", "tok-old").status_code == 401
    assert idp.count("/introspect") - calls == 3, "negative_cache_ttl: 0 asks every time"
    assert "tok-old" not in gw.process.stderr_text()


def test_introspection_answers_are_checked_with_the_realms_leeway(gw, idp):
    idp.state.update({"introspection": {
        "tok-late": {"active": True, "sub": "alice", "exp": int(time.time()) - 20}}})
    assert get(gw, "/opaque", "tok-late").status_code == 200, "within the default 60 s leeway"
    late = get(gw, "/strict", "tok-late")
    assert late.status_code == 401, "leeway: 0s"
    assert 'error="invalid_token"' in late.headers["WWW-Authenticate"]


def test_jwt_verify_fetches_a_jwks_url_with_the_gateway_client(idp, pki, keys):
    ca, _ = pki
    publish(idp, keys, "k1")
    good = token(keys["k1"])
    args = ["jwt", "verify", good, "--iss", tokens.ISSUER, "--aud", tokens.AUDIENCE, "--ca-file", str(ca)]
    done = run_cli(args + ["--jwks", idp.url + "/jwks"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("VALID")
    untrusted = run_cli(args[:-2] + ["--jwks", idp.url + "/jwks"])
    assert untrusted.returncode == 2 and "tls_failed" in untrusted.stderr, "the system store does not know the CA"
    moved = run_cli(args + ["--jwks", idp.url + "/redirect"])
    assert moved.returncode == 2 and "redirects are not followed" in moved.stderr


def test_a_reload_keeps_the_remote_keys_without_a_503(gw, idp, keys):
    assert wait_status(gw, "/remote", lambda: token(keys["k1"])).status_code == 200
    fetched = idp.count("/jwks")
    with requests_in_flight(gw, "/remote", lambda: f"Bearer {token(keys['k1'])}") as answers:
        for generation in (2, 3, 4):
            gw.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 15
            while metric(gw, "authgate_config_generation") < generation:
                assert time.monotonic() < deadline, "the reload did not land"
                time.sleep(0.05)
            time.sleep(0.3)
    failures = [answer for answer in answers if answer[0] != 200]
    assert answers and failures == [], "a reload must not open a 503 gap for remote-key realms"
    assert idp.count("/jwks") == fetched, "an unchanged source keeps its keys and its schedule"


def reload(gw, config: dict):
    """Writes `config` over the gateway's file, sends SIGHUP and waits until the new generation serves."""
    was = metric(gw, "authgate_config_generation")
    gw.rewrite_config(yaml_text.dump(config))
    gw.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while metric(gw, "authgate_config_generation") <= was:
        assert time.monotonic() < deadline, "the reload did not land"
        time.sleep(0.05)


@pytest.mark.parametrize("change", [
    {"audiences": ["another-api"]},
    {"issuer": "https://another-issuer.example"},
], ids=["audience", "issuer"])
def test_a_reload_that_tightens_a_remote_realm_refuses_a_token_it_had_cached(
        launcher, upstream, store_files, idp, pki, keys, tmp_path, change):
    """The key set survives the reload (same keys, same generation), but the realm's rules changed: a token
    verified and cached under the old rules must be judged again, not answered from the cache."""
    publish(idp, keys, "k1")
    config = remote_config(upstream, store_files, idp, pki, tmp_path)
    config["routes"].append(configs.route("claims", "/claims", {"realms": ["remote"], "claims": {"team": "blue"}}))
    gw = launcher.serve(config)
    kept = tokens.mint_pyjwt(keys["k1"], ALG, tokens.claims(jti=str(uuid.uuid4()), team="blue"))
    assert wait_status(gw, "/remote", lambda: kept).status_code == 200
    assert get(gw, "/claims", kept).status_code == 200, "the route's claim requirement is met"
    config["realms"]["remote"].update(change)
    reload(gw, config)
    refused = get(gw, "/remote", kept)
    assert refused.status_code == 401, "cached under the old rules"
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]


def test_a_claim_a_route_asks_for_after_a_reload_is_in_the_identity(
        launcher, upstream, store_files, idp, pki, keys, tmp_path):
    """Identities keep only the claims some route asks for; a reload that adds a route asking for another
    claim must see that claim in a token cached before it."""
    publish(idp, keys, "k1")
    config = remote_config(upstream, store_files, idp, pki, tmp_path)
    gw = launcher.serve(config)
    kept = tokens.mint_pyjwt(keys["k1"], ALG, tokens.claims(jti=str(uuid.uuid4()), team="blue"))
    assert wait_status(gw, "/remote", lambda: kept).status_code == 200
    config["routes"].insert(0, configs.route("claims", "/claims", {"realms": ["remote"], "claims": {"team": "blue"}}))
    reload(gw, config)
    assert get(gw, "/claims", kept).status_code == 200
    other = tokens.mint_pyjwt(keys["k1"], ALG, tokens.claims(jti=str(uuid.uuid4()), team="red"))
    assert get(gw, "/claims", other).status_code == 403
