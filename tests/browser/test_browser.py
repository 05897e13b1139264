"""A real browser against the gateway: Debian's Chromium, driven by playwright-core with `httpCredentials`,
answers our 401 challenge and gets the protected page; with wrong credentials it ends on 401 again."""
import json
import os

import pytest

from harness.configs import CHALLENGE
from harness.passwords import ALICE, JURGEN
from node_script import run_node_script

# scripts/install-deps.sh installs no browser when AUTHGATE_BROWSER_TESTS=0: an explicit opt-out, not a failure.
pytestmark = pytest.mark.skipif(os.environ.get("AUTHGATE_BROWSER_TESTS") == "0",
                                reason="AUTHGATE_BROWSER_TESTS=0: the browser was deliberately not installed")


def browse(url: str, user: str, password: str) -> dict:
    """Runs basic_auth.mjs in Node and returns its JSON line (status, body, challenge, statuses)."""
    return run_node_script("basic_auth.mjs", ["--url", url, "--user", user, "--password", password])


def logged_reasons(gateway, path: str, count: int) -> list:
    """The reasons logged for `path`, once `count` requests to it are logged."""
    return [entry.get("reason") for entry in gateway.wait_for_access_log(count, lambda e: e.get("path") == path)]


@pytest.mark.parametrize("user", [ALICE, JURGEN], ids=["Chromium gets the protected page after the 401",
                                                         "Chromium gets in with a UTF-8 user-id and password"])
def test_browser_gets_the_page_after_the_challenge(gateway, user):
    page = browse(gateway.url("/private/page"), user.name, user.password)
    assert page["status"] == 200
    echoed = json.loads(page["body"])
    identity = [v.encode("latin-1").decode("utf-8") for k, v in echoed["headers"] if k.lower() == "x-auth-user"]
    assert identity == [user.name]
    reasons = logged_reasons(gateway, "/private/page", 2)
    assert reasons[:1] == ["no_credentials"], "Chromium first asks without credentials and is challenged"
    assert "ok" in reasons


def test_browser_with_wrong_credentials_gets_401_again(gateway, upstream):
    page = browse(gateway.url("/private/page"), ALICE.name, "not-" + ALICE.password)
    assert page["status"] == 401
    assert page["challenge"] == CHALLENGE
    assert "wrong_password" in logged_reasons(gateway, "/private/page", 2)
    assert [r for r in upstream.requests if r["path"] == "/private/page"] == []
