"""The authenticating forward proxy (issue 14, docs/forward-proxy.md): real clients on loopback — curl -x
with every proxy-auth option, python requests and httpx with credentials in the proxy URL — for plain HTTP
and for HTTPS through CONNECT to a local TLS origin; 407 + Proxy-Authenticate, an origin's own 401 passing
through, Proxy-Authorization consumed; destinations refused (403) with nothing sent to them; 400, 502 and
504; a 100 MiB tunnel with flat memory; idle tunnels closed on time; the access log and /metrics.

One gateway serves the module (fixture `gw`): `main` (the reverse proxy of harness/configs.py plus /origin
behind a realm of its own), `proxy` (Basic, 127.0.0.1 only, listed ports), `proxy-digest` (Digest SHA-256,
identity passed on), `proxy-open` (any host, internal addresses refused), `proxy-both` (Basic + Bearer,
1 s response timeout) and `proxy-default` (nothing but a realm: the default rule, no allow_internal).
The idle-tunnel test starts a second gateway with a 2 s idle timeout."""
import hashlib
import json
import os
import selectors
import threading
import time

import httpx
import pytest
import requests

from harness import certs, configs, digest, passwords, tokens, yaml_text
from harness import forward_proxy as fp
from harness.fixtures import basic
from harness.gateway import REPO, run_cli, wait_accepting
from harness.passwords import ALICE, BOB, JURGEN, User
from harness.ports import free_port
from harness.raw_http import RawConnection, request_bytes
from harness.upstream import PATTERN, EchoUpstream, pattern_sha256

PROXY_REALM = "Proxy area"
PROXY_CHALLENGE = f'Basic realm="{PROXY_REALM}", charset="UTF-8"'
ORIGIN_REALM = "Origin area"
ORIGIN_CHALLENGE = f'Basic realm="{ORIGIN_REALM}", charset="UTF-8"'
DIGEST_REALM = "Proxy digest"
BEARER_CHALLENGE = 'Bearer realm="Proxy API"'
DAVE = User("dave", "dave-secret-4")  # in the store, in no group: refused by the allow-list (group staff)
CAROL = User("carol", "carol-origin-5")  # known only to the origin's realm
AUTH_ALICE = ("Proxy-Authorization", basic(ALICE.name, ALICE.password))
MIB = 1 << 20
TUNNEL_MIB = 100
STREAM_MIB = 32
IDLE_TUNNELS = 1000


# --- fixtures -----------------------------------------------------------------------------------

def _checked(server):
    server.stop()
    server.wait_closed(timeout=5)
    server.assert_clean()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """(CA certificate, server leaf for 127.0.0.1) made by the openssl CLI."""
    directory = tmp_path_factory.mktemp("pki")
    ca = certs.make_ca(directory)
    return ca, certs.make_leaf(directory, ca, "origin")


@pytest.fixture(scope="module")
def tls_origin(pki):
    """The strict recording echo upstream speaking https: the origin behind CONNECT."""
    _, leaf = pki
    server = EchoUpstream(tls=fp.server_tls(leaf.cert, leaf.key)).start()
    yield server
    _checked(server)


@pytest.fixture(scope="module")
def echo():
    """A raw TCP echo server to tunnel bytes to."""
    server = fp.TcpEcho().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def full_backlog():
    """A port whose connects time out (see harness/forward_proxy.FullBacklog)."""
    port = fp.FullBacklog()
    yield port
    port.close()


@pytest.fixture(scope="module")
def dead_port():
    """A port nobody listens on: connects are refused."""
    return free_port()


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, tls_origin, echo, full_backlog, dead_port, tmp_path_factory):
    """The module's gateway (see the module docstring); `gw.bearer_key` signs tokens for `proxy-both`.

    `proxy`: group staff only; bob's own rule allows only.example; everyone else 127.0.0.1 on the listed
    ports (the upstream and `main` for plain HTTP, the TLS origin and the echo server for CONNECT, plus
    the timing-out and the refused port), methods GET HEAD POST CONNECT, connect timeout 1 s."""
    workdir = tmp_path_factory.mktemp("forward-proxy")
    htpasswd, groups = passwords.write_default_store(workdir, users=(*passwords.DEFAULT_USERS, DAVE))
    config = configs.gateway_config(module_upstream.url, htpasswd, groups)
    secret = workdir / "hs.secret"
    bearer_key = tokens.hmac_key_file(secret)
    main_port = config["listeners"][0]["port"]
    origin_store = passwords.write_htpasswd(
        workdir / "origin.htpasswd", [passwords.htpasswd_line(CAROL.name, CAROL.password, "B -C 4")])
    digest_store = digest.write_lines(workdir / "proxy.htdigest",
                                      [digest.ha1_line(ALICE.name, DIGEST_REALM, ALICE.password)])
    config["stores"]["origin"] = {"type": "htpasswd", "path": str(origin_store)}
    config["stores"]["proxy-digest"] = {"type": "htdigest", "path": str(digest_store), "groups": str(groups)}
    config["realms"]["origin"] = {"scheme": "basic", "realm": ORIGIN_REALM, "store": "origin"}
    config["realms"]["proxy"] = {"scheme": "basic", "realm": PROXY_REALM, "store": "staff"}
    config["realms"]["proxy-digest"] = {"scheme": "digest", "realm": DIGEST_REALM, "store": "proxy-digest",
                                        "digest": {"algorithms": ["SHA-256"]}}
    config["realms"]["proxy-bearer"] = configs.hmac_bearer_realm(secret, "Proxy API")
    config["routes"].insert(0, configs.route("origin", "/origin", {"realms": ["origin"]}))
    ports = ["80", module_upstream.port, main_port, full_backlog.port, dead_port]
    connect_ports = [tls_origin.port, echo.port, full_backlog.port, dead_port]
    config["listeners"] += [
        fp.listener("proxy", ["proxy"], [
            {"users": ["bob"], "hosts": ["only.example"]},  # bob's own rule decides for bob
            {"hosts": ["127.0.0.1"], "ports": [str(p) for p in ports],
             "connect_ports": [str(p) for p in connect_ports], "methods": ["GET", "HEAD", "POST", "CONNECT"]},
        ], groups=["staff"], allow_internal=["127.0.0.1"], connect_timeout="1s"),
        fp.listener("proxy-digest", ["proxy-digest"],
                    [{"hosts": ["127.0.0.1"], "ports": ["1025-65535"], "connect_ports": ["1025-65535"]}],
                    allow_internal=["127.0.0.1"], pass_identity=True),
        fp.listener("proxy-open", ["proxy"],
                    [{"hosts": ["*"], "ports": ["1025-65535"], "connect_ports": ["1025-65535"]}]),
        fp.listener("proxy-both", ["proxy", "proxy-bearer"],
                    [{"hosts": ["127.0.0.1"], "ports": ["1025-65535"], "connect_ports": ["1025-65535"]}],
                    allow_internal=["127.0.0.1"], response_timeout="1s"),
        fp.listener("proxy-default", ["proxy"]),
    ]
    gateway = module_launcher.serve(config)
    gateway.bearer_key = bearer_key
    return gateway


