"""Bearer tokens (RFC 6750) on the wire: tokens minted by PyJWT, jwcrypto and npm jose for every
algorithm are accepted; each failure gets its exact status and WWW-Authenticate; scopes and claims;
the token in the query (§2.3) only where enabled and never forwarded; a token in two places is 400;
JWKS rotation by replacing the key file while requests flow; Basic and Bearer on one route."""
import hashlib
import json
import subprocess
import threading
import time
import uuid

import httpx
import pytest
import requests

from pathlib import Path

from harness import configs, tokens
from harness.gateway import run_cli
from harness.passwords import ALICE, htpasswd_line, write_default_store
from harness.raw_http import RawConnection
from harness.fixtures import basic

API = 'Bearer realm="API"'
HS = 'Bearer realm="HMAC API"'
BOTH = [configs.CHALLENGE, API]
REPO = Path(__file__).resolve().parents[2]


def bearer_realms(jwks_file, secret_file) -> dict:
    common = {"issuer": tokens.ISSUER, "audiences": [tokens.AUDIENCE], "groups_claim": "groups"}
    return {
        "api": {"scheme": "bearer", "realm": "API", "jwks_file": str(jwks_file),
                "algorithms": ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
                               "EdDSA"], **common},
        "hs": {"scheme": "bearer", "realm": "HMAC API", "hmac_secret_file": str(secret_file),
               "algorithms": ["HS256", "HS384", "HS512"], **common},
    }


def bearer_config(upstream_url, workdir, ring) -> dict:
    htpasswd, groups = write_default_store(workdir)
    config = configs.gateway_config(upstream_url, htpasswd, groups)
    ring.write_jwks(workdir / "jwks.json")
    ring.write_secret(workdir / "hs.secret")
    config["realms"].update(bearer_realms(workdir / "jwks.json", workdir / "hs.secret"))
    route = configs.route
    config["routes"] = [
        route("public", "/public", "anonymous"),
        route("query", "/api/query", {"realms": ["api"], "token_in_query": True}),
        route("scoped", "/api/scoped", {"realms": ["api"], "scopes": ["read", "write"]}),
        route("claims", "/api/claims", {"realms": ["api"], "claims": {"tier": ["gold", "platinum"]}}),
        route("form", "/api/form", {"realms": ["api"], "token_in_form": True}),
        route("api", "/api", {"realms": ["api"]}),
        route("hs", "/hs", {"realms": ["hs"]}),
        route("both-scoped", "/both-scoped", {"realms": ["staff", "api"], "scopes": ["read"]}),
        route("both", "/both", {"realms": ["staff", "api"]}),
        route("app", "/", {"realms": ["staff"]}),
    ]
    return config


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, ring, tmp_path_factory):
    """One gateway for the module: the key files never change here (rotation has its own test)."""
    workdir = tmp_path_factory.mktemp("bearer")
    return module_launcher.serve(bearer_config(module_upstream.url, workdir, ring))


def received(upstream, marker: str) -> dict:
    """The upstream's record of the request whose path ends with `marker`."""
    found = [r for r in upstream.requests if r["path"].endswith(marker)]
    assert len(found) == 1, f"{marker}: {len(found)} records"
    return found[0]


def seen(record: dict, name: str) -> list:
    return [v for k, v in record["headers"] if k.lower() == name.lower()]


def get(gw, path: str, token: str = None, headers=()):
    extra = list(headers)
    if token is not None:
        extra.append(("Authorization", f"Bearer {token}"))
    with RawConnection(gw.port) as conn:
        return conn.request("GET", path, extra)


def marker() -> str:
    return uuid.uuid4().hex


# --- every algorithm, every library -------------------------------------------------------------

CASES = [(lib, alg) for lib in tokens.LIBRARIES for alg in tokens.PUBLIC_ALGS + tokens.HMAC_ALGS]


