"""Forward auth (issue 15, /tmp/fa/SPEC.md): a listener with `forward_auth:` is a decision endpoint. It never
proxies; it answers whether the ORIGINAL request, as a front proxy describes it, may pass — with the routes,
realms, cache and decision of the reverse proxy.

Real front proxies (harness/front_proxy.py) stand in front of it and of the strict upstream: Debian's nginx
1.22 with the auth_request recipe (`original_request: x-original`, `nginx_compat: true`, the 403 mapped back
by X-Authgate-Status) and Debian's Caddy 2.6.2 with forward_auth (`x-forwarded`, copy_headers X-Auth-User
X-Auth-Groups X-Auth-Scheme), as documented and with copy_headers alone. Each answer is checked on the wire:
status, every WWW-Authenticate line, and what the upstream received (the identity the gateway wrote, never
the client's copies, never the client's credentials). Traefik's ForwardAuth and Envoy's ext_authz are
imitated field for field on raw sockets: allowed, refused, 400 for a missing or repeated X-Forwarded-*
field, the envoy path_prefix, Digest naming the original uri. A peer outside trusted_sources is never judged
(403, `untrusted_source`), a proxy field of the other style is ignored, the client address logged (in
`forwarded_for`; `client` stays the peer) is the right-most untrusted X-Forwarded-For entry, and the original
path is normalised as the reverse proxy normalises it.

One gateway serves the module, with decision listeners only (so its routes have no upstream):
`authz` (x-forwarded, loopback trusted), `nginx` (x-original, nginx_compat), `envoy` (path_prefix /authz),
`guarded` (x-forwarded, trusting 127.0.0.2/32 only) and `guarded-original` (x-original, trusting
127.0.0.1 only)."""
import socket
import time
import uuid

import pytest
import requests

from harness import configs, digest, front_proxy, passwords, tokens
from harness.configs import CHALLENGE
from harness.fixtures import basic
from harness.gateway import run_cli
from harness.passwords import ALICE, BOB, JURGEN
from harness.ports import free_port
from harness.raw_http import RawConnection

API = 'Bearer realm="API"'
BOTH = [CHALLENGE, API]  # one line each, in the route's realm order (RFC 9110 §11.6.1)
DIGEST_REALM = "Digest area"
IDENTITY = ("X-Auth-User", "X-Auth-Groups", "X-Auth-Scheme")
REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           503: "Service Unavailable"}
SPOOFS = [("X-Auth-User", "root"), ("x-auth-user", "root"), ("X-AUTH-GROUPS", "admins"),
          ("X_Auth_User", "root"), ("x-auth-scheme", "Basic")]
MALFORMED = ("Authorization", "Basic !!!")  # not token68: 400 malformed_header (RFC 9110 §11.6.2)


# --- the gateway ------------------------------------------------------------------------------------

def decision_listener(name: str, style: str, **options) -> dict:
    return {"name": name, "address": "127.0.0.1", "port": free_port(),
            "forward_auth": {"original_request": style, **options}}


def decision_route(name: str, path: str, auth, **match) -> dict:
    """A route without an upstream: this config has decision listeners only."""
    return {"name": name, "match": {"path": path, **match}, "auth": auth}


ROUTES = [
    decision_route("intranet", "/", configs.staff(users=["alice"]), hosts=["intranet.example"]),
    decision_route("public", "/public", "anonymous"),
    decision_route("metered", "/metered", "anonymous"),
    decision_route("admin", "/admin", configs.staff(groups=["admins"])),
    decision_route("both", "/both", {"realms": ["staff", "api"]}),
    decision_route("query", "/query", {"realms": ["api"], "token_in_query": True}),
    decision_route("digest", "/digest", {"realms": ["dig"]}),
    decision_route("reports", "/reports", configs.staff(), methods=["GET", "HEAD"]),
    decision_route("private", "/private", configs.staff()),
    decision_route("keyless", "/keyless", {"realms": ["remote"]}),
]


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    """The HMAC key of the `api` Bearer realm."""
    return tokens.hmac_key_file(tmp_path_factory.mktemp("forward-auth-key") / "hs.secret")