def port_of(gw, name: str) -> int:
    return next(listener["port"] for listener in gw.config["listeners"] if listener["name"] == name)


# --- helpers ------------------------------------------------------------------------------------

def authority_of(target: str) -> str:
    """The authority of an absolute-form target, or a CONNECT target as it is."""
    if "://" not in target:
        return target
    return target.split("://", 1)[1].split("/", 1)[0]


def ask(port: int, method: str, target: str, user: User = None, headers=(), timeout: float = 15):
    """One request to the proxy on a new connection, Host agreeing with the target (as every client sends
    it), Proxy-Authorization Basic for `user`. A CONNECT that succeeds returns (head, open connection);
    anything else (response with its body, None)."""
    fields = list(headers)
    if user is not None:
        fields.append(("Proxy-Authorization", basic(user.name, user.password)))
    connection = RawConnection(port, timeout=timeout)
    connection.send(request_bytes(method, target, fields, host=authority_of(target) or "127.0.0.1"))
    if method == "CONNECT":
        head = connection.read_head()
        if head.status == 200:
            return head, connection
        head.body = connection.read_exact(int(head.header("Content-Length") or 0))
        connection.close()
        return head, None
    response = connection.read_response(method)
    connection.close()
    return response, None


def upstream_connections(*servers) -> int:
    return sum(len(server.wires()) for server in servers)


def headers_named(record: dict, name: str) -> list:
    return [v for k, v in record["headers"] if k.lower() == name.lower()]


def logged(gw, where=lambda entry: True, **fields) -> dict:
    """The first access-log entry with these `fields` (and satisfying `where`), waiting for it: lines are
    written after the response, and reach stdout a little later."""
    match = lambda entry: all(entry.get(k) == v for k, v in fields.items()) and where(entry)
    return gw.wait_for_access_log(1, match)[0]


def metrics(gw) -> str:
    return requests.get(gw.admin_url("/metrics"), timeout=10).text


def quiet_metrics(gw) -> str:
    """/metrics once no client connection is open any more: every earlier request and tunnel is counted
    (a tunnel is counted when it ends)."""
    deadline = time.monotonic() + 10
    while fp.sample(text := metrics(gw), "authgate_connections_open") and time.monotonic() < deadline:
        time.sleep(0.05)
    return text


def echoed(body: bytes) -> dict:
    return json.loads(body)


# --- curl ---------------------------------------------------------------------------------------

CURL_OPTIONS = [
    # (id, listener, curl options, a 407 before the answer, Proxy-Authentication-Info on the answer)
    ("--proxy-user (Basic sent at once)", "proxy", [], False, False),
    ("--proxy-basic", "proxy", ["--proxy-basic"], False, False),
    ("--proxy-anyauth (asks, reads the Basic challenge)", "proxy", ["--proxy-anyauth"], True, False),
    ("--proxy-anyauth (asks, reads the Digest challenge)", "proxy-digest", ["--proxy-anyauth"], True, True),
    ("--proxy-digest", "proxy-digest", ["--proxy-digest"], True, True),
]


@pytest.mark.parametrize("listener,options,challenged,info", [row[1:] for row in CURL_OPTIONS],
                         ids=[f"curl {row[0]}, plain http" for row in CURL_OPTIONS])
def test_curl_gets_a_plain_http_origin_through_the_proxy(gw, module_upstream, listener, options, challenged,
                                                         info):
    """curl -x with each proxy-auth option reaches the plain-HTTP origin; only the options that wait for a
    challenge meet a 407 first, and Digest's success carries Proxy-Authentication-Info (RFC 7616 §3.5)."""
    result = fp.curl("-x", fp.proxy_url(port_of(gw, listener)), "--proxy-user",
                     f"{ALICE.name}:{ALICE.password}", *options, f"{module_upstream.url}/curl/plain?x=1")
    assert result.status == 200, (result.heads, result.stderr)
    assert result.statuses() == ([407, 200] if challenged else [200])
    record = echoed(result.body)
    assert record["target"] == "/curl/plain?x=1", "the origin is asked in origin-form"
    assert headers_named(record, "Proxy-Authorization") == []
    assert headers_named(record, "Proxy-Connection") == []
    assert bool(result.fields("Proxy-Authentication-Info")) == info
    assert result.fields("Authentication-Info") == []


@pytest.mark.parametrize("listener,options,challenged,info", [row[1:] for row in CURL_OPTIONS],
                         ids=[f"curl {row[0]}, https through CONNECT" for row in CURL_OPTIONS])
def test_curl_gets_a_tls_origin_through_a_connect_tunnel(gw, pki, tls_origin, listener, options, challenged,
                                                         info):
    """The same options for https: curl sends CONNECT with the credentials, gets `200 Connection
    established`, and speaks TLS end to end with the local origin (verified against the test CA)."""
    ca, _ = pki
    result = fp.curl("-x", fp.proxy_url(port_of(gw, listener)), "--proxy-user",
                     f"{ALICE.name}:{ALICE.password}", *options, "--cacert", ca,
                     f"{tls_origin.url}/curl/tls")
    assert result.status == 200, (result.heads, result.stderr)
    assert result.statuses() == ([407, 200, 200] if challenged else [200, 200])
    connect_head = result.lines(-2)
    assert not any(line.lower().startswith(("content-length", "transfer-encoding")) for line in connect_head), \
        "a 2xx to CONNECT has no framing fields (RFC 9110 §9.3.6)"
    assert bool(result.fields("Proxy-Authentication-Info", index=-2)) == info
    record = echoed(result.body)
    assert record["path"] == "/curl/tls"
    assert headers_named(record, "Proxy-Authorization") == []