@pytest.mark.parametrize("library,alg", CASES, ids=[f"{lib} {alg} token is accepted" for lib, alg in CASES])
def test_every_algorithm_from_every_library(gw, module_upstream, ring, library, alg):
    token = tokens.mint(library, ring.for_alg(alg), alg, tokens.claims(sub=f"user-{library}",
                                                                       groups=["ops", "dev"]))
    base = "/hs" if alg.startswith("HS") else "/api"
    m = marker()
    response = requests.get(gw.url(f"{base}/{m}"), headers={"Authorization": f"Bearer {token}"}, timeout=15)
    assert response.status_code == 200, response.headers.get("WWW-Authenticate")
    record = received(module_upstream, m)
    assert seen(record, "X-Auth-User") == [f"user-{library}"]
    assert seen(record, "X-Auth-Scheme") == ["Bearer"]
    assert seen(record, "X-Auth-Groups") == ["ops,dev"]
    assert seen(record, "Authorization") == [], "the token stays at the gateway"


# --- the RFC 6750 error model, exactly ---------------------------------------------------------

def bad_tokens(ring):
    rsa = ring.for_alg("RS256")
    other = tokens.new_key("RSA", rsa.kid)  # same kid, another key: the signature cannot verify
    return [
        ("an expired token", tokens.mint_pyjwt(rsa, "RS256", tokens.claims(lifetime=-120)),
         "The token expired"),
        ("a token from another issuer", tokens.mint_pyjwt(rsa, "RS256", tokens.claims(iss="https://evil.test")),
         "The token issuer is not accepted"),
        ("a token for another audience", tokens.mint_pyjwt(rsa, "RS256", tokens.claims(aud=["other"])),
         "The token audience is not accepted"),
        ("a token signed by another key", tokens.mint_pyjwt(other, "RS256", tokens.claims()),
         "The token signature is invalid"),
        ("an unknown kid", tokens.mint_pyjwt(rsa, "RS256", tokens.claims(), {"kid": "nobody"}),
         "The token signing key is unknown"),
        ("alg none", tokens.unsigned(tokens.claims()), "Unsigned tokens are not accepted"),
        ("an HMAC token on a public-key realm", tokens.mint_pyjwt(ring.for_alg("HS256"), "HS256",
                                                                  tokens.claims()),
         "The token algorithm is not accepted"),
        ("not a JWT", "abc.def", "The token is not a well-formed compact JWS"),
    ]


def test_no_token_gets_a_bare_challenge(gw):
    """RFC 6750 §3.1: a request without authentication information gets no error code."""
    response = get(gw, "/api/x")
    assert response.status == 401
    assert response.headers_named("WWW-Authenticate") == [API]
    assert response.header("Cache-Control") == "no-store"


@pytest.mark.parametrize("value", ["Bearer", "Bearer a b", "Bearer tok,en", "Bearer realm=x"],
                         ids=["no token", "two tokens", "not a b64token", "auth-params"])
def test_malformed_credentials_are_invalid_request(gw, module_upstream, value):
    """RFC 6750 §3.1 invalid_request → 400, with the Bearer challenge naming the error."""
    before = len(module_upstream.requests)
    response = get(gw, "/api/x", headers=[("Authorization", value)])
    assert response.status == 400
    assert response.headers_named("WWW-Authenticate") == [
        API + ', error="invalid_request", error_description="The Bearer credentials are malformed"']
    assert len(module_upstream.requests) == before


def test_invalid_tokens_get_invalid_token(gw, module_upstream, ring):
    """RFC 6750 §3.1 invalid_token → 401 with a fixed error_description that echoes nothing."""
    before = len(module_upstream.requests)
    for what, token, description in bad_tokens(ring):
        response = get(gw, "/api/x", token)
        assert response.status == 401, what
        assert response.headers_named("WWW-Authenticate") == [
            API + f', error="invalid_token", error_description="{description}"'], what
    assert len(module_upstream.requests) == before, "no bad token reaches the upstream"


