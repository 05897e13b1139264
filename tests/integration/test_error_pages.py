"""Custom error pages (issue 18, docs/configuration.md#error_pages): a route's own page, the top-level page
for what it leaves out and for answers without a route, sent byte for byte to clients that prefer HTML and
never to others; a page edited on disk is served after the reload its change triggers, a page that
disappears keeps the old config serving, and `authgate check` names every problem where it is."""
import re
import signal

import pytest
import requests

from harness import configs, yaml_text
from harness.configs import CHALLENGE
from harness.forward_proxy import listener as proxy_listener
from harness.gateway import run_cli
from harness.passwords import ALICE, BOB
from harness.raw_http import RawConnection
from test_reload import wait_until

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # Chromium's
SIGN_IN = "<!DOCTYPE html>\n<title>Staff sign-in</title>\n<h1>Sign in with your staff account</h1>\n"
ADMINS_ONLY = "<!DOCTYPE html>\n<title>Admins only</title>\n<p>Ask the IT desk \u2014 room 4.</p>\n"
SITE_WIDE = "<!DOCTYPE html>\n<title>Not here</title>\n<p>Nothing at this address.</p>\n"
CUSTOM_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:"


@pytest.fixture
def pages(tmp_path):
    directory = tmp_path / "pages"
    directory.mkdir()
    for name, text in {"sign-in.html": SIGN_IN, "admins.html": ADMINS_ONLY, "site.html": SITE_WIDE}.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def pages_config(upstream, store_files, pages) -> dict:
    config = configs.gateway_config(upstream.url, *store_files)
    config["error_pages"] = {401: str(pages / "sign-in.html"), 404: str(pages / "site.html"),
                             407: str(pages / "sign-in.html")}
    admin_route = next(route for route in config["routes"] if route["name"] == "admin")
    admin_route["error_pages"] = {403: "pages/admins.html"}  # relative: to the config file's directory
    return config


@pytest.fixture
def paged(launcher, upstream, store_files, pages, tmp_path):
    assert pages.parent == tmp_path == launcher.workdir, "relative page paths resolve next to the config"
    return launcher.serve(pages_config(upstream, store_files, pages))


def html_get(gateway, path: str, **kwargs) -> requests.Response:
    return requests.get(gateway.url(path), headers=HTML, timeout=10, **kwargs)


def assert_custom(response: requests.Response, status: int, page: str):
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Security-Policy"] == CUSTOM_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.content == page.encode("utf-8"), "the operator's bytes, as they are on disk"
    assert response.headers["Content-Length"] == str(len(page.encode("utf-8")))


def test_the_top_level_401_page_comes_with_the_challenge(paged):
    response = html_get(paged, "/anything")
    assert_custom(response, 401, SIGN_IN)
    assert response.headers["WWW-Authenticate"] == CHALLENGE, "the browser still prompts first"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_routes_own_403_page_and_the_top_level_401_on_the_same_route(paged):
    assert_custom(html_get(paged, "/admin", auth=(BOB.name, BOB.password)), 403, ADMINS_ONLY)
    assert_custom(html_get(paged, "/admin"), 401, SIGN_IN)


def test_a_route_without_its_own_403_keeps_the_built_in_page(paged):
    response = html_get(paged, "/bob", auth=(ALICE.name, ALICE.password))
    assert response.status_code == 403
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert "<h1>403 Forbidden</h1>" in response.text


def test_an_answer_without_a_route_uses_the_top_level_page(launcher, upstream, store_files, pages):
    config = pages_config(upstream, store_files, pages)
    config["routes"][-1]["match"] = {"path": "/", "hosts": ["only.example"]}  # no catch-all for other hosts
    gateway = launcher.serve(config)
    assert_custom(html_get(gateway, "/elsewhere"), 404, SITE_WIDE)


def test_clients_that_do_not_prefer_html_keep_the_plain_answer(paged):
    for accept in (None, "*/*", "application/json", "text/html;q=0.1, text/plain"):
        headers = {"Accept": accept} if accept else {}
        response = requests.get(paged.url("/"), headers=headers, timeout=10)
        assert (response.status_code, response.headers["Content-Type"], response.text) == \
            (401, "text/plain; charset=utf-8", "401 Unauthorized\n"), accept