def test_curl_sends_a_utf8_user_and_password_on_the_proxy_side(gw, module_upstream):
    """RFC 7617 §2.1 on the proxy side: the challenge says charset="UTF-8" and curl's UTF-8 user-pass verifies."""
    result = fp.curl("-x", fp.proxy_url(port_of(gw, "proxy")), "--proxy-user",
                     f"{JURGEN.name}:{JURGEN.password}", f"{module_upstream.url}/curl/utf8")
    assert result.status == 200, result.stderr
    entry = gw.wait_for_access_log(1, lambda e: e.get("path") == "/curl/utf8")[-1]
    assert entry["user"] == JURGEN.name


def test_curl_with_a_wrong_password_ends_on_407(gw, module_upstream):
    """A wrong proxy password is answered 407 with the challenge again, and nothing reaches the origin."""
    before = upstream_connections(module_upstream)
    result = fp.curl("-x", fp.proxy_url(port_of(gw, "proxy")), "--proxy-user", f"{ALICE.name}:wrong",
                     f"{module_upstream.url}/curl/wrong")
    assert result.status == 407
    assert result.fields("Proxy-Authenticate") == [PROXY_CHALLENGE]
    assert upstream_connections(module_upstream) == before


# --- requests and httpx --------------------------------------------------------------------------

def via_requests(proxy: str, url: str, ca) -> tuple:
    with requests.Session() as session:
        session.trust_env = False  # only the proxy given here
        response = session.get(url, proxies={"http": proxy, "https": proxy}, verify=str(ca), timeout=30)
        return response.status_code, response.content


def via_httpx(proxy: str, url: str, ca) -> tuple:
    with httpx.Client(proxies=proxy, verify=str(ca), trust_env=False, timeout=30) as client:
        response = client.get(url)
        return response.status_code, response.content


PYTHON_CLIENTS = {"python requests": via_requests, "httpx": via_httpx}


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("client", list(PYTHON_CLIENTS))
def test_python_clients_take_credentials_from_the_proxy_url(gw, pki, module_upstream, tls_origin, client,
                                                            scheme):
    """requests and httpx turn http://user:password@proxy into Proxy-Authorization: Basic, sent at once
    with the absolute-form request (http) or with CONNECT (https); the origin never sees it."""
    ca, _ = pki
    origin = module_upstream if scheme == "http" else tls_origin
    proxy = fp.proxy_url(port_of(gw, "proxy"), ALICE.name, ALICE.password)
    status, body = PYTHON_CLIENTS[client](proxy, f"{origin.url}/python/{scheme}", ca)
    assert status == 200
    record = echoed(body)
    assert record["path"] == f"/python/{scheme}"
    assert headers_named(record, "Proxy-Authorization") == []
    without, _ = PYTHON_CLIENTS[client](fp.proxy_url(port_of(gw, "proxy")), f"{module_upstream.url}/python/no",
                                        ca)
    assert without == 407


def test_httpx_sends_utf8_credentials_from_the_proxy_url(gw, pki, module_upstream):
    """httpx percent-decodes the proxy URL's userinfo and sends it as UTF-8, which the charset="UTF-8" realm
    takes (python requests cannot: it encodes proxy credentials as Latin-1 and raises UnicodeEncodeError)."""
    ca, _ = pki
    proxy = fp.proxy_url(port_of(gw, "proxy"), JURGEN.name, JURGEN.password)
    status, _ = via_httpx(proxy, f"{module_upstream.url}/python/utf8", ca)
    assert status == 200
    assert logged(gw, listener="proxy", path="/python/utf8")["user"] == JURGEN.name


# --- the challenge -------------------------------------------------------------------------------

CHALLENGED = [
    # (id, listener, method, user, the exact Proxy-Authenticate lines)
    ("GET without credentials", "proxy", "GET", None, [PROXY_CHALLENGE]),
    ("GET with a wrong password", "proxy", "GET", User(ALICE.name, "wrong"), [PROXY_CHALLENGE]),
    ("CONNECT without credentials", "proxy", "CONNECT", None, [PROXY_CHALLENGE]),
    ("GET without credentials, Digest listener", "proxy-digest", "GET", None, None),
    ("GET without credentials, Basic + Bearer listener (realm order)", "proxy-both", "GET", None,
     [PROXY_CHALLENGE, BEARER_CHALLENGE]),
]


@pytest.mark.parametrize("listener,method,user,expected", [row[1:] for row in CHALLENGED],
                         ids=[row[0] for row in CHALLENGED])
def test_407_carries_proxy_authenticate_and_never_www_authenticate(gw, module_upstream, tls_origin, listener,
                                                                   method, user, expected):
    """RFC 9110 §11.7.1, §15.5.8: a proxy asks with 407 + Proxy-Authenticate; WWW-Authenticate would be taken
    for the origin's challenge. The refused request goes nowhere."""
    target = f"{module_upstream.url}/challenge" if method == "GET" else f"127.0.0.1:{tls_origin.port}"
    before = upstream_connections(module_upstream, tls_origin)
    response, _ = ask(port_of(gw, listener), method, target, user)
    assert response.status == 407
    assert response.reason == "Proxy Authentication Required"
    assert response.headers_named("WWW-Authenticate") == []
    assert response.headers_named("Authentication-Info") == []
    assert response.header("Cache-Control") == "no-store"
    challenges = response.headers_named("Proxy-Authenticate")
    if expected is not None:
        assert challenges == expected
    else:
        parsed = [c for line in challenges for c in digest.parse_challenges(line)]
        assert [(c.scheme, c["realm"], c["algorithm"], c["qop"]) for c in parsed] == [
            ("Digest", DIGEST_REALM, "SHA-256", "auth")]
    assert upstream_connections(module_upstream, tls_origin) == before


