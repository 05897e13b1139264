"""Real clients against the gateway: curl, requests, httpx and urllib. urllib's HTTPBasicAuthHandler only
answers a 401 whose challenge names a realm it has a password for, so it tests our challenge too."""
import json

import pytest

from harness import clients, configs, passwords
from harness.configs import CHALLENGE
from harness.passwords import ALICE, JURGEN

NAMES = list(clients.ALL)


@pytest.fixture(scope="module")
def shared_gateway(module_launcher, module_upstream, tmp_path_factory):
    store = passwords.write_default_store(tmp_path_factory.mktemp("store"))
    return module_launcher.serve(configs.gateway_config(module_upstream.url, *store))


def upstream_user(body: bytes):
    users = [v for k, v in json.loads(body)["headers"] if k.lower() == "x-auth-user"]
    return [u.encode("latin-1").decode("utf-8") for u in users]


@pytest.mark.parametrize("client", NAMES, ids=[f"{n} gets in with the right password" for n in NAMES])
def test_client_gets_in(shared_gateway, client):
    status, body, _ = clients.ALL[client](shared_gateway.url("/clients"), ALICE.name, ALICE.password)
    assert status == 200
    assert upstream_user(body) == ["alice"]


@pytest.mark.parametrize("client", NAMES, ids=[f"{n} gets in with a UTF-8 user-id and password" for n in NAMES])
def test_client_sends_utf8(shared_gateway, client):
    """RFC 7617 §2.1: charset="UTF-8" tells clients to encode user-pass as UTF-8 before base64."""
    status, body, _ = clients.ALL[client](shared_gateway.url("/clients"), JURGEN.name, JURGEN.password)
    assert status == 200
    assert upstream_user(body) == [JURGEN.name]


@pytest.mark.parametrize("client", NAMES, ids=[f"{n} gets 401 with a wrong password" for n in NAMES])
def test_client_wrong_password(shared_gateway, client):
    status, _, headers = clients.ALL[client](shared_gateway.url("/clients"), ALICE.name, "not-the-password")
    assert status == 401
    assert headers["www-authenticate"] == CHALLENGE


@pytest.mark.parametrize("client", NAMES, ids=[f"{n} without credentials gets the challenge" for n in NAMES])
def test_client_without_credentials(shared_gateway, client):
    status, _, headers = clients.ALL[client](shared_gateway.url("/clients"), None, None)
    assert status == 401
    assert headers["www-authenticate"] == CHALLENGE
    assert headers["cache-control"] == "no-store"


def test_urllib_does_not_answer_a_challenge_for_another_realm(shared_gateway):
    """Proof that urllib read the realm from our challenge: with the password filed under another realm it
    sends nothing and the 401 stands."""
    status, _, _ = clients.urllib_handler(shared_gateway.url("/clients"), ALICE.name, ALICE.password,
                                          realm="Some other realm")
    assert status == 401


def test_curl_anyauth_reaches_the_group_route_and_is_refused_for_a_user_not_in_it(shared_gateway):
    assert clients.curl_anyauth(shared_gateway.url("/admin"), ALICE.name, ALICE.password)[0] == 200
    assert clients.curl_anyauth(shared_gateway.url("/admin"), "bob", "bob-secret-2")[0] == 403
