"""A real browser against the gateway: Debian's Chromium, driven by playwright-core with `httpCredentials`,
answers our 401 challenge and gets the protected page; with wrong credentials it ends on 401 again."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.configs import CHALLENGE
from harness.passwords import ALICE, JURGEN

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "basic_auth.mjs"


def browse(url: str, user: str, password: str) -> dict:
    """Runs basic_auth.mjs in Node and returns its JSON line (status, body, challenge, statuses)."""
    assert shutil.which("node"), "node is missing: run scripts/install-deps.sh"
    assert Path("/usr/bin/chromium").exists(), "Debian's chromium is missing: run scripts/install-deps.sh"
    assert (HERE / "node_modules" / "playwright-core").is_dir(), "run `npm install` in tests/browser"
    result = subprocess.run(["node", SCRIPT, "--url", url, "--user", user, "--password", password],
                            capture_output=True, text=True, timeout=180, cwd=HERE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def logged_reasons(gateway, path: str) -> list:
    return [entry.get("reason") for entry in gateway.access_log() if entry.get("path") == path]


@pytest.mark.parametrize("user", [ALICE, JURGEN], ids=["Chromium gets the protected page after the 401",
                                                         "Chromium gets in with a UTF-8 user-id and password"])
def test_browser_gets_the_page_after_the_challenge(gateway, user):
    page = browse(gateway.url("/private/page"), user.name, user.password)
    assert page["status"] == 200
    echoed = json.loads(page["body"])
    identity = [v.encode("latin-1").decode("utf-8") for k, v in echoed["headers"] if k.lower() == "x-auth-user"]
    assert identity == [user.name]
    reasons = logged_reasons(gateway, "/private/page")
    assert reasons[:1] == ["no_credentials"], "Chromium first asks without credentials and is challenged"
    assert "ok" in reasons


def test_browser_with_wrong_credentials_gets_401_again(gateway, upstream):
    page = browse(gateway.url("/private/page"), ALICE.name, "not-" + ALICE.password)
    assert page["status"] == 401
    assert page["challenge"] == CHALLENGE
    assert "wrong_password" in logged_reasons(gateway, "/private/page")
    assert [r for r in upstream.requests if r["path"] == "/private/page"] == []