def test_insufficient_scope_is_403_naming_the_scopes(gw, module_upstream, ring):
    """RFC 6750 §3.1 insufficient_scope → 403 with scope="…" (every scope the route requires)."""
    key = ring.for_alg("ES256")
    response = get(gw, "/api/scoped/x", tokens.mint_pyjwt(key, "ES256", tokens.claims(scope="read")))
    assert response.status == 403
    assert response.headers_named("WWW-Authenticate") == [
        API + ', error="insufficient_scope", scope="read write"']
    m = marker()
    granted = tokens.mint_jwcrypto(key, "ES256", tokens.claims(scope="write read admin"))
    assert get(gw, f"/api/scoped/{m}", granted).status == 200
    assert seen(received(module_upstream, m), "X-Auth-User") == ["alice"]
    scp = tokens.mint_pyjwt(key, "ES256", tokens.claims(scp=["read", "write"]))
    assert get(gw, "/api/scoped/scp", scp).status == 200, "scp as an array counts too"


@pytest.mark.parametrize("tier,status", [("gold", 200), ("platinum", 200), ("silver", 403), (None, 403)],
                         ids=["gold passes", "platinum passes", "silver is refused", "no tier is refused"])
def test_claim_requirement(gw, ring, tier, status):
    token = tokens.mint_pyjwt(ring.for_alg("EdDSA/Ed25519"), "EdDSA", tokens.claims(tier=tier))
    response = get(gw, "/api/claims/x", token)
    assert response.status == status
    assert response.headers_named("WWW-Authenticate") == [], "a claim mismatch does not say what would pass"


# --- token locations (RFC 6750 §2) --------------------------------------------------------------

def test_query_token_where_enabled(gw, module_upstream, ring):
    """§2.3: accepted, removed from what the upstream sees, and the response is Cache-Control: private."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    m = marker()
    response = httpx.get(gw.url(f"/api/query/{m}"), params={"a": "1", "access_token": token, "b": "2"},
                         timeout=15)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private"
    record = received(module_upstream, m)
    assert record["target"] == f"/api/query/{m}?a=1&b=2"
    assert seen(record, "X-Auth-User") == ["alice"]
    m2 = marker()
    assert httpx.get(gw.url(f"/api/query/{m2}"), params={"access_token": token}, timeout=15).status_code == 200
    assert received(module_upstream, m2)["target"] == f"/api/query/{m2}", "no empty '?' left behind"


def test_query_token_where_not_enabled_is_ignored(gw, module_upstream, ring):
    """Off by default: the parameter is not a credential there, so the request has none."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    before = len(module_upstream.requests)
    response = requests.get(gw.url("/api/x"), params={"access_token": token}, timeout=15)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == API
    assert len(module_upstream.requests) == before


TWO_PLACES = "The request carries more than one token"


def test_two_authorization_fields_are_invalid_request(gw, module_upstream, ring):
    """RFC 9110 §11.6.2 allows one credentials; with a Bearer field among them the 400 says invalid_request."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    before = len(module_upstream.requests)
    response = get(gw, "/both/x", headers=[("Authorization", f"Bearer {token}"),
                                           ("Authorization", basic(ALICE.name, ALICE.password))])
    assert response.status == 400
    assert response.headers_named("WWW-Authenticate") == [
        API + f', error="invalid_request", error_description="{TWO_PLACES}"']
    two_basic = get(gw, "/both/x", headers=[("Authorization", basic(ALICE.name, ALICE.password))] * 2)
    assert (two_basic.status, two_basic.headers_named("WWW-Authenticate")) == (400, [])
    assert len(module_upstream.requests) == before


@pytest.mark.parametrize("how", ["header and query", "two query parameters", "Basic header and query"])
def test_token_in_two_places_is_invalid_request(gw, module_upstream, ring, how):
    """§2: clients MUST NOT use more than one method per request → 400 invalid_request."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    headers = []
    query = f"access_token={token}"
    if how == "header and query":
        headers = [("Authorization", f"Bearer {token}")]
    elif how == "two query parameters":
        query += f"&access_token={token}"
    else:
        headers = [("Authorization", basic(ALICE.name, ALICE.password))]
    before = len(module_upstream.requests)
    response = get(gw, f"/api/query/x?{query}", headers=headers)
    assert response.status == 400
    assert response.headers_named("WWW-Authenticate") == [
        API + f', error="invalid_request", error_description="{TWO_PLACES}"']
    assert len(module_upstream.requests) == before