def test_head_gets_the_pages_length_and_no_body(paged):
    with RawConnection(paged.port) as conn:
        head = conn.request("HEAD", "/", headers=list(HTML.items()))
        assert head.status == 401 and head.body == b""
        assert head.header("Content-Length") == str(len(SIGN_IN.encode()))
        assert conn.request("GET", "/", headers=list(HTML.items())).body == SIGN_IN.encode(), \
            "the connection is still in step"


def test_a_forward_proxys_407_uses_the_top_level_page(launcher, upstream, store_files, pages):
    config = pages_config(upstream, store_files, pages)
    config["listeners"].append(proxy_listener("proxy", ["staff"]))
    gateway = launcher.serve(config)
    response = requests.get(upstream.url + "/through", headers=HTML, timeout=10,
                            proxies={"http": f"http://127.0.0.1:{gateway.extra_ports[0]}"})
    assert_custom(response, 407, SIGN_IN)
    assert response.headers["Proxy-Authenticate"] == CHALLENGE


def test_an_edited_page_is_served_after_the_reload_its_change_triggers(paged, pages):
    changed = SIGN_IN.replace("staff account", "new staff account")
    (pages / "sign-in.html").write_text(changed, encoding="utf-8")
    wait_until(lambda: html_get(paged, "/").content == changed.encode(), what="the edited page")
    assert_custom(html_get(paged, "/"), 401, changed)


def test_a_page_that_disappears_keeps_the_old_config_serving(paged, pages):
    mark = len(paged.process.stderr_text())
    (pages / "admins.html").unlink()
    paged.process.send_signal(signal.SIGHUP)
    line = paged.process.wait_for_stderr(r"authgate\.yaml:\d+:\d+: routes\[\d\]\.error_pages\.403: cannot read "
                                         r"'[^']*admins\.html': no such file", start=mark)
    assert line
    assert_custom(html_get(paged, "/admin", auth=(BOB.name, BOB.password)), 403, ADMINS_ONLY)


@pytest.mark.parametrize("page_bytes, expected", [
    (None, r"authgate\.yaml:(\d+):\d+: error_pages\.401: cannot read '[^']*sign-in\.html': no such file"),
    (b"", r"authgate\.yaml:(\d+):\d+: error_pages\.401: '[^']*sign-in\.html' is empty"),
    (b"<p>\n<p>caf\xe9</p>\n", r"sign-in\.html:2:7: error_pages\.401: not UTF-8"),
], ids=["a missing page at its config line", "an empty page", "a Latin-1 page at its own line and column"])
def test_check_names_a_bad_page_where_it_is(tmp_path, upstream, store_files, pages, page_bytes, expected):
    page = pages / "sign-in.html"
    if page_bytes is None:
        page.unlink()
    else:
        page.write_bytes(page_bytes)
    path = tmp_path / "authgate.yaml"
    text = yaml_text.dump(pages_config(upstream, store_files, pages))
    path.write_text(text)
    result = run_cli(["check", "--config", path])
    assert result.returncode != 0
    found = re.search(expected, result.stderr + result.stdout)
    assert found, result.stderr
    if found.groups():
        lines = [i for i, line in enumerate(text.splitlines(), 1) if "401:" in line and "sign-in" in line]
        assert int(found.group(1)) == lines[0]


def test_check_refuses_a_page_for_a_status_the_gateway_never_answers(tmp_path, upstream, store_files, pages):
    config = pages_config(upstream, store_files, pages)
    config["error_pages"][500] = str(pages / "site.html")
    config["error_pages"][418] = str(pages / "site.html")
    path = tmp_path / "authgate.yaml"
    path.write_text(yaml_text.dump(config))
    result = run_cli(["check", "--config", path])
    assert result.returncode != 0
    assert "error_pages.418: authgate never answers 418 itself" in result.stderr + result.stdout
    assert "error_pages.500" not in result.stderr + result.stdout, "500 is the gateway's own answer"