def test_a_bearer_token_or_a_password_opens_a_listener_with_both_realms(gw, module_upstream, pki, tls_origin):
    """Bearer on the proxy side (RFC 6750 with Proxy-Authorization): curl's --proxy-header carries an HS256
    token for plain HTTP and for CONNECT; a Basic password opens the same listener; a bad token gets 407."""
    ca, _ = pki
    proxy = fp.proxy_url(port_of(gw, "proxy-both"))
    token = tokens.mint_pyjwt(gw.bearer_key, "HS256", tokens.claims(sub="tokenuser"))
    header = f"Proxy-Authorization: Bearer {token}"
    plain = fp.curl("-x", proxy, "--proxy-header", header, f"{module_upstream.url}/bearer/plain")
    assert plain.status == 200, (plain.heads, plain.stderr)
    assert headers_named(echoed(plain.body), "Proxy-Authorization") == []
    assert logged(gw, listener="proxy-both", path="/bearer/plain")["user"] == "tokenuser"
    tunnelled = fp.curl("-x", proxy, "--proxy-header", header, "--cacert", ca, f"{tls_origin.url}/bearer/tls")
    assert tunnelled.statuses() == [200, 200], (tunnelled.heads, tunnelled.stderr)
    password = fp.curl("-x", proxy, "--proxy-user", f"{ALICE.name}:{ALICE.password}",
                       f"{module_upstream.url}/bearer/basic")
    assert password.status == 200
    bad = fp.curl("-x", proxy, "--proxy-header", f"Proxy-Authorization: Bearer {token}x",
                  f"{module_upstream.url}/bearer/bad")
    assert bad.status == 407
    assert bad.fields("WWW-Authenticate") == []
    assert logged(gw, listener="proxy-both", path="/bearer/bad")["reason"] == "bad_signature"


def test_the_origins_own_401_passes_through_untouched(gw):
    """The origin (here the gateway's own reverse-proxy listener, /origin behind the realm "Origin area")
    answers 401 + WWW-Authenticate; through the proxy the client gets that same challenge and body, and no
    Proxy-Authenticate: the proxy's credentials were good, the origin's are the client's business."""
    url = gw.url("/origin/page")
    with RawConnection(gw.port) as connection:
        direct = connection.request("GET", "/origin/page", [("Host", f"127.0.0.1:{gw.port}")])
    proxied, _ = ask(port_of(gw, "proxy"), "GET", url, ALICE)
    assert direct.status == proxied.status == 401
    assert proxied.headers_named("WWW-Authenticate") == direct.headers_named("WWW-Authenticate") == [
        ORIGIN_CHALLENGE]
    assert proxied.headers_named("Proxy-Authenticate") == []
    assert proxied.body == direct.body
    assert proxied.header("Cache-Control") == direct.header("Cache-Control")
    entry = logged(gw, listener="proxy", path="/origin/page")
    assert (entry["status"], entry["reason"], entry["user"]) == (401, "ok", ALICE.name), \
        "for the proxy the request was a success: the 401 is the origin's"


def test_a_client_holding_proxy_and_origin_credentials_gets_in(gw, module_upstream):
    """Both layers at once: curl's --proxy-user (alice, proxy Basic) and -u (carol, the origin's Basic
    realm) each reach their own judge; the upstream behind the origin sees carol, never alice's secret."""
    result = fp.curl("-x", fp.proxy_url(port_of(gw, "proxy")), "--proxy-user", f"{ALICE.name}:{ALICE.password}",
                     "-u", f"{CAROL.name}:{CAROL.password}", gw.url("/origin/both"))
    assert result.status == 200, (result.heads, result.stderr)
    record = echoed(result.body)
    assert headers_named(record, "X-Auth-User") == [CAROL.name]
    assert headers_named(record, "Proxy-Authorization") == []
    proxy_line = logged(gw, listener="proxy", path="/origin/both")
    origin_line = logged(gw, listener="main", path="/origin/both")
    assert (proxy_line["user"], proxy_line["destination"]) == (ALICE.name, f"127.0.0.1:{gw.port}")
    assert (origin_line["user"], origin_line["route"]) == (CAROL.name, "origin")
    proxy = fp.proxy_url(port_of(gw, "proxy"), ALICE.name, ALICE.password)
    with requests.Session() as session:
        session.trust_env = False
        answer = session.get(gw.url("/origin/both"), proxies={"http": proxy}, auth=(CAROL.name, CAROL.password),
                             timeout=30)
    assert answer.status_code == 200, "python requests holds both credentials too"


# --- what the origin receives ---------------------------------------------------------------------

def test_proxy_authorization_is_consumed_and_authorization_passes_untouched(gw, module_upstream):
    """RFC 9110 §11.7.2: Proxy-Authorization is the proxy's and is not forwarded; Authorization is the
    origin's and arrives byte for byte; Proxy-Connection, Keep-Alive, TE, Upgrade and the fields Connection
    names are hop-by-hop (§7.6.1) and stop here; no identity header goes to an origin by default, and a
    forged one from the client is dropped."""
    hop = [("Connection", "X-Hop-Field"), ("X-Hop-Field", "1"), ("Proxy-Connection", "keep-alive"),
           ("Keep-Alive", "timeout=5"), ("TE", "trailers"), ("Upgrade", "h2c")]
    sent = [("Authorization", "Bearer origin-token.a.b"), ("X-Auth-User", "root"), ("X-End-To-End", "kept"),
            *hop]
    response, _ = ask(port_of(gw, "proxy"), "GET", f"{module_upstream.url}/consumed?q=1", ALICE, sent)
    assert response.status == 200
    record = echoed(response.body)
    assert record["target"] == "/consumed?q=1"
    assert headers_named(record, "Authorization") == ["Bearer origin-token.a.b"]
    assert headers_named(record, "Host") == [f"127.0.0.1:{module_upstream.port}"]
    assert headers_named(record, "X-End-To-End") == ["kept"]
    assert headers_named(record, "Via") == ["1.1 authgate"]
    assert headers_named(record, "X-Forwarded-For") == ["127.0.0.1"], "the client's address, as Squid sends it"
    for name in ("Proxy-Authorization", "X-Auth-User", "X-Hop-Field", "Proxy-Connection", "Keep-Alive", "TE",
                 "Upgrade"):
        assert headers_named(record, name) == [], f"{name} reached the origin"
    back, _ = ask(port_of(gw, "proxy"), "GET", f"{module_upstream.url}/hop", ALICE)
    assert back.status == 200 and back.body == b"hop\n"
    assert back.headers_named("X-Upstream-End-To-End") == ["1"]
    assert back.headers_named("X-Upstream-Hop") == back.headers_named("Keep-Alive") == [], \
        "the origin's hop-by-hop fields stop at the proxy on the way back too"