FORM = "application/x-www-form-urlencoded"


def test_form_token_where_enabled(gw, module_upstream, ring):
    """§2.2: a form POST carries the token; the body reaches the upstream byte for byte."""
    token = tokens.mint_pyjwt(ring.for_alg("ES512"), "ES512", tokens.claims(sub="former"))
    body = f"title=a+b&access_token={token}&n=%C3%A9".encode()
    m = marker()
    response = requests.post(gw.url(f"/api/form/{m}"), data=body, headers={"Content-Type": FORM}, timeout=15)
    assert response.status_code == 200
    record = received(module_upstream, m)
    assert seen(record, "X-Auth-User") == ["former"]
    assert (record["body_length"], record["body_sha256"]) == (len(body), hashlib.sha256(body).hexdigest())


def test_form_token_after_100_continue_and_chunked(gw, module_upstream, ring):
    """The gateway answers Expect: 100-continue itself (it needs the body); a chunked form works too."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    body = f"access_token={token}".encode()
    m = marker()
    done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect: 100-continue",
                           "-H", "Transfer-Encoding: chunked", "-H", f"Content-Type: {FORM}",
                           "--data-binary", "@-", gw.url(f"/api/form/{m}")],
                          input=body, capture_output=True, timeout=30, check=False)
    assert done.stdout == b"200"
    record = received(module_upstream, m)
    assert (record["body_length"], record["body_sha256"]) == (len(body), hashlib.sha256(body).hexdigest())
    assert seen(record, "Expect") == []


FORM_REFUSALS = [
    ("a form without a token", b"a=1", FORM, 401, API),
    ("two tokens in the form", b"access_token=a.b.c&access_token=a.b.c", FORM, 400,
     API + f', error="invalid_request", error_description="The request carries more than one token"'),
    ("a token in a JSON body", b'{"access_token": "x"}', "application/json", 401, API),
    ("a token in a multipart body", b"--x\r\n", "multipart/form-data; boundary=x", 401, API),
    ("a form over 16 KiB", b"a=" + b"x" * 20000, FORM, 413, None),
]


@pytest.mark.parametrize("what,body,content_type,status,challenge", FORM_REFUSALS,
                         ids=[case[0] for case in FORM_REFUSALS])
def test_form_token_refusals(gw, module_upstream, what, body, content_type, status, challenge):
    before = len(module_upstream.requests)
    with RawConnection(gw.port) as conn:
        response = conn.request("POST", "/api/form/x", [("Content-Type", content_type),
                                                        ("Content-Length", str(len(body)))], body)
    assert response.status == status, what
    assert response.headers_named("WWW-Authenticate") == ([challenge] if challenge else []), what
    assert len(module_upstream.requests) == before


@pytest.mark.parametrize("header", ["Bearer", "Basic"])
def test_form_token_next_to_an_authorization_field_is_invalid_request(gw, module_upstream, ring, header):
    """§2: a token in the form and credentials in the header are two methods → 400, upstream untouched."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    field = f"Bearer {token}" if header == "Bearer" else basic(ALICE.name, ALICE.password)
    body = f"n=1&access_token={token}".encode()
    before = len(module_upstream.requests)
    with RawConnection(gw.port) as conn:
        response = conn.request("POST", "/api/form/x", [("Content-Type", FORM), ("Authorization", field),
                                                        ("Content-Length", str(len(body)))], body)
    assert response.status == 400
    assert response.headers_named("WWW-Authenticate") == [
        API + f', error="invalid_request", error_description="{TWO_PLACES}"']
    assert len(module_upstream.requests) == before