@pytest.fixture(scope="module")
def gw(module_launcher, key, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("forward-auth")
    htpasswd, groups = passwords.write_default_store(workdir)
    secret = workdir / "hs.secret"
    secret.write_bytes(key.private)
    store = digest.write_lines(workdir / "users.htdigest",
                               [digest.ha1_line(ALICE.name, DIGEST_REALM, ALICE.password)])
    config = {
        "server": {"io_threads": 2, "worker_threads": 2, "shutdown_grace": "2s"},
        "listeners": [
            decision_listener("authz", "x-forwarded"),
            decision_listener("nginx", "x-original", nginx_compat=True),
            decision_listener("envoy", "envoy", path_prefix="/authz"),
            decision_listener("guarded", "x-forwarded", trusted_sources=["127.0.0.2/32"]),
            decision_listener("guarded-original", "x-original", trusted_sources=["127.0.0.1"]),
        ],
        "limits": {"header_timeout": "10s", "idle_timeout": "30s"},
        "stores": {
            "staff": {"type": "htpasswd", "path": str(htpasswd), "groups": str(groups)},
            "dig": {"type": "htdigest", "path": str(store),
                    "groups": str(passwords.write_groups(workdir / "digest-groups.txt", [ALICE]))},
        },
        "realms": {
            "staff": {"scheme": "basic", "realm": configs.REALM, "store": "staff"},
            "api": configs.hmac_bearer_realm(secret, "API"),
            "dig": {"scheme": "digest", "realm": DIGEST_REALM, "store": "dig"},
            # Keys from a URL nothing listens on: every token gets 503 + Retry-After (keys_unavailable).
            "remote": {"scheme": "bearer", "realm": "Remote", "algorithms": ["RS256"],
                       "jwks": {"url": f"http://127.0.0.1:{free_port()}/jwks", "timeout": "1s"}},
        },
        "routes": ROUTES,
        "access_log": {"enabled": True, "path": "-"},
        "admin": {"address": "127.0.0.1", "port": free_port()},
    }
    return module_launcher.serve(config, name="forward-auth.yaml")


def port(gw, listener: str) -> int:
    return next(entry["port"] for entry in gw.config["listeners"] if entry["name"] == listener)


@pytest.fixture(scope="module")
def nginx(gw, module_upstream, tmp_path_factory):
    """nginx auth_request → the `nginx` listener, then the strict upstream; stopped before the gateway."""
    proxy = front_proxy.start_nginx(tmp_path_factory.mktemp("nginx"), port(gw, "nginx"), module_upstream.port)
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
def caddy(gw, module_upstream, tmp_path_factory):
    """Caddy forward_auth → the `authz` listener, then the strict upstream; stopped before the gateway."""
    proxy = front_proxy.start_caddy(tmp_path_factory.mktemp("caddy"), port(gw, "authz"), module_upstream.port)
    yield proxy
    proxy.stop()


# --- requests -----------------------------------------------------------------------------------------

class SourceConnection(RawConnection):
    """A RawConnection whose socket is bound to the local address `source` (any 127/8 address is ours)."""

    def __init__(self, port: int, source: str = "127.0.0.1", timeout: float = 15.0):
        self.timeout = timeout
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
        self.buffer = bytearray()


def decide(port_number: int, fields, target: str = "/", method: str = "GET", source: str = "127.0.0.1"):
    """One decision request on a new connection from `source`: (response, the peer "ip:port" authgate saw)."""
    with SourceConnection(port_number, source) as conn:
        peer = "%s:%d" % conn.sock.getsockname()
        return conn.request(method, target, list(fields)), peer


def via(proxy, target: str, fields=(), host: str = "127.0.0.1"):
    """GET `target` through a front proxy on a fresh connection."""
    with RawConnection(proxy.port) as conn:
        return conn.request("GET", target, [("Host", host), *fields])


def traefik(port_number: int, uri: str, method: str = "GET", host: str = "app.example", auth: str = None,
            extra=(), forwarded_for: str = "192.0.2.10") -> list:
    """What Traefik's ForwardAuth sends for a client's `method uri` on `host`: a GET to the auth address
    (Host is that address), the client's fields (Authorization included), then X-Forwarded-* overwritten."""
    fields = [("Host", f"127.0.0.1:{port_number}"), ("User-Agent", "curl/7.88.1"), ("Accept", "*/*")]
    if auth is not None:
        fields.append(("Authorization", auth))
    fields += list(extra)
    if forwarded_for is not None:
        fields.append(("X-Forwarded-For", forwarded_for))
    fields += [("X-Forwarded-Host", host), ("X-Forwarded-Method", method), ("X-Forwarded-Port", "443"),
               ("X-Forwarded-Proto", "https"), ("X-Forwarded-Server", "traefik"), ("X-Forwarded-Uri", uri)]
    return fields + ([("X-Real-Ip", forwarded_for)] if forwarded_for is not None else [])


def nginx_subrequest(uri: str, method: str = "GET", host: str = "127.0.0.1", auth: str = None) -> list:
    """What the recipe's `location = /_authgate` sends: X-Original-URL and -Method, the client's fields."""
    fields = [("Host", "authgate"), ("X-Original-URL", f"http://{host}{uri}"), ("X-Original-Method", method)]
    return fields + ([("Authorization", auth)] if auth is not None else [])


def envoy(host: str, auth: str = None, extra=()) -> list:
    """What Envoy's ext_authz HTTP service sends besides the method and path: the original :authority as
    Host, the allowed headers (lower-case on the wire, as Envoy writes them) and an empty body."""
    fields = [("host", host)] + ([("authorization", auth)] if auth is not None else [])
    return fields + list(extra) + [("content-length", "0")]


def marker() -> str:
    return uuid.uuid4().hex


def bearer(key, sub: str = "svc", groups=("ops",)) -> str:
    return tokens.mint_pyjwt(key, "HS256", tokens.claims(sub=sub, groups=list(groups), jti=marker()))


ALICE_AUTH = basic(ALICE.name, ALICE.password)
BOB_AUTH = basic(BOB.name, BOB.password)


# --- what came back ------------------------------------------------------------------------------------

def assert_allowed(response, user: str, groups: str, scheme: str, extra=()):
    """200 OK, no body, Cache-Control: no-store and always the three identity fields, each exactly once and
    nothing else but Date and `extra` (lower-case names)."""
    assert (response.status, response.reason) == (200, "OK"), (response.status, response.headers)
    assert response.body == b""
    assert response.header("Content-Length") == "0"
    assert response.header("Cache-Control") == "no-store"
    assert [response.header(name) for name in IDENTITY] == [user, groups, scheme]
    names = sorted(k.lower() for k, _ in response.headers if k.lower() != "date")
    expected = ["content-length", "cache-control", "x-auth-user", "x-auth-groups", "x-auth-scheme", *extra]
    assert names == sorted(expected), response.headers


def assert_refused(response, status: int, challenges=()):
    """The reverse proxy's local reply: `status`, one WWW-Authenticate line per challenge, the short text
    body, no-store on 401/403, and no identity field (a refusal names nobody)."""
    assert response.status == status, (response.status, response.headers, response.body)
    assert response.headers_named("WWW-Authenticate") == list(challenges)
    assert response.body == f"{status} {REASONS[status]}\n".encode()
    if status in (401, 403):
        assert response.header("Cache-Control") == "no-store"
    assert [response.header(name) for name in IDENTITY] == [None, None, None]


def assert_compat(response, real: int, challenges=()):
    """nginx_compat: X-Authgate-Status names the real status; anything but 2xx/401/403 is sent as 403; a
    401's challenges travel in ONE WWW-Authenticate field, comma-separated (RFC 9110 §11.6.1)."""
    sent = real if real in (200, 401, 403) else 403
    assert response.status == sent, (response.status, response.headers, response.body)
    assert response.headers_named("X-Authgate-Status") == [str(real)]
    assert response.headers_named("WWW-Authenticate") == ([", ".join(challenges)] if challenges else [])


def logged(gw, where) -> dict:
    """The one access-log line that satisfies `where` (waiting for it)."""
    entries = gw.wait_for_access_log(1, where)
    assert len(entries) == 1, entries
    return entries[0]


def logged_path(gw, path: str) -> dict:
    return logged(gw, lambda e: e.get("path") == path)


def logged_peer(gw, peer: str) -> dict:
    return logged(gw, lambda e: e.get("client") == peer)


def assert_logged(entry: dict, **expected):
    """The access-log line holds these values (its other keys are not this test's business)."""
    assert {key: entry.get(key) for key in expected} == expected, entry


def fold(name: str) -> str:
    """What CGI, WSGI and PHP make of a field name: case and '-' versus '_' do not matter."""
    return name.lower().replace("_", "-")


def received(upstream, mark: str) -> dict:
    """The upstream's one record of the request whose target holds `mark`."""
    found = [r for r in upstream.requests if mark in r["target"]]
    assert len(found) == 1, f"{mark}: {len(found)} upstream records"
    return found[0]


def identity_at(record: dict) -> list:
    """(name, raw value) of every field the upstream got that folds to an identity name, sorted."""
    wanted = {fold(name) for name in IDENTITY}
    return sorted((k, v.encode("latin-1")) for k, v in record["headers"] if fold(k) in wanted)


def wire_head(upstream, mark: str) -> bytes:
    """The exact bytes of the one request whose target holds `mark`, as the strict upstream parsed them."""
    upstream.settle()
    found = [m for messages in upstream.messages() for m in messages if mark in m.target]
    assert len(found) == 1, f"{mark}: {len(found)} messages"
    return bytes(found[0].data[found[0].start:found[0].end])


def nothing_upstream(upstream, mark: str):
    assert [r["target"] for r in upstream.requests if mark in r["target"]] == []


# --- nginx auth_request ----------------------------------------------------------------------------------

def test_nginx_passes_both_challenges_in_its_one_www_authenticate_line(gw, nginx, module_upstream):
    """nginx copies only the first WWW-Authenticate of the subrequest: with nginx_compat it holds both."""
    m = marker()
    response = via(nginx, f"/both/{m}")
    assert response.status == 401, (response.status, response.headers)
    assert response.headers_named("WWW-Authenticate") == [f"{CHALLENGE}, {API}"]
    nothing_upstream(module_upstream, m)
    assert_logged(logged_path(gw, f"/both/{m}"), listener="nginx", method="GET", route="both", status=401,
                  user=None, reason="no_credentials")


def test_nginx_answers_403_to_a_user_the_route_does_not_allow(gw, nginx, module_upstream):
    m = marker()
    response = via(nginx, f"/admin/{m}", [("Authorization", BOB_AUTH)])
    assert response.status == 403, (response.status, response.headers)
    assert response.headers_named("WWW-Authenticate") == []
    nothing_upstream(module_upstream, m)
    assert_logged(logged_path(gw, f"/admin/{m}"), user="bob", reason="user_not_allowed")


@pytest.mark.parametrize("target, fields, status, reason", [
    pytest.param("/private/{m}", [MALFORMED], 400, "malformed_header",
                 id="a malformed Authorization gets 400"),
    pytest.param("/elsewhere/{m}", [], 404, "route_not_found", id="a path no route covers gets 404"),
    pytest.param("/keyless/{m}", [("Authorization", "Bearer a.b.c")], 503, "keys_unavailable",
                 id="keys not yet fetched get 503 with Retry-After"),
])
def test_nginx_maps_the_compat_403_back_to_the_real_status(gw, nginx, module_upstream, target, fields, status,
                                                           reason):
    """nginx turns anything but 2xx/401/403 from the subrequest into 500: authgate sends 403 +
    X-Authgate-Status, and the recipe's error_page gives the client the real status."""
    m = marker()
    response = via(nginx, target.format(m=m), fields)
    assert response.status == status, (response.status, response.headers)
    if status == 503:
        retry_after = [value for name, value in response.headers if name.lower() == "retry-after"]
        assert len(retry_after) == 1 and int(retry_after[0]) >= 1, response.headers  # authgate's, via the recipe
    nothing_upstream(module_upstream, m)
    assert logged_path(gw, target.format(m=m))["reason"] == reason


def test_nginx_forwards_alice_with_the_gateways_identity_and_without_her_credentials(gw, nginx,
                                                                                    module_upstream):
    """Exactly the gateway's three fields reach the app, byte for byte; the client's forged copies in every
    spelling and its Authorization do not (the recipe overwrites, clears and nginx drops '_' names)."""
    m = marker()
    response = via(nginx, f"/private/{m}?page=2", [("Authorization", ALICE_AUTH), *SPOOFS])
    assert response.status == 200, (response.status, response.headers)
    assert wire_head(module_upstream, m) == (
        f"GET /private/{m}?page=2 HTTP/1.1\r\nX-Auth-User: alice\r\nX-Auth-Groups: admins,staff\r\n"
        f"X-Auth-Scheme: Basic\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n").encode()
    assert_logged(logged_path(gw, f"/private/{m}"), listener="nginx", route="private", status=200,
                  user="alice", scheme="Basic", reason="ok")


def test_nginx_never_forwards_a_spoofed_identity_to_an_anonymous_route(gw, nginx, module_upstream):
    """The empty identity of an anonymous answer makes proxy_set_header send no field at all."""
    m = marker()
    response = via(nginx, f"/public/{m}", SPOOFS)
    assert response.status == 200, (response.status, response.headers)
    record = received(module_upstream, m)
    assert identity_at(record) == []
    assert logged_path(gw, f"/public/{m}")["reason"] == "anonymous"


def test_nginx_judges_the_host_the_client_asked_for(gw, nginx, module_upstream):
    """The route comes from X-Original-URL's host: intranet.example allows alice only."""
    m1, m2 = marker(), marker()
    assert via(nginx, f"/{m1}", [("Authorization", BOB_AUTH)], host="intranet.example").status == 403
    assert via(nginx, f"/{m2}", [("Authorization", ALICE_AUTH)], host="intranet.example").status == 200
    nothing_upstream(module_upstream, m1)
    assert identity_at(received(module_upstream, m2)) == [
        ("X-Auth-Groups", b"admins,staff"), ("X-Auth-Scheme", b"Basic"), ("X-Auth-User", b"alice")]
    assert logged_path(gw, f"/{m1}")["route"] == "intranet"


def test_nginx_x_forwarded_fields_from_the_client_are_ignored(gw, nginx, module_upstream):
    """nginx passes the client's X-Forwarded-* on to the subrequest; an x-original listener ignores them."""
    m = marker()
    forged = [("X-Forwarded-Method", "GET"), ("X-Forwarded-Proto", "http"),
              ("X-Forwarded-Host", "127.0.0.1"), ("X-Forwarded-Uri", f"/public/{m}")]
    response = via(nginx, f"/private/{m}", forged)
    assert response.status == 401, (response.status, response.headers)
    assert response.headers_named("WWW-Authenticate") == [CHALLENGE]
    nothing_upstream(module_upstream, m)


def test_nginx_dot_segments_are_judged_where_they_lead(gw, nginx, module_upstream):
    """$request_uri is the raw target: authgate resolves /public/../private itself and asks for
    credentials."""
    m = marker()
    response = via(nginx, f"/public/../private/{m}")
    assert response.status == 401, (response.status, response.headers)
    nothing_upstream(module_upstream, m)
    assert logged_path(gw, f"/private/{m}")["route"] == "private"


def test_nginx_a_repeated_credential_is_served_from_the_cache(gw, nginx, module_upstream):
    """jürgen (used by no other test here) twice: one bcrypt, then a cache hit."""
    m1, m2 = marker(), marker()
    auth = [("Authorization", basic(JURGEN.name, JURGEN.password))]
    assert via(nginx, f"/private/{m1}", auth).status == 200
    assert via(nginx, f"/private/{m2}", auth).status == 200
    assert [logged_path(gw, f"/private/{m}")["cache_hit"] for m in (m1, m2)] == [False, True]
    assert identity_at(received(module_upstream, m2)) == [
        ("X-Auth-Groups", b"staff"), ("X-Auth-Scheme", b"Basic"), ("X-Auth-User", JURGEN.name.encode())]


def test_nginx_digest_names_the_original_uri_and_its_authentication_info_reaches_the_client(gw, nginx,
                                                                                          module_upstream):
    """The client answers the challenge nginx passed on for the uri it asked for; the recipe adds
    authgate's Authentication-Info (rspauth, RFC 7616 §3.5) to the app's answer."""
    m = marker()
    uri = f"/digest/{m}?a=1"
    first = via(nginx, uri)
    assert first.status == 401, (first.status, first.headers)
    (challenge,) = digest.challenges_in(first)
    answer = digest.answer(challenge, ALICE.name, ALICE.password, "GET", uri)
    response = via(nginx, uri, [("Authorization", answer.header())])
    assert response.status == 200, (response.status, response.headers)
    assert response.header("Authentication-Info") == (
        f'qop=auth, rspauth="{answer.rspauth()}", cnonce="{answer.cnonce}", nc={answer.nc}')
    assert identity_at(received(module_upstream, m)) == [
        ("X-Auth-Groups", b"admins,staff"), ("X-Auth-Scheme", b"Digest"), ("X-Auth-User", b"alice")]


# --- Caddy forward_auth --------------------------------------------------------------------------------

def test_caddy_returns_both_challenge_lines(gw, caddy, module_upstream):
    """A non-2xx answer goes back to the client as it is: two WWW-Authenticate lines, the 401 body."""
    m = marker()
    response = via(caddy, f"/both/{m}")
    assert response.status == 401
    assert response.headers_named("WWW-Authenticate") == BOTH
    assert response.header("Cache-Control") == "no-store"
    assert response.body == b"401 Unauthorized\n"
    nothing_upstream(module_upstream, m)
    assert_logged(logged_path(gw, f"/both/{m}"), listener="authz", route="both", status=401)


@pytest.mark.parametrize("target, fields, status, reason", [
    pytest.param("/admin/{m}", [("Authorization", BOB_AUTH)], 403, "user_not_allowed",
                 id="bob on the admins route gets 403"),
    pytest.param("/private/{m}", [MALFORMED], 400, "malformed_header",
                 id="a malformed Authorization gets 400"),
    pytest.param("/elsewhere/{m}", [], 404, "route_not_found", id="a path no route covers gets 404"),
    pytest.param("/keyless/{m}", [("Authorization", "Bearer a.b.c")], 503, "keys_unavailable",
                 id="keys not yet fetched get 503 with Retry-After"),
])
def test_caddy_returns_the_refusal_as_it_is(gw, caddy, module_upstream, target, fields, status, reason):
    m = marker()
    response = via(caddy, target.format(m=m), fields)
    assert response.status == status
    assert response.body == f"{status} {REASONS[status]}\n".encode()
    assert response.headers_named("WWW-Authenticate") == []
    nothing_upstream(module_upstream, m)
    assert logged_path(gw, target.format(m=m))["reason"] == reason


def test_caddy_forwards_alice_with_the_gateways_identity_only(gw, caddy, module_upstream):
    """copy_headers sets the gateway's three values over the client's forged ones; the recipe's
    request_header lines remove Authorization and the '_' spellings. The whole head, as Go writes it."""
    m = marker()
    response = via(caddy, f"/private/{m}?page=2", [("Authorization", ALICE_AUTH), *SPOOFS])
    assert response.status == 200, (response.status, response.headers)
    assert received(module_upstream, m)["headers"] == [
        ["Host", "127.0.0.1"], ["X-Auth-Groups", "admins,staff"], ["X-Auth-Scheme", "Basic"],
        ["X-Auth-User", "alice"], ["X-Forwarded-For", "127.0.0.1"], ["X-Forwarded-Host", "127.0.0.1"],
        ["X-Forwarded-Proto", "http"], ["Accept-Encoding", "gzip"]]
    assert_logged(logged_path(gw, f"/private/{m}"), listener="authz", method="GET", route="private",
                  status=200, user="alice", scheme="Basic", reason="ok")


def test_caddy_forwards_a_bearer_identity(gw, caddy, module_upstream, key):
    m = marker()
    response = via(caddy, f"/both/{m}", [("Authorization", f"Bearer {bearer(key)}")])
    assert response.status == 200, (response.status, response.headers)
    assert identity_at(received(module_upstream, m)) == [
        ("X-Auth-Groups", b"ops"), ("X-Auth-Scheme", b"Bearer"), ("X-Auth-User", b"svc")]


def test_caddy_never_forwards_a_spoofed_identity_to_an_anonymous_route(gw, caddy, module_upstream):
    """authgate answers an anonymous route with the three fields EMPTY, and Caddy 2.6.2's copy_headers sets
    them empty over the client's. (Were they absent, 2.6.2 would send its placeholder text literally,
    `{http.reverse_proxy.header.X-Auth-User}`: the fields must always be there.)"""
    m = marker()
    response = via(caddy, f"/public/{m}", SPOOFS)
    assert response.status == 200, (response.status, response.headers)
    assert identity_at(received(module_upstream, m)) == [
        ("X-Auth-Groups", b""), ("X-Auth-Scheme", b""), ("X-Auth-User", b"")]


def test_caddy_copy_headers_alone_overwrites_a_spoofed_identity_with_the_empty_values(gw, module_upstream,
                                                                                    tmp_path):
    """forward_auth with nothing but copy_headers (no request_header lines): on an anonymous route Caddy
    2.6.2 sets the three fields to authgate's empty values over the client's. `X_Auth_User` still arrives
    (Caddy leaves names with '_' alone), which is why the documented recipe removes `*_*`."""
    proxy = front_proxy.start_caddy(tmp_path / "caddy-minimal", port(gw, "authz"), module_upstream.port,
                                    recipe="minimal")
    try:
        m1, m2 = marker(), marker()
        assert via(proxy, f"/public/{m1}", SPOOFS).status == 200
        assert via(proxy, f"/private/{m2}", [("Authorization", ALICE_AUTH), *SPOOFS]).status == 200
    finally:
        proxy.stop()
    assert identity_at(received(module_upstream, m1)) == [
        ("X-Auth-Groups", b""), ("X-Auth-Scheme", b""), ("X-Auth-User", b""), ("X_auth_user", b"root")]
    assert identity_at(received(module_upstream, m2)) == [
        ("X-Auth-Groups", b"admins,staff"), ("X-Auth-Scheme", b"Basic"), ("X-Auth-User", b"alice"),
        ("X_auth_user", b"root")]


@pytest.mark.parametrize("forged", [
    pytest.param([("X-Original-URL", "http://127.0.0.1/public/{m}"), ("X-Original-Method", "GET")],
                 id="X-Original-URL is another style and ignored"),
    pytest.param([("X-Forwarded-Uri", "/public/{m}"), ("X-Forwarded-Method", "GET")],
                 id="X-Forwarded-Uri is overwritten by Caddy"),
])
def test_caddy_forged_original_request_fields_do_not_open_a_route(gw, caddy, module_upstream, forged):
    m = marker()
    response = via(caddy, f"/private/{m}", [(k, v.format(m=m)) for k, v in forged])
    assert response.status == 401
    assert response.headers_named("WWW-Authenticate") == [CHALLENGE]
    nothing_upstream(module_upstream, m)
    assert logged_path(gw, f"/private/{m}")["reason"] == "no_credentials"


# --- Traefik ForwardAuth, imitated --------------------------------------------------------------------

def test_traefik_alice_is_allowed_with_her_identity(gw):
    m = marker()
    fields = traefik(port(gw, "authz"), f"/private/{m}?x=1", auth=ALICE_AUTH)
    response, peer = decide(port(gw, "authz"), fields)
    assert_allowed(response, "alice", "admins,staff", "Basic")
    entry = logged_path(gw, f"/private/{m}")
    assert_logged(entry, listener="authz", method="GET", route="private", status=200, user="alice",
                  scheme="Basic", reason="ok", client=peer, forwarded_for="192.0.2.10")


def test_traefik_an_anonymous_route_is_allowed_with_three_empty_identity_fields(gw):
    m = marker()
    response, _ = decide(port(gw, "authz"), traefik(port(gw, "authz"), f"/public/{m}", extra=SPOOFS))
    assert_allowed(response, "", "", "")


# (id, original method, uri, X-Forwarded-Host, Authorization, status, challenges, logged reason)
TRAEFIK = [
    ("no credentials on a Basic and Bearer route get 401 with both challenges", "GET", "/both/{m}",
     "app.example", None, 401, BOTH, "no_credentials"),
    ("a wrong password gets 401", "GET", "/private/{m}", "app.example", basic("alice", "wrong"), 401,
     [CHALLENGE], "wrong_password"),
    ("bob on the admins route gets 403", "GET", "/admin/{m}", "app.example", BOB_AUTH, 403, [],
     "user_not_allowed"),
    ("a malformed Authorization gets 400", "GET", "/private/{m}", "app.example", "Basic !!!", 400, [],
     "malformed_header"),
    ("a path no route covers gets 404", "GET", "/elsewhere/{m}", "app.example", ALICE_AUTH, 404, [],
     "route_not_found"),
    ("a method the route does not list matches no route", "POST", "/reports/{m}", "app.example", BOB_AUTH,
     404, [], "route_not_found"),
    ("the original host picks the route: bob on intranet.example gets 403", "GET", "/{m}", "intranet.example",
     BOB_AUTH, 403, [], "user_not_allowed"),
    ("the original host's port does not matter", "GET", "/{m}", "intranet.example:8443", BOB_AUTH, 403, [],
     "user_not_allowed"),
]


@pytest.mark.parametrize("method, uri, host, auth, status, challenges, reason", [r[1:] for r in TRAEFIK],
                         ids=[r[0] for r in TRAEFIK])
def test_traefik_refusals(gw, method, uri, host, auth, status, challenges, reason):
    m = marker()
    fields = traefik(port(gw, "authz"), uri.format(m=m), method=method, host=host, auth=auth)
    response, _ = decide(port(gw, "authz"), fields)
    assert_refused(response, status, challenges)
    assert_logged(logged_path(gw, uri.format(m=m)), method=method, status=status, reason=reason)


def test_traefik_the_route_is_judged_on_the_original_method_and_host_not_the_decision_requests(gw):
    """GET /reports is bob's; the decision request's own Host names intranet.example, which does not count."""
    m = marker()
    fields = [("Host", "intranet.example")] + traefik(port(gw, "authz"), f"/reports/{m}", auth=BOB_AUTH)[1:]
    response, _ = decide(port(gw, "authz"), fields)
    assert_allowed(response, "bob", "staff", "Basic")
    assert logged_path(gw, f"/reports/{m}")["route"] == "reports"


def test_traefik_a_token_in_the_original_query_is_used_and_one_in_the_decision_target_is_not(gw, key):
    m1, m2 = marker(), marker()
    token = bearer(key)
    response, _ = decide(port(gw, "authz"), traefik(port(gw, "authz"), f"/query/{m1}?access_token={token}"))
    assert_allowed(response, "svc", "ops", "Bearer")
    response, _ = decide(port(gw, "authz"), traefik(port(gw, "authz"), f"/query/{m2}"),
                         target=f"/?access_token={token}")
    assert_refused(response, 401, [API])
    assert all(token not in str(entry) for entry in gw.access_log()), "a token never reaches the log"


# Each row spoils one of the four X-Forwarded-* fields of a request for the anonymous /public/{m}, which a
# lenient reader would let through with 200.
FORWARDED = ["X-Forwarded-Method", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Uri"]
GOOD = {"X-Forwarded-Method": "GET", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example",
        "X-Forwarded-Uri": "/public/{m}"}
BAD_FORWARDED = (
    [(f"{name} missing", name, []) for name in FORWARDED]
    + [(f"{name} twice", name, [GOOD[name], GOOD[name]]) for name in FORWARDED]
    + [("X-Forwarded-Method as a list", "X-Forwarded-Method", ["GET, POST"]),
       ("X-Forwarded-Proto as a list", "X-Forwarded-Proto", ["https, http"]),
       ("X-Forwarded-Host as a list", "X-Forwarded-Host", ["app.example, intranet.example"]),
       ("X-Forwarded-Proto neither http nor https", "X-Forwarded-Proto", ["ftp"])])


def forwarded_fields(spoiled: str = None, values=()) -> list:
    fields = [("Host", "authgate.internal")]
    for name in FORWARDED:
        fields += [(name, v) for v in (values if name == spoiled else [GOOD[name]])]
    return fields


def test_traefik_the_four_fields_complete_get_200(gw):
    m = marker()
    response, _ = decide(port(gw, "authz"), [(k, v.format(m=m)) for k, v in forwarded_fields()])
    assert_allowed(response, "", "", "")


@pytest.mark.parametrize("name, values", [r[1:] for r in BAD_FORWARDED],
                         ids=[f"{r[0]} gets 400 bad_forwarded_request" for r in BAD_FORWARDED])
def test_traefik_a_missing_or_repeated_x_forwarded_field_gets_400(gw, name, values):
    m = marker()
    fields = [(k, v.format(m=m)) for k, v in forwarded_fields(name, values)]
    response, peer = decide(port(gw, "authz"), fields)
    assert_refused(response, 400)
    assert_logged(logged_peer(gw, peer), listener="authz", status=400, user=None,
                  reason="bad_forwarded_request")


def test_traefik_a_decision_request_with_ambiguous_framing_gets_400_whatever_it_describes(gw):
    """The decision request's own head is checked like any request's (RFC 9112 §6.1: Content-Length next to
    Transfer-Encoding): 400 even for the anonymous route."""
    fields = traefik(port(gw, "authz"), f"/public/{marker()}", forwarded_for=None)
    response, _ = decide(port(gw, "authz"), fields + [("Content-Length", "0"), ("Transfer-Encoding", "chunked")])
    assert_refused(response, 400)


def test_traefik_a_forged_x_original_url_is_ignored(gw):
    """Another style's field on an x-forwarded listener counts for nothing: /private is judged."""
    m = marker()
    forged = [("X-Original-URL", f"https://app.example/public/{m}"), ("X-Original-Method", "GET")]
    response, _ = decide(port(gw, "authz"), traefik(port(gw, "authz"), f"/private/{m}", extra=forged))
    assert_refused(response, 401, [CHALLENGE])


def test_decisions_are_counted_per_route_and_status(gw):
    for _ in range(2):
        response, _ = decide(port(gw, "authz"), traefik(port(gw, "authz"), f"/metered/{marker()}"))
        assert response.status == 200
    sample = 'authgate_requests_total{route="metered",code="200"} 2'
    deadline = time.monotonic() + 10  # the record lands just after the response bytes
    while sample not in (text := requests.get(gw.admin_url("/metrics"), timeout=10).text).splitlines():
        assert time.monotonic() < deadline, [l for l in text.splitlines() if 'route="metered"' in l]
        time.sleep(0.05)


# --- nginx's subrequest, imitated: the compat answers -----------------------------------------------------

def test_nginx_compat_allowed_carries_its_status_too(gw):
    m = marker()
    response, _ = decide(port(gw, "nginx"), nginx_subrequest(f"/private/{m}", auth=ALICE_AUTH))
    assert_allowed(response, "alice", "admins,staff", "Basic", extra=["x-authgate-status"])
    assert response.header("X-Authgate-Status") == "200"


@pytest.mark.parametrize("uri, auth, real, challenges", [
    pytest.param("/both/{m}", None, 401, BOTH, id="401 with both challenges in one field"),
    pytest.param("/admin/{m}", BOB_AUTH, 403, [], id="403 stays 403"),
    pytest.param("/private/{m}", "Basic !!!", 400, [], id="400 is sent as 403"),
    pytest.param("/elsewhere/{m}", None, 404, [], id="404 is sent as 403"),
])
def test_nginx_compat_answers(gw, uri, auth, real, challenges):
    m = marker()
    response, _ = decide(port(gw, "nginx"), nginx_subrequest(uri.format(m=m), auth=auth))
    assert_compat(response, real, challenges)
    assert [response.header(name) for name in IDENTITY] == [None, None, None]


BAD_ORIGINAL = [
    ("X-Original-URL missing", [("X-Original-Method", "GET")]),
    ("X-Original-Method missing", [("X-Original-URL", "http://app.example/public/{m}")]),
    ("X-Original-URL twice", [("X-Original-URL", "http://app.example/public/{m}")] * 2 +
     [("X-Original-Method", "GET")]),
    ("X-Original-Method twice", [("X-Original-URL", "http://app.example/public/{m}"),
                                 ("X-Original-Method", "GET"), ("X-Original-Method", "GET")]),
    ("X-Original-URL not absolute", [("X-Original-URL", "/public/{m}"), ("X-Original-Method", "GET")]),
]


@pytest.mark.parametrize("fields", [r[1] for r in BAD_ORIGINAL],
                         ids=[f"{r[0]} gets 400 (sent as 403)" for r in BAD_ORIGINAL])
def test_nginx_compat_a_missing_or_repeated_x_original_field_gets_400(gw, fields):
    m = marker()
    fields = [("Host", "authgate")] + [(k, v.format(m=m)) for k, v in fields]
    response, peer = decide(port(gw, "nginx"), fields)
    assert_compat(response, 400)
    assert logged_peer(gw, peer)["reason"] == "bad_forwarded_request"


# --- Envoy ext_authz, imitated ----------------------------------------------------------------------------

def test_envoy_the_path_after_the_prefix_is_the_original_request(gw):
    m = marker()
    fields = envoy("app.example", ALICE_AUTH)
    response, _ = decide(port(gw, "envoy"), fields, target=f"/authz/private/{m}?x=1")
    assert_allowed(response, "alice", "admins,staff", "Basic")
    assert_logged(logged_path(gw, f"/private/{m}"), listener="envoy", method="GET", route="private",
                  reason="ok")


# (id, method, target, Host, Authorization, status)
ENVOY = [
    ("the prefix alone is the original /", "GET", "/authz", "intranet.example", BOB_AUTH, 403),
    ("the prefix and a slash are the original /", "GET", "/authz/", "intranet.example", ALICE_AUTH, 200),
    ("the original method is the decision request's: POST matches no GET route", "POST", "/authz/reports/{m}",
     "app.example", BOB_AUTH, 404),
    ("the same path with GET is bob's", "GET", "/authz/reports/{m}", "app.example", BOB_AUTH, 200),
    ("the original host is the decision request's Host, port ignored", "GET", "/authz/{m}",
     "intranet.example:10000", BOB_AUTH, 403),
    ("no credentials get both challenges", "GET", "/authz/both/{m}", "app.example", None, 401),
    ("a prefix that does not end on a segment boundary gets 400", "GET", "/authzed/public/{m}", "app.example",
     None, 400),
    ("a target outside the prefix gets 400", "GET", "/public/{m}", "app.example", None, 400),
]


@pytest.mark.parametrize("method, target, host, auth, status", [r[1:] for r in ENVOY],
                         ids=[r[0] for r in ENVOY])
def test_envoy_decisions(gw, method, target, host, auth, status):
    target = target.format(m=marker())
    response, _ = decide(port(gw, "envoy"), envoy(host, auth), target=target, method=method)
    if status == 200:
        assert response.status == 200 and response.body == b"", (response.status, response.headers)
    else:
        assert_refused(response, status, BOTH if status == 401 else [])


def test_envoy_a_token_in_the_original_query_is_used(gw, key):
    target = f"/authz/query/{marker()}?access_token={bearer(key)}"
    response, _ = decide(port(gw, "envoy"), envoy("app.example", extra=[("x-forwarded-proto", "https")]),
                         target=target)
    assert_allowed(response, "svc", "ops", "Bearer")


# --- Digest through the decision endpoint ------------------------------------------------------------------

def digest_round(port_number: int, fields_for, uri: str, answer_uri: str, target: str = "/"):
    """A 401 with a fresh Digest challenge for the original `uri`, then alice's answer naming `answer_uri`:
    (answer, response)."""
    first, _ = decide(port_number, fields_for(None), target=target)
    assert first.status == 401, (first.status, first.headers)
    (challenge,) = digest.challenges_in(first)
    assert challenge.scheme == "Digest" and challenge["realm"] == DIGEST_REALM
    answer = digest.answer(challenge, ALICE.name, ALICE.password, "GET", answer_uri)
    response, _ = decide(port_number, fields_for(answer.header()), target=target)
    return answer, response


def assert_digest_allowed(answer, response):
    """200 with alice's identity and an Authentication-Info only a holder of her HA1 can compute
    (RFC 7616 §3.5: rspauth over ":" uri)."""
    info = f'qop=auth, rspauth="{answer.rspauth()}", cnonce="{answer.cnonce}", nc={answer.nc}'
    assert_allowed(response, "alice", "admins,staff", "Digest", extra=["authentication-info"])
    assert response.header("Authentication-Info") == info


def test_digest_names_the_original_uri(gw):
    uri = f"/digest/{marker()}?page=1"
    answer, response = digest_round(port(gw, "authz"), lambda a: traefik(port(gw, "authz"), uri, auth=a),
                                    uri, uri)
    assert_digest_allowed(answer, response)


def test_digest_naming_the_decision_requests_own_target_gets_400(gw):
    """RFC 7616 §3.4.6: the uri must name the request judged, the original one."""
    m = marker()
    uri = f"/digest/{m}"
    _, response = digest_round(port(gw, "authz"), lambda a: traefik(port(gw, "authz"), uri, auth=a), uri, "/")
    assert_refused(response, 400)
    entries = gw.wait_for_access_log(2, lambda e: e.get("path") == uri)
    assert sorted(e["reason"] for e in entries) == ["no_credentials", "uri_mismatch"]


@pytest.mark.parametrize("named, status", [
    pytest.param("/digest/{m}?a=1", 200, id="the uri after the prefix gets in"),
    pytest.param("/authz/digest/{m}?a=1", 400, id="the decision target with the prefix gets 400"),
])
def test_digest_through_envoy_names_the_path_after_the_prefix(gw, named, status):
    m = marker()
    answer, response = digest_round(port(gw, "envoy"), lambda a: envoy("app.example", a), f"/digest/{m}?a=1",
                                    named.format(m=m), target=f"/authz/digest/{m}?a=1")
    if status == 200:
        assert_digest_allowed(answer, response)
    else:
        assert_refused(response, 400)


# --- trust -----------------------------------------------------------------------------------------------

# (id, listener, source address, fields for `m`): every one names what the peer may not use or has no
# business deciding; the listener trusts another address, so nothing is judged.
UNTRUSTED = [
    ("a forged X-Forwarded-Uri naming an anonymous route", "guarded", "127.0.0.1",
     lambda p, m: traefik(p, f"/public/{m}", forwarded_for=None)),
    ("a forged X-Forwarded-Uri with bob's credentials for the admins route", "guarded", "127.0.0.1",
     lambda p, m: traefik(p, f"/admin/{m}", auth=BOB_AUTH, forwarded_for=None)),
    ("alice's valid credentials for her own route", "guarded", "127.0.0.1",
     lambda p, m: traefik(p, f"/private/{m}", auth=ALICE_AUTH, forwarded_for=None)),
    ("a forged X-Original-URL naming an anonymous route, from 127.0.0.3", "guarded-original", "127.0.0.3",
     lambda p, m: nginx_subrequest(f"/public/{m}")),
    ("a forged X-Original-URL with alice's credentials, from 127.0.0.3", "guarded-original", "127.0.0.3",
     lambda p, m: nginx_subrequest(f"/private/{m}", auth=ALICE_AUTH)),
]


@pytest.mark.parametrize("listener, source, make", [r[1:] for r in UNTRUSTED],
                         ids=[f"{r[0]} gets 403 untrusted_source" for r in UNTRUSTED])
def test_an_untrusted_peer_is_never_authorised(gw, listener, source, make):
    m = marker()
    response, peer = decide(port(gw, listener), make(port(gw, listener), m), source=source)
    assert_refused(response, 403)
    assert_logged(logged_peer(gw, peer), listener=listener, status=403, route=None, user=None,
                  reason="untrusted_source")


@pytest.mark.parametrize("listener, source, make", [
    pytest.param("guarded", "127.0.0.2", lambda p, m: traefik(p, f"/public/{m}", forwarded_for=None),
                 id="guarded from 127.0.0.2/32"),
    pytest.param("guarded-original", "127.0.0.1", lambda p, m: nginx_subrequest(f"/public/{m}"),
                 id="guarded-original from 127.0.0.1"),
])
def test_the_trusted_peer_of_a_guarded_listener_is_judged(gw, listener, source, make):
    m = marker()
    response, _ = decide(port(gw, listener), make(port(gw, listener), m), source=source)
    assert_allowed(response, "", "", "")
    assert logged_path(gw, f"/public/{m}")["reason"] == "anonymous"


# (id, listener, source, X-Forwarded-For field values, the client address logged in `forwarded_for`)
CLIENTS = [
    ("the right-most untrusted entry, not the left-most a client may forge", "authz", "127.0.0.1",
     ["198.51.100.7, 203.0.113.9, 127.0.0.8"], "203.0.113.9"),
    ("two field lines are one list", "authz", "127.0.0.1", ["198.51.100.7", "203.0.113.9, 127.0.0.1"],
     "203.0.113.9"),
    # Every hop trusted: the request began inside; the left-most entry is where (nginx real_ip_recursive).
    ("only trusted entries: the left-most", "authz", "127.0.0.1", ["127.0.0.5"], "127.0.0.5"),
    ("only trusted entries from another peer: the left-most", "authz", "127.0.0.3", ["127.0.0.5, 127.0.0.6"],
     "127.0.0.5"),
    ("no X-Forwarded-For: the peer", "authz", "127.0.0.1", [], "127.0.0.1"),
    ("trusted means the listener's trusted_sources: 127.0.0.1 is untrusted on `guarded`", "guarded",
     "127.0.0.2", ["203.0.113.9, 127.0.0.1"], "127.0.0.1"),
]


@pytest.mark.parametrize("listener, source, values, client", [r[1:] for r in CLIENTS],
                         ids=[r[0] for r in CLIENTS])
def test_the_logged_client_is_the_right_most_untrusted_x_forwarded_for_entry(gw, listener, source, values,
                                                                               client):
    """The spec's client address goes to the access log's `forwarded_for`; `client` stays the peer."""
    m = marker()
    fields = traefik(port(gw, listener), f"/public/{m}", forwarded_for=None)
    fields += [("X-Forwarded-For", value) for value in values]
    response, peer = decide(port(gw, listener), fields, source=source)
    assert response.status == 200, (response.status, response.headers)
    assert_logged(logged_path(gw, f"/public/{m}"), client=peer, forwarded_for=client)


# --- the original path, normalised as the reverse proxy normalises it -----------------------------------

# (id, X-Forwarded-Uri for `m`, status, the path judged and logged). The reverse proxy resolves dot-segments,
# encoded ones included (test_routing.py), and refuses %2F, %00, a backslash and `..;` with 400.
PATHS = [
    ("a dot-dot out of the anonymous route is judged as /private", "/public/../private/{m}", 401,
     "/private/{m}"),
    ("a dot segment and a dot-dot", "/public/./../private/{m}", 401, "/private/{m}"),
    ("a percent-encoded dot-dot", "/public/%2e%2e/private/{m}", 401, "/private/{m}"),
    ("an encoded slash", "/public%2F..%2Fprivate/{m}", 400, None),
    ("a lower-case encoded slash after a dot-dot", "/public/..%2fprivate/{m}", 400, None),
    ("an encoded NUL", "/public/%00/{m}", 400, None),
    ("a backslash", "/public/..\\private/{m}", 400, None),
    ("a dot-dot with a path parameter", "/public/..;/private/{m}", 400, None),
]


@pytest.mark.parametrize("uri, status, judged", [r[1:] for r in PATHS], ids=[r[0] for r in PATHS])
def test_the_original_path_is_normalised(gw, uri, status, judged):
    m = marker()
    fields = traefik(port(gw, "authz"), uri.format(m=m), forwarded_for=None)
    response, peer = decide(port(gw, "authz"), fields)
    assert_refused(response, status, [CHALLENGE] if status == 401 else [])
    entry = logged_peer(gw, peer)
    assert entry["status"] == status
    if judged is not None:
        assert (entry["path"], entry["route"]) == (judged.format(m=m), "private")


# --- authgate check --------------------------------------------------------------------------------------

def test_check_shows_decision_routes_and_each_listeners_mode(gw):
    """The route table shows `(decisions only)` where there is no upstream, and a listener list gives
    each listener's mode."""
    result = run_cli(["check", "--config", gw.config_path])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("NAME "))
    column = header.index("UPSTREAM")
    names = {route["name"] for route in ROUTES}
    rows = {line.split()[0]: line[column:].strip() for line in lines
            if line.split() and line.split()[0] in names}
    assert rows == {name: "(decisions only)" for name in names}, result.stdout
    for listener in gw.config["listeners"]:
        style = listener["forward_auth"]["original_request"]
        assert any(listener["name"] in line.split() and style in line for line in lines), result.stdout