def test_pass_identity_tells_the_origin_who_the_user_is(gw, module_upstream):
    """`pass_identity: true` (the Digest listener) adds X-Auth-User for the origin; Digest's success carries
    Proxy-Authentication-Info whose rspauth proves the gateway knew alice's HA1 (RFC 7616 §3.5)."""
    port = port_of(gw, "proxy-digest")
    url = f"{module_upstream.url}/digest/identity"
    first, _ = ask(port, "GET", url)
    challenge = [c for line in first.headers_named("Proxy-Authenticate") for c in digest.parse_challenges(line)][0]
    answer = digest.answer(challenge, ALICE.name, ALICE.password, "GET", url)
    response, _ = ask(port, "GET", url, headers=[("Proxy-Authorization", answer.header())])
    assert response.status == 200, response.headers
    assert response.headers_named("Authentication-Info") == []
    info = digest.parse_params(response.header("Proxy-Authentication-Info"))
    assert (info["qop"], info["rspauth"], info["cnonce"], info["nc"]) == (
        "auth", answer.rspauth(), answer.cnonce, answer.nc)
    record = echoed(response.body)
    assert headers_named(record, "X-Auth-User") == [ALICE.name]
    assert headers_named(record, "Proxy-Authorization") == []
    replayed, _ = ask(port, "GET", url, headers=[("Proxy-Authorization", answer.header())])
    assert replayed.status == 407, "the same Digest answer is good once (nc must rise)"
    assert logged(gw, lambda e: e["status"] == 407 and e["user"] is None and e["reason"] != "no_credentials",
                  listener="proxy-digest", path="/digest/identity")["reason"] == "nonce_replayed"


def test_plain_request_bodies_stream_both_ways(gw, module_upstream):
    """A 32 MiB chunked download (python requests) and a 32 MiB chunked upload (httpx) through plain-HTTP
    proxied requests arrive whole (SHA-256 on both ends) while the gateway's resident memory stays flat:
    bodies are relayed, not buffered. (python requests 2.28 cannot do the upload: a generator body goes out
    chunked through a path that leaves out Proxy-Authorization, and gets 407.)"""
    proxy = fp.proxy_url(port_of(gw, "proxy"), ALICE.name, ALICE.password)
    rss_before = gw.process.memory_kib("VmRSS")
    download = hashlib.sha256()
    with requests.Session() as session:
        session.trust_env = False
        url = f"{module_upstream.url}/big?mb={STREAM_MIB}&chunked=1"
        with session.get(url, proxies={"http": proxy}, stream=True, timeout=60) as got:
            assert got.status_code == 200
            for piece in got.iter_content(1 << 20):
                download.update(piece)
    with httpx.Client(proxies=proxy, trust_env=False, timeout=60) as client:
        upload = client.post(f"{module_upstream.url}/stream/up", content=(PATTERN for _ in range(STREAM_MIB)))
    assert download.hexdigest() == pattern_sha256(STREAM_MIB)
    assert upload.status_code == 200
    record = echoed(upload.content)
    assert headers_named(record, "Transfer-Encoding") == ["chunked"]
    assert (record["body_length"], record["body_sha256"]) == (STREAM_MIB * MIB, pattern_sha256(STREAM_MIB))
    assert gw.process.memory_kib("VmRSS") - rss_before < 16 * 1024


def test_one_client_connection_keeps_its_origin_connection(gw, module_upstream):
    """Two requests to one origin on one kept-alive client connection are both answered over one origin
    connection (each client connection keeps one to the origin it asked for last), and a request to another
    origin in between would open a new one."""
    before = upstream_connections(module_upstream)
    auth = ("Proxy-Authorization", basic(ALICE.name, ALICE.password))
    with RawConnection(port_of(gw, "proxy")) as connection:
        for path in ("/pool/one", "/pool/two"):
            url = f"{module_upstream.url}{path}"
            connection.send(request_bytes("GET", url, [auth], host=authority_of(url)))
            response = connection.read_response()
            assert response.status == 200
            assert echoed(response.body)["path"] == path
    assert upstream_connections(module_upstream) - before == 1


# --- refused destinations -------------------------------------------------------------------------

def refusals(up, tls, echo_port):
    """(id, listener, user, method, target, reason) — each must get 403 and reach nobody."""
    return [
        ("a host no rule lists (localhost reaches the upstream, but the rule lists 127.0.0.1 only)", "proxy",
         ALICE, "GET", f"http://localhost:{up}/refused/host", "destination_not_allowed"),
        ("a plain-HTTP port not in `ports`", "proxy", ALICE, "GET", f"http://127.0.0.1:{tls}/refused/port",
         "destination_not_allowed"),
        ("a CONNECT port not in `connect_ports`", "proxy", ALICE, "CONNECT", f"127.0.0.1:{up}",
         "destination_not_allowed"),
        ("CONNECT to port 22", "proxy", ALICE, "CONNECT", "127.0.0.1:22", "destination_not_allowed"),
        ("a method the rule does not list", "proxy", ALICE, "DELETE", f"http://127.0.0.1:{up}/refused/method",
         "destination_not_allowed"),
        ("bob, whose own rule (the first naming him) allows only only.example", "proxy", BOB, "GET",
         f"http://127.0.0.1:{up}/refused/bob", "destination_not_allowed"),
        ("dave, not in the listener's allow-list (group staff)", "proxy", DAVE, "GET",
         f"http://127.0.0.1:{up}/refused/dave", "user_not_allowed"),
        ("loopback with no allow_internal", "proxy-open", ALICE, "GET", f"http://127.0.0.1:{up}/refused/internal",
         "destination_internal"),
        ("a name that resolves to loopback", "proxy-open", ALICE, "GET", f"http://localhost:{up}/refused/name",
         "destination_internal"),
        ("IPv4-mapped loopback", "proxy-open", ALICE, "GET", f"http://[::ffff:127.0.0.1]:{up}/refused/mapped",
         "destination_internal"),
        ("0.0.0.0 (Linux connects it to this host)", "proxy-open", ALICE, "GET",
         f"http://0.0.0.0:{up}/refused/zero", "destination_internal"),
        ("a CONNECT to loopback", "proxy-open", ALICE, "CONNECT", f"127.0.0.1:{echo_port}",
         "destination_internal"),
    ]


REFUSAL_IDS = [row[0] for row in refusals(1, 2, 3)]