def test_small_form_without_a_token_next_to_a_header_token_reaches_the_upstream_unchanged(
        gw, module_upstream, ring):
    """The form is read to look for a second token; without one it goes upstream byte for byte."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims(sub="header-user"))
    body = b"title=a+b&n=%C3%A9&note=" + b"y" * 3000
    m = marker()
    response = requests.post(gw.url(f"/api/form/{m}"), data=body,
                             headers={"Content-Type": FORM, "Authorization": f"Bearer {token}"}, timeout=15)
    assert response.status_code == 200
    record = received(module_upstream, m)
    assert seen(record, "X-Auth-User") == ["header-user"]
    assert (record["body_length"], record["body_sha256"]) == (len(body), hashlib.sha256(body).hexdigest())


def test_form_route_streams_big_bodies_with_a_header_token(gw, module_upstream, ring):
    """With an Authorization field a body over 16 KiB is not searched, so it is not limited to 16 KiB."""
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    body = b"a=" + b"x" * 200_000
    m = marker()
    response = httpx.post(gw.url(f"/api/form/{m}"), content=body,
                          headers={"Content-Type": FORM, "Authorization": f"Bearer {token}"}, timeout=15)
    assert response.status_code == 200
    assert received(module_upstream, m)["body_length"] == len(body)


def test_form_token_where_not_enabled_is_ignored(gw, module_upstream, ring):
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    response = requests.post(gw.url("/api/x"), data={"access_token": token}, timeout=15)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == API


# --- several schemes on one route ---------------------------------------------------------------

def test_basic_and_bearer_on_one_route(gw, module_upstream, ring):
    """RFC 9110 §11.6.1: one challenge per accepted realm, in the route's order; either credential works."""
    response = get(gw, "/both/x")
    assert response.status == 401
    assert response.headers_named("WWW-Authenticate") == BOTH
    rejected = get(gw, "/both/x", tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims(lifetime=-300)))
    assert rejected.status == 401
    assert rejected.headers_named("WWW-Authenticate") == [
        configs.CHALLENGE, API + ', error="invalid_token", error_description="The token expired"']
    m1, m2 = marker(), marker()
    assert requests.get(gw.url(f"/both/{m1}"), auth=(ALICE.name, ALICE.password), timeout=15).status_code == 200
    assert seen(received(module_upstream, m1), "X-Auth-Scheme") == ["Basic"]
    token = tokens.mint_node([(ring.for_alg("ES384"), "ES384", tokens.claims(sub="svc"), None)])[0]
    assert get(gw, f"/both/{m2}", token).status == 200
    assert seen(received(module_upstream, m2), "X-Auth-User") == ["svc"]


def test_basic_user_on_a_scoped_route_gets_a_plain_403(gw, ring):
    """Scopes apply to every identity; a Basic user has none, and no Basic challenge carries a Bearer error."""
    response = requests.get(gw.url("/both-scoped/x"), auth=(ALICE.name, ALICE.password), timeout=15)
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers
    token = tokens.mint_pyjwt(ring.for_alg("ES256"), "ES256", tokens.claims(scope="read"))
    assert get(gw, "/both-scoped/x", token).status == 200


def test_curl_sends_a_bearer_token(gw, ring):
    """curl's --oauth2-bearer is how operators try a token by hand."""
    token = tokens.mint_pyjwt(ring.for_alg("PS256"), "PS256", tokens.claims())
    done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--oauth2-bearer", token,
                           gw.url("/api/curl")], capture_output=True, text=True, timeout=30, check=False)
    assert done.stdout == "200"


def test_repeated_token_is_verified_once(gw, ring):
    """A token's verification is cached until min(exp, cache.ttl): the access log says cache hit."""
    token = tokens.mint_pyjwt(ring.for_alg("RS512"), "RS512", tokens.claims(sub="cached"))
    with httpx.Client(timeout=15) as client:
        for _ in range(3):
            assert client.get(gw.url("/api/cached"), headers={"Authorization": f"Bearer {token}"}).status_code == 200
    entries = gw.wait_for_access_log(3, lambda e: e.get("user") == "cached")
    assert [e["cache_hit"] for e in entries] == [False, True, True], entries
    assert all(token not in json.dumps(e) for e in gw.access_log()), "tokens never reach the log"


