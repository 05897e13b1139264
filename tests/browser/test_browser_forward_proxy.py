"""A real browser through the forward proxy (issue 14, docs/forward-proxy.md): Debian's Chromium, driven by
playwright-core with `proxy: {server, username, password}`, meets the gateway's 407, answers it with
Proxy-Authorization itself, and loads a local page over plain HTTP and an https page through CONNECT."""
import json
import os

import pytest

from harness import certs
from harness import forward_proxy as fp
from harness.passwords import ALICE
from harness.upstream import EchoUpstream
from node_script import run_node_script

PROXY_REALM = "Proxy area"

# scripts/install-deps.sh installs no browser when AUTHGATE_BROWSER_TESTS=0: an explicit opt-out, not a failure.
pytestmark = pytest.mark.skipif(os.environ.get("AUTHGATE_BROWSER_TESTS") == "0",
                                reason="AUTHGATE_BROWSER_TESTS=0: the browser was deliberately not installed")


@pytest.fixture
def tls_origin(tmp_path):
    """The strict recording echo upstream speaking https with a certificate from a test CA."""
    ca = certs.make_ca(tmp_path)
    leaf = certs.make_leaf(tmp_path, ca, "origin")
    server = EchoUpstream(tls=fp.server_tls(leaf.cert, leaf.key)).start()
    yield server
    server.stop()
    server.wait_closed(timeout=5)
    server.assert_clean()


@pytest.fixture
def proxy_gateway(launcher, config, upstream, tls_origin):
    """The default gateway plus a forward-proxy listener `proxy` (Basic, realm "Proxy area") allowed to reach
    the upstream (plain HTTP) and the TLS origin (CONNECT) on 127.0.0.1."""
    config["realms"]["proxy"] = {"scheme": "basic", "realm": PROXY_REALM, "store": "staff"}
    config["listeners"].append(fp.listener("proxy", ["proxy"], [
        {"hosts": ["127.0.0.1"], "ports": [str(upstream.port)], "connect_ports": [str(tls_origin.port)]}],
        allow_internal=["127.0.0.1"]))
    return launcher.serve(config)


def browse(proxy_port: int, urls, user: str, password: str) -> list:
    """Runs forward_proxy.mjs in Node and returns its pages (url, status, body, statuses)."""
    args = ["--proxy", f"http://127.0.0.1:{proxy_port}", "--user", user, "--password", password]
    for url in urls:
        args += ["--url", url]
    return run_node_script("forward_proxy.mjs", args, env=fp.client_env())["pages"]


def proxy_port(gateway) -> int:
    return next(listener["port"] for listener in gateway.config["listeners"] if listener["name"] == "proxy")


def test_chromium_answers_the_407_and_loads_pages_over_http_and_through_connect(proxy_gateway, upstream,
                                                                               tls_origin):
    """Chromium first asks without credentials (407 + Proxy-Authenticate), then sends alice's
    Proxy-Authorization: the plain page comes from the upstream, the https page through a CONNECT tunnel;
    neither origin sees Proxy-Authorization."""
    plain, tunnelled = upstream.url + "/browser/page", tls_origin.url + "/browser/secure"
    pages = browse(proxy_port(proxy_gateway), [plain, tunnelled], ALICE.name, ALICE.password)
    assert [(page["url"], page["status"]) for page in pages] == [(plain, 200), (tunnelled, 200)]
    for page, origin in zip(pages, (upstream, tls_origin)):
        record = json.loads(page["body"])
        assert [k for k, _ in record["headers"] if k.lower() == "proxy-authorization"] == []
        assert record in origin.requests
    plain_log = proxy_gateway.wait_for_access_log(
        2, lambda e: e.get("listener") == "proxy" and e.get("path") == "/browser/page")
    assert [(e["status"], e["reason"], e["user"]) for e in plain_log[:2]] == [
        (407, "no_credentials", None), (200, "ok", ALICE.name)]
    tunnel_log = proxy_gateway.wait_for_access_log(
        1, lambda e: e.get("listener") == "proxy" and e.get("method") == "CONNECT" and e["status"] == 200)
    assert tunnel_log[0]["user"] == ALICE.name
    assert tunnel_log[0]["destination"] == f"127.0.0.1:{tls_origin.port}"


def test_chromium_with_a_wrong_proxy_password_ends_on_407(proxy_gateway, upstream):
    """With a wrong password the 407 stands: the page Chromium shows is the proxy's 407, and the upstream
    never heard of the request."""
    plain = upstream.url + "/browser/refused"
    pages = browse(proxy_port(proxy_gateway), [plain], ALICE.name, "not-" + ALICE.password)
    assert pages[0]["status"] == 407
    assert [r for r in upstream.requests if r["path"] == "/browser/refused"] == []
    reasons = [e["reason"] for e in proxy_gateway.wait_for_access_log(
        2, lambda e: e.get("listener") == "proxy" and e.get("path") == "/browser/refused")]
    assert "wrong_password" in reasons