@pytest.mark.parametrize("index", range(len(REFUSAL_IDS)), ids=REFUSAL_IDS)
def test_a_refused_destination_gets_403_and_nothing_is_sent_to_it(gw, module_upstream, tls_origin, echo, index):
    """The user's rule (host, port, method) and the internal-address check (made on the resolved address)
    answer 403 before any connection is made: the upstream, the TLS origin and the echo server see nothing."""
    _, listener, user, method, target, reason = refusals(module_upstream.port, tls_origin.port, echo.port)[index]
    before = (upstream_connections(module_upstream, tls_origin), echo.accepted)
    response, tunnel = ask(port_of(gw, listener), method, target, user)
    assert tunnel is None and response.status == 403, response
    assert response.headers_named("Proxy-Authenticate") == []
    path = target if method == "CONNECT" else "/" + target.split("/", 3)[3]
    entry = logged(gw, listener=listener, method=method, path=path)
    assert (entry["status"], entry["reason"], entry["user"]) == (403, reason, user.name)
    assert entry["destination"] == authority_of(target)
    time.sleep(0.1)  # a connection would have been accepted by now
    assert (upstream_connections(module_upstream, tls_origin), echo.accepted) == before


DEFAULT_RULE = [
    # (id, method, target, reason): on loopback every allowed destination is then refused as internal
    ("CONNECT to 443 passes the rule", "CONNECT", "127.0.0.1:443", "destination_internal"),
    ("CONNECT to 8443 does not", "CONNECT", "127.0.0.1:8443", "destination_not_allowed"),
    ("plain HTTP to 80 passes the rule", "GET", "http://127.0.0.1:80/default", "destination_internal"),
    ("plain HTTP to 1025-65535 passes the rule", "GET", "http://127.0.0.1:8080/default", "destination_internal"),
    ("plain HTTP to 1024 does not", "GET", "http://127.0.0.1:1024/default", "destination_not_allowed"),
]


@pytest.mark.parametrize("method,target,reason", [row[1:] for row in DEFAULT_RULE],
                         ids=[row[0] for row in DEFAULT_RULE])
def test_the_default_rule_allows_any_host_on_safe_ports(gw, method, target, reason):
    """A listener without `rules` has one rule for everyone: any host, plain HTTP to 80 and 1025-65535,
    CONNECT to 443 only (Squid's Safe_ports / SSL_ports idea). The reason tells which check refused."""
    response, _ = ask(port_of(gw, "proxy-default"), method, target, ALICE)
    assert response.status == 403
    entry = logged(gw, listener="proxy-default", method=method, destination=authority_of(target))
    assert entry["reason"] == reason


# --- bad requests and unreachable destinations ----------------------------------------------------

MALFORMED = [
    # (id, method, target, Host, extra fields); {up} = the upstream's port, {echo} = the echo server's
    ("origin-form: a proxy is asked in absolute-form (RFC 9112 §3.2.2)", "GET", "/origin-form", "127.0.0.1:{up}",
     []),
    ("https:// in absolute-form: that goes through CONNECT", "GET", "https://127.0.0.1:{up}/", "127.0.0.1:{up}",
     []),
    ("userinfo in the target", "GET", "http://user:pw@127.0.0.1:{up}/", "127.0.0.1:{up}", []),
    ("a fragment in the target", "GET", "http://127.0.0.1:{up}/x#fragment", "127.0.0.1:{up}", []),
    ("CONNECT without a port", "CONNECT", "127.0.0.1", "127.0.0.1", []),
    ("CONNECT with a path", "CONNECT", "127.0.0.1:{echo}/path", "127.0.0.1:{echo}", []),
    ("CONNECT with user@", "CONNECT", "user@127.0.0.1:{echo}", "127.0.0.1:{echo}", []),
    ("CONNECT with content (RFC 9110 §9.3.6)", "CONNECT", "127.0.0.1:{echo}", "127.0.0.1:{echo}",
     [("Content-Length", "5")]),
]


@pytest.mark.parametrize("method,target,host,extra", [row[1:] for row in MALFORMED],
                         ids=[row[0] for row in MALFORMED])
def test_malformed_proxy_requests_get_400(gw, module_upstream, echo, method, target, host, extra):
    """Each is answered 400 whether it carries credentials or not (the head is judged first), with no
    challenge, and nothing is sent anywhere."""
    ports = {"up": module_upstream.port, "echo": echo.port}
    before = (upstream_connections(module_upstream), echo.accepted)
    for user in (None, ALICE):
        fields = [("Proxy-Authorization", basic(user.name, user.password))] if user else []
        with RawConnection(port_of(gw, "proxy")) as connection:
            connection.send(request_bytes(method, target.format(**ports), [*fields, *extra],
                                          host=host.format(**ports)))
            head = connection.read_head()
            assert head.status == 400, user
            assert head.headers_named("Proxy-Authenticate") == []
    assert (upstream_connections(module_upstream), echo.accepted) == before


def test_two_proxy_authorization_fields_get_400(gw, module_upstream):
    """Two Proxy-Authorization fields leave it open which one is judged: 400 duplicate_credentials, nothing
    sent, even when both are right."""
    before = upstream_connections(module_upstream)
    response, _ = ask(port_of(gw, "proxy"), "GET", f"{module_upstream.url}/twice", ALICE, [AUTH_ALICE])
    assert response.status == 400
    assert logged(gw, listener="proxy", path="/twice")["reason"] == "duplicate_credentials"
    assert upstream_connections(module_upstream) == before


def test_an_unresolvable_name_gets_502(gw):
    """host.invalid never resolves (RFC 6761 §6.4): 502 upstream_unreachable, for a request and a tunnel."""
    port = port_of(gw, "proxy-open")
    for method, target in (("GET", "http://host.invalid:8080/x"), ("CONNECT", "host.invalid:8443")):
        response, _ = ask(port, method, target, ALICE)
        assert response.status == 502, (method, response)
        entry = logged(gw, listener="proxy-open", method=method, destination=authority_of(target))
        assert (entry["status"], entry["reason"]) == (502, "upstream_unreachable")


def test_a_refused_connection_gets_502(gw, dead_port):
    """A port nobody listens on (allowed by the rule and allow_internal): the connect is refused → 502."""
    for method, target in (("GET", f"http://127.0.0.1:{dead_port}/x"), ("CONNECT", f"127.0.0.1:{dead_port}")):
        response, _ = ask(port_of(gw, "proxy"), method, target, ALICE)
        assert response.status == 502, (method, response)
        entry = logged(gw, listener="proxy", method=method, destination=f"127.0.0.1:{dead_port}")
        assert entry["reason"] == "upstream_unreachable"