# --- key rotation by replacing the JWKS file ----------------------------------------------------

def test_jwks_file_rotation_while_requests_flow(launcher, upstream, tmp_path):
    """Old key A, then A+B published, then B only: a token of a key in the current file never fails."""
    ring_a, ring_b = tokens.KeyRing("a"), tokens.KeyRing("b")
    gw = launcher.serve(bearer_config(upstream.url, tmp_path, ring_a))
    jwks = tmp_path / "jwks.json"
    token_a = tokens.mint_pyjwt(ring_a.for_alg("ES256"), "ES256", tokens.claims(sub="a"))
    token_b = tokens.mint_pyjwt(ring_b.for_alg("ES256"), "ES256", tokens.claims(sub="b"))
    published = {"a"}
    failures, counts = [], {"a": 0, "b": 0}
    stop = threading.Event()

    def flow(name, token):
        with httpx.Client(timeout=15) as client:
            while not stop.is_set():
                allowed_before = name in published
                status = client.get(gw.url("/api/flow"), headers={"Authorization": f"Bearer {token}"}).status_code
                allowed_after = name in published
                if status == 200:
                    counts[name] += 1
                elif allowed_before and allowed_after:
                    failures.append((name, status))

    def wait_status(token, status):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if get(gw, "/api/probe", token).status == status:
                return
            time.sleep(0.1)
        raise AssertionError(f"status {status} not reached")

    threads = [threading.Thread(target=flow, args=("a", token_a)), threading.Thread(target=flow, args=("b", token_b))]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        both = {"keys": ring_a.jwks()["keys"] + ring_b.jwks()["keys"]}
        (tmp_path / "jwks.tmp").write_text(json.dumps(both))
        (tmp_path / "jwks.tmp").replace(jwks)
        wait_status(token_b, 200)
        published.add("b")
        time.sleep(1.0)
        published.discard("a")
        ring_b.write_jwks(jwks)
        wait_status(token_a, 401)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert failures == [], "a token whose key was published failed"
    assert counts["a"] > 0 and counts["b"] > 0, counts
    assert "reload" in gw.process.stderr_text().lower()


def test_a_broken_jwks_file_keeps_the_old_keys(launcher, upstream, tmp_path):
    """A bad reload keeps the old configuration: the error names the key file's key, tokens keep working."""
    ring = tokens.KeyRing()
    gw = launcher.serve(bearer_config(upstream.url, tmp_path, ring))
    token = tokens.mint_pyjwt(ring.for_alg("RS256"), "RS256", tokens.claims())
    assert get(gw, "/api/x", token).status == 200
    (tmp_path / "jwks.json").write_text("{not json")
    gw.process.wait_for_stderr(r"authgate\.yaml:\d+:\d+: realms\.api\.jwks_file: cannot use the JWKS: unparseable",
                               timeout=15)
    assert get(gw, "/api/x", token).status == 200


# --- the example ---------------------------------------------------------------------------------

def test_bearer_example_is_accepted_by_check(tmp_path):
    """examples/bearer.yaml, with its key files next to it: `authgate check` accepts it and shows the schemes."""
    example = (REPO / "examples" / "bearer.yaml").read_text()
    ring = tokens.KeyRing()
    ring.write_jwks(tmp_path / "jwks.json", ["RSA", "P-256", "Ed25519"])
    ring.write_secret(tmp_path / "hs.secret")
    (tmp_path / "users.htpasswd").write_text(htpasswd_line("alice", "pw", "B -C 4") + "\n")
    path = tmp_path / "bearer.yaml"
    path.write_text(example)
    done = run_cli(["check", "--config", path])
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "", "no warnings"
    assert "staff(basic),api(bearer)" in done.stdout
    assert "api(bearer) scopes=reports.read" in done.stdout
    assert "api(bearer) token=query" in done.stdout
    assert "api(bearer) token=form" in done.stdout
