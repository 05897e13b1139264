"""What a browser user sees when the gateway answers itself (issue 18): Chromium gets a small HTML page for
401, 403, 429 and 502 (plain text stays for every other client), the 401 page still comes with its
challenge so the browser's own sign-in prompt works, an operator's own page (`error_pages`) shows with its
style but without its scripts, and each page is screenshotted for review."""
import os
from pathlib import Path

import pytest
import requests

from harness import configs
from harness.configs import CHALLENGE
from harness.passwords import ALICE, BOB
from harness.ports import free_port
from node_script import run_node_script

pytestmark = pytest.mark.skipif(os.environ.get("AUTHGATE_BROWSER_TESTS") == "0",
                                reason="AUTHGATE_BROWSER_TESTS=0: the browser was deliberately not installed")


def show(url: str, screenshot: Path, user: str = None, password: str = None) -> dict:
    """Opens `url` in Chromium (with credentials if given), saves a screenshot, returns basic_auth.mjs's line."""
    args = ["--url", url, "--screenshot", screenshot]
    if user is not None:
        args += ["--user", user, "--password", password]
    return run_node_script("basic_auth.mjs", args)


@pytest.fixture
def pages_gateway(launcher, upstream, store_files):
    config = configs.gateway_config(upstream.url, *store_files)
    config["upstreams"]["down"] = {"url": f"http://127.0.0.1:{free_port()}", "connect_timeout": "2s"}
    config["routes"].insert(0, {"name": "down", "match": {"path": "/down"}, "upstream": "down",
                                "auth": "anonymous"})
    config["throttle"] = {"users": {"max_failures": 2, "window": "1m", "ban": "60s"},
                          "addresses": {"max_failures": 0, "window": "1m", "ban": "60s"}}
    return launcher.serve(config)


def assert_page(page: dict, screenshot: Path, status: int, heading: str):
    assert page["status"] == status
    assert page["contentType"] == "text/html; charset=utf-8"
    assert page["title"] == heading and page["heading"] == heading and page["lang"] == "en"
    assert screenshot.stat().st_size > 2000, "a screenshot with something on it"
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_refused_sign_in_ends_on_the_401_page_after_the_browsers_own_prompt(pages_gateway, tmp_path):
    shot = tmp_path / "401.png"
    page = show(pages_gateway.url("/private"), shot, ALICE.name, "wrong password")
    assert_page(page, shot, 401, "401 Unauthorized")
    assert page["challenge"] == CHALLENGE, "the challenge is still there: the browser prompts as before"
    logged = pages_gateway.wait_for_access_log(2, lambda e: e.get("path") == "/private")
    assert [e["reason"] for e in logged][:2] == ["no_credentials", "wrong_password"], \
        "Chromium answered the challenge with its credentials before showing the page"
    assert "This page needs you to sign in." in page["body"]


def test_a_user_not_allowed_sees_the_403_page(pages_gateway, tmp_path):
    shot = tmp_path / "403.png"
    assert_page(show(pages_gateway.url("/bob"), shot, ALICE.name, ALICE.password), shot, 403, "403 Forbidden")


def test_a_throttled_user_sees_the_429_page_with_the_wait(pages_gateway, tmp_path):
    for _ in range(2):
        assert requests.get(pages_gateway.url("/"), auth=(BOB.name, "wrong"), timeout=10).status_code == 401
    shot = tmp_path / "429.png"
    page = show(pages_gateway.url("/"), shot, BOB.name, BOB.password)
    assert_page(page, shot, 429, "429 Too Many Requests")
    assert "then try again." in page["body"]


def test_an_unreachable_application_shows_the_502_page(pages_gateway, tmp_path):
    shot = tmp_path / "502.png"
    assert_page(show(pages_gateway.url("/down"), shot), shot, 502, "502 Bad Gateway")


def test_other_clients_keep_plain_text(pages_gateway):
    answer = requests.get(pages_gateway.url("/private"), timeout=10)
    assert (answer.status_code, answer.headers["Content-Type"], answer.text) == \
        (401, "text/plain; charset=utf-8", "401 Unauthorized\n")
    html = requests.get(pages_gateway.url("/private"), headers={"Accept": "text/html"}, timeout=10)
    assert html.headers["Content-Type"] == "text/html; charset=utf-8"
    assert html.headers["WWW-Authenticate"] == CHALLENGE
    assert html.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"


OPERATOR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Staff sign-in</title>
<style>body{background:rgb(12, 34, 56);color:white;font:1.25rem sans-serif;padding:2rem}</style>
<script>document.title = "a script ran";</script>
</head>
<body>
<h1>Sign in with your staff account</h1>
<p>Forgotten your password? Ask the IT desk — room 4.</p>
</body>
</html>
"""


def test_an_operators_own_401_page_shows_after_the_prompt_with_its_style_and_without_its_scripts(
        launcher, upstream, store_files, tmp_path):
    page_file = tmp_path / "sign-in.html"
    page_file.write_text(OPERATOR_PAGE, encoding="utf-8")
    config = configs.gateway_config(upstream.url, *store_files)
    next(route for route in config["routes"] if route["name"] == "app")["error_pages"] = {401: str(page_file)}
    gateway = launcher.serve(config)
    shot = tmp_path / "custom-401.png"
    page = show(gateway.url("/private"), shot, ALICE.name, "wrong password")
    assert page["status"] == 401 and page["challenge"] == CHALLENGE
    assert page["body"] == OPERATOR_PAGE, "the operator's bytes"
    assert page["title"] == "Staff sign-in", "the Content-Security-Policy kept the page's script from running"
    assert page["heading"] == "Sign in with your staff account"
    assert page["background"] == "rgb(12, 34, 56)", "the page's own style applies"
    assert shot.stat().st_size > 2000
    logged = gateway.wait_for_access_log(2, lambda e: e.get("path") == "/private")
    assert [e["reason"] for e in logged][:2] == ["no_credentials", "wrong_password"], \
        "the browser's own prompt came first"