def test_a_connect_that_times_out_gets_504(gw, full_backlog):
    """A port whose accept queue is full drops the SYN: the connect neither succeeds nor fails, and the
    listener's connect_timeout (1 s) answers 504, for a request and a tunnel."""
    for method, target in (("GET", f"http://127.0.0.1:{full_backlog.port}/x"),
                           ("CONNECT", f"127.0.0.1:{full_backlog.port}")):
        started = time.monotonic()
        response, _ = ask(port_of(gw, "proxy"), method, target, ALICE)
        elapsed = time.monotonic() - started
        assert response.status == 504, (method, response)
        assert 0.9 <= elapsed < 3, elapsed
        entry = logged(gw, listener="proxy", method=method, destination=f"127.0.0.1:{full_backlog.port}")
        assert (entry["status"], entry["reason"]) == (504, "upstream_timeout")


def test_an_origin_slower_than_response_timeout_gets_504(gw, module_upstream):
    """`response_timeout` (1 s on `proxy-both`) bounds the wait for the origin's response head: 504."""
    started = time.monotonic()
    response, _ = ask(port_of(gw, "proxy-both"), "GET", f"{module_upstream.url}/slow?s=3", ALICE)
    assert response.status == 504
    assert time.monotonic() - started < 2.5
    entry = logged(gw, listener="proxy-both", path="/slow")
    assert (entry["status"], entry["reason"]) == (504, "upstream_timeout")


# --- tunnels --------------------------------------------------------------------------------------

def test_a_tunnel_carries_100_mib_each_way_with_flat_memory(gw, echo):
    """100 MiB up and the same 100 MiB back through CONNECT to the echo server: every byte arrives in order,
    the gateway's resident memory stays flat, and the access-log line names the user, the destination and
    the bytes each way."""
    rss_before = gw.process.memory_kib("VmRSS")
    head, connection = ask(port_of(gw, "proxy"), "CONNECT", f"127.0.0.1:{echo.port}", ALICE, timeout=60)
    assert head.status == 200
    chunk = os.urandom(MIB)
    sent, received = hashlib.sha256(), hashlib.sha256()

    def send_all():
        for _ in range(TUNNEL_MIB):
            connection.sock.sendall(chunk)
            sent.update(chunk)

    sender = threading.Thread(target=send_all)
    sender.start()
    total = 0
    while total < TUNNEL_MIB * MIB:
        piece = connection.sock.recv(1 << 20)
        assert piece, f"the tunnel closed after {total} bytes"
        received.update(piece)
        total += len(piece)
    sender.join()
    rss_after, peak = gw.process.memory_kib("VmRSS"), gw.process.memory_kib("VmHWM")
    connection.close()
    assert received.hexdigest() == sent.hexdigest()
    assert rss_after - rss_before < 30 * 1024, (rss_before, rss_after)
    assert peak - rss_before < 30 * 1024, (rss_before, peak)
    entry = logged(gw, lambda e: e["bytes_in"] > 0, listener="proxy", method="CONNECT",
                   destination=f"127.0.0.1:{echo.port}")
    assert (entry["status"], entry["user"], entry["scheme"], entry["route"]) == (200, ALICE.name, "Basic", "proxy")
    assert entry["bytes_in"] == entry["bytes_out"] == TUNNEL_MIB * MIB


def test_bytes_right_behind_the_connect_head_go_through_the_tunnel(gw, echo):
    """A client may send its first tunnelled bytes (a TLS ClientHello) in the same packet as CONNECT,
    without waiting for the 200: they are relayed, not lost or read as a second request."""
    target = f"127.0.0.1:{echo.port}"
    with RawConnection(port_of(gw, "proxy")) as connection:
        connection.send(request_bytes("CONNECT", target, [AUTH_ALICE], host=target) + b"early bytes")
        assert connection.read_head().status == 200
        assert connection.read_exact(len(b"early bytes")) == b"early bytes"
    entry = logged(gw, lambda e: e["bytes_in"] == len(b"early bytes"), listener="proxy", method="CONNECT")
    assert entry["bytes_out"] == len(b"early bytes")


