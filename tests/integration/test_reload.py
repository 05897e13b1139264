"""Reload on SIGHUP and on file change: new requests use the new config, a broken file is reported and the
old config keeps serving, open connections survive, and a changed htpasswd file takes effect at once."""
import os
import signal
import threading
import time

import pytest
import requests

from harness import yaml_text
from harness.configs import CHALLENGE
from harness.passwords import ALICE, BOB, htpasswd_line, write_htpasswd
from harness.raw_http import RawConnection

NEW_REALM = "Reloaded area"
NEW_CHALLENGE = f'Basic realm="{NEW_REALM}", charset="UTF-8"'


def challenge(gateway) -> str:
    response = requests.get(gateway.url("/"), timeout=10)
    assert response.status_code == 401
    return response.headers["WWW-Authenticate"]


def wait_until(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout}s")


def write_in_place(gateway, text: str):
    gateway.config_path.write_text(text)


def write_by_rename(gateway, text: str):
    staging = gateway.config_path.with_suffix(".tmp")
    staging.write_text(text)
    os.replace(staging, gateway.config_path)


def edit_then_sighup(gateway, text: str):
    write_in_place(gateway, text)
    gateway.process.send_signal(signal.SIGHUP)


TRIGGERS = [("after SIGHUP", edit_then_sighup), ("after an in-place edit", write_in_place),
            ("after an atomic rename", write_by_rename)]


def renamed_realm(config: dict) -> str:
    config = {**config, "realms": {"staff": {**config["realms"]["staff"], "realm": NEW_REALM}}}
    return yaml_text.dump(config)


BROKEN = [
    ("a YAML syntax error", lambda text: text.replace("routes:", "routes: [\n  {unclosed", 1)),
    ("a route naming an unknown upstream", lambda text: text.replace('upstream: "app"', 'upstream: "nowhere"', 1)),
    ("an invalid duration", lambda text: text.replace('shutdown_grace: "10s"', 'shutdown_grace: "ten seconds"')),
]


@pytest.mark.parametrize("trigger", [t[1] for t in TRIGGERS], ids=[f"the new config serves {t[0]}" for t in TRIGGERS])
def test_new_config_serves(gateway, trigger):
    assert challenge(gateway) == CHALLENGE
    trigger(gateway, renamed_realm(gateway.config))
    wait_until(lambda: challenge(gateway) == NEW_CHALLENGE, what="the new realm in the challenge")


@pytest.mark.parametrize("trigger", [t[1] for t in TRIGGERS], ids=[t[0] for t in TRIGGERS])
@pytest.mark.parametrize("breakage", [b[1] for b in BROKEN],
                         ids=[f"the old config keeps serving with {b[0]}" for b in BROKEN])
def test_broken_config_keeps_the_old_one(gateway, trigger, breakage):
    good = gateway.config_path.read_text()
    broken = breakage(good)
    assert broken != good
    mark = len(gateway.process.stderr_text())
    trigger(gateway, broken)
    name = gateway.config_path.name
    gateway.process.wait_for_stderr(rf"{name}:\d+(:\d+)?", start=mark)
    assert challenge(gateway) == CHALLENGE
    assert requests.get(gateway.url("/"), auth=(ALICE.name, ALICE.password), timeout=10).status_code == 200
    trigger(gateway, renamed_realm(gateway.config))
    wait_until(lambda: challenge(gateway) == NEW_CHALLENGE, what="the fixed config taking effect")
    assert gateway.process.popen.poll() is None


def test_open_connections_survive_a_reload(gateway):
    with RawConnection(gateway.port) as conn:
        assert conn.request("GET", "/public/before").status == 200
        edit_then_sighup(gateway, renamed_realm(gateway.config))
        wait_until(lambda: challenge(gateway) == NEW_CHALLENGE, what="the new realm")
        assert conn.request("GET", "/public/after").status == 200
        assert conn.request("GET", "/").headers_named("WWW-Authenticate") == [NEW_CHALLENGE]


def test_in_flight_request_finishes_across_a_reload(gateway):
    result = {}

    def slow_request():
        result["response"] = requests.get(gateway.url("/slow?s=2"), auth=(ALICE.name, ALICE.password),
                                          timeout=30)

    worker = threading.Thread(target=slow_request)
    worker.start()
    time.sleep(0.5)
    edit_then_sighup(gateway, renamed_realm(gateway.config))
    worker.join(timeout=30)
    assert result["response"].status_code == 200


def test_a_changed_htpasswd_file_takes_effect(gateway, store_files):
    """Adding a user works without a restart; a removed user is refused at once (the verify cache is
    invalidated when the store reloads, DESIGN.md)."""
    htpasswd, _ = store_files
    assert requests.get(gateway.url("/"), auth=(ALICE.name, ALICE.password), timeout=10).status_code == 200
    write_htpasswd(htpasswd, [htpasswd_line("dave", "dave-pass-4", "B -C 4"),
                              htpasswd_line(BOB.name, BOB.password, "B -C 4")])

    def dave_gets_in():
        return requests.get(gateway.url("/"), auth=("dave", "dave-pass-4"), timeout=10).status_code == 200

    wait_until(dave_gets_in, what="the new user being accepted")
    assert requests.get(gateway.url("/"), auth=(ALICE.name, ALICE.password), timeout=10).status_code == 401
    assert requests.get(gateway.url("/"), auth=(BOB.name, BOB.password), timeout=10).status_code == 200


def test_raw_sighup_with_unchanged_files_changes_nothing(gateway):
    gateway.process.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert challenge(gateway) == CHALLENGE
    assert gateway.process.popen.poll() is None