def test_metrics_count_tunnels_407s_and_403s_by_listener(gw, echo, module_upstream):
    """authgate_proxy_tunnels_total counts opened tunnels; authgate_requests_total counts 407 and 403 with the
    listener's name as the route label; the 403's reason is counted in authgate_auth_outcomes_total."""
    port = port_of(gw, "proxy")
    before = quiet_metrics(gw)
    _, tunnel = ask(port, "CONNECT", f"127.0.0.1:{echo.port}", ALICE)
    tunnel.close()
    ask(port, "GET", f"{module_upstream.url}/metrics/407")
    ask(port, "DELETE", f"{module_upstream.url}/metrics/403", ALICE)
    samples = [("authgate_proxy_tunnels_total", ""), ("authgate_requests_total", 'route="proxy",code="407"'),
               ("authgate_requests_total", 'route="proxy",code="403"'),
               ("authgate_auth_outcomes_total", 'reason="destination_not_allowed"')]
    deadline = time.monotonic() + 10
    while True:  # a request's record lands just after its response: /metrics may be asked first
        after = metrics(gw)
        delta = {sample: fp.sample(after, *sample) - fp.sample(before, *sample) for sample in samples}
        if all(delta.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert list(delta.values()) == [1, 1, 1, 1], delta


def open_idle_tunnels(port: int, target: str, count: int) -> list:
    """`count` tunnels to `target`, each gone quiet after one echoed byte: [(connection, sent, echoed)] with
    the times just before that byte went out and just after it came back (the tunnel's last activity lies
    between them). All CONNECTs go out first, so the whole batch is open within milliseconds."""
    batch = [RawConnection(port) for _ in range(count)]
    for connection in batch:
        connection.send(request_bytes("CONNECT", target, [AUTH_ALICE], host=target))
    opened = []
    for connection in batch:
        assert connection.read_head().status == 200
        opened.append((connection, time.monotonic()))
        connection.send(b"x")
    done = []
    for connection, sent in opened:
        assert connection.read_exact(1) == b"x"
        done.append((connection, sent, time.monotonic()))
    return done


def test_a_tunnel_is_counted_when_it_opens(gw, echo):
    """The counter says tunnels opened: one that is open now has been opened."""
    before = quiet_metrics(gw)
    _, tunnel = ask(port_of(gw, "proxy"), "CONNECT", f"127.0.0.1:{echo.port}", ALICE)
    try:
        deadline = time.monotonic() + 1
        while True:
            opened = fp.sample(metrics(gw), "authgate_proxy_tunnels_total") - fp.sample(
                before, "authgate_proxy_tunnels_total")
            if opened or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert opened == 1
    finally:
        tunnel.close()


def test_idle_tunnels_are_closed_on_time(module_launcher, module_upstream, echo, tmp_path_factory):
    """1,000 tunnels that go quiet after one echoed byte are each closed by the gateway once
    `limits.idle_timeout` (2 s) has passed since their last byte — not before, and not much later — on both
    sides. They are opened in batches of 50 while the closes are watched, so a slow machine only spreads
    them out."""
    store = passwords.write_default_store(tmp_path_factory.mktemp("idle"))
    config = configs.gateway_config(module_upstream.url, *store, admin=False)
    config["limits"]["idle_timeout"] = "2s"
    # 1,000 tunnels from one address: that address's connection limits are not what is tested here.
    config["limits"].update({"max_connections_per_address": 0, "max_pending_heads_per_address": 0})
    config["realms"]["proxy"] = {"scheme": "basic", "realm": PROXY_REALM, "store": "staff"}
    config["listeners"].append(fp.listener("idle", ["proxy"], [
        {"hosts": ["127.0.0.1"], "connect_ports": [str(echo.port)]}], allow_internal=["127.0.0.1"]))
    idle_gw = module_launcher.serve(config, name="idle.yaml")
    accepted_before = echo.accepted
    tunnels, early, late = [], [], []
    try:
        with selectors.DefaultSelector() as selector:
            deadline = time.monotonic() + 30
            while (len(tunnels) < IDLE_TUNNELS or selector.get_map()) and time.monotonic() < deadline:
                if len(tunnels) < IDLE_TUNNELS:
                    for connection, sent, echoed_at in open_idle_tunnels(
                            port_of(idle_gw, "idle"), f"127.0.0.1:{echo.port}", 50):
                        tunnels.append(connection)
                        selector.register(connection.sock, selectors.EVENT_READ, (sent, echoed_at))
                for key, _ in selector.select(timeout=0 if len(tunnels) < IDLE_TUNNELS else 0.5):
                    now, (sent, echoed_at) = time.monotonic(), key.data
                    try:
                        data = key.fileobj.recv(16)
                    except ConnectionResetError:
                        data = b""
                    assert data == b"", f"a quiet tunnel sent {data!r}"
                    selector.unregister(key.fileobj)
                    if now - sent < 1.95:
                        early.append(now - sent)
                    if now - echoed_at > 3.5:
                        late.append(now - echoed_at)
            still_open = len(selector.get_map())
        assert echo.accepted - accepted_before == IDLE_TUNNELS
        assert still_open == 0, f"{still_open} of {IDLE_TUNNELS} tunnels were still open after 30 s"
        assert early == [], "closed before the idle timeout"
        assert late == [], "closed more than 1.5 s after the idle timeout"
        assert echo.wait_open(0) == 0, "the gateway closed the destination side too"
    finally:
        for connection in tunnels:
            connection.close()
        idle_gw.process.stop()


# --- the example and known gaps ---------------------------------------------------------------------

def test_the_example_config_passes_check_and_behaves_as_its_comments_say(launcher, module_upstream, tmp_path):
    """examples/forward-proxy.yaml passes `authgate check`, and served (its ports moved to free ones, its
    example data beside it) answers the three `Try:` lines of its header as written there: alice 200,
    no credentials 407, bob 403 (his group's rule lists only example.com and *.example.org)."""
    example = REPO / "examples" / "forward-proxy.yaml"
    checked = run_cli(["check", "--config", example], cwd=REPO)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    port, admin = free_port(), free_port()
    (tmp_path / "data").mkdir()
    for name in ("example-proxy.htpasswd", "example-proxy.groups"):
        (tmp_path / "data" / name).write_bytes((example.parent / "data" / name).read_bytes())
    config = tmp_path / "forward-proxy.yaml"
    config.write_text(example.read_text().replace("port: 3128", f"port: {port}").replace(
        "port: 9199", f"port: {admin}"))
    process = launcher.spawn(["serve", "--config", config], label="example")
    process.wait_ready([port])
    wait_accepting(admin, process)
    origin = f"{module_upstream.url}/example"
    for credentials, status in (("alice:example-only", 200), (None, 407), ("bob:example-only-2", 403)):
        options = ["--proxy-user", credentials] if credentials else []
        assert fp.curl("-x", fp.proxy_url(port), *options, origin).status == status, credentials


def test_a_host_field_that_disagrees_with_the_absolute_form_target_is_ignored(gw, module_upstream):
    """RFC 9112 §3.2.2: a proxy receiving absolute-form MUST ignore the received Host and replace it with the
    target's authority."""
    url = f"{module_upstream.url}/host/ignored"
    with RawConnection(port_of(gw, "proxy")) as connection:
        response = connection.request("GET", url, [("Host", "other.example"),
                                                   ("Proxy-Authorization", basic(ALICE.name, ALICE.password))])
    assert response.status == 200
    assert headers_named(echoed(response.body), "Host") == [f"127.0.0.1:{module_upstream.port}"]


def test_a_proxy_only_config_is_checked_without_a_no_routes_warning(tmp_path):
    """A forward-proxy listener needs no routes; `authgate check` should not say its requests get 404."""
    htpasswd, _ = passwords.write_default_store(tmp_path)
    config = {"listeners": [fp.listener("proxy", ["proxy"])],
              "stores": {"staff": {"type": "htpasswd", "path": str(htpasswd)}},
              "realms": {"proxy": {"scheme": "basic", "realm": PROXY_REALM, "store": "staff"}}}
    path = tmp_path / "proxy-only.yaml"
    path.write_text(yaml_text.dump(config))
    result = run_cli(["check", "--config", path])
    assert result.returncode == 0, result.stderr
    assert "no routes" not in result.stdout + result.stderr
