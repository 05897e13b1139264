"""A keep-alive connection that sends the same credentials again is answered from its memo of the last
credentials the verify cache answered on it (issue 19, docs/stores.md) — and never differently from the
cache: on one connection each request's own credentials are judged (another user's, a wrong password of the
same length, another scheme), and a revoked token, an expired one and a user removed from the store are
refused on the very connection the memo answered for moments before. The upstream's identity fields are
read back from the strict echo upstream."""
import json
import time
import uuid

import pytest
import requests

from harness import configs, tokens
from harness.fixtures import basic
from harness.passwords import ALICE, BOB, htpasswd_line, write_htpasswd
from harness.raw_http import RawConnection

API_CHALLENGE = 'Bearer realm="API"'
EXPIRED = 'Bearer realm="API", error="invalid_token", error_description="The token expired"'


def memo_config(upstream_url, workdir, ring) -> dict:
    config = configs.staff_and_api_config(upstream_url, workdir, ring)
    config["realms"]["api"]["leeway"] = "0s"  # an expiry takes effect on the second
    return config


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, ring, tmp_path_factory):
    return module_launcher.serve(memo_config(module_upstream.url, tmp_path_factory.mktemp("memo"), ring))


def token(ring, sub: str = "alice", lifetime: int = 300, jti: str = None) -> str:
    claims = tokens.claims(sub=sub, lifetime=lifetime, jti=jti or uuid.uuid4().hex)
    return tokens.mint_pyjwt(ring.keys["RSA"], "RS256", claims)


def upstream_user(response) -> list:
    """The identity user field(s) the upstream received, from the echo."""
    assert response.status == 200, (response.status, response.headers)
    return [v for k, v in json.loads(response.body)["headers"] if k.lower() == "x-auth-user"]


def send(conn, path: str, authorization: str):
    return conn.request("GET", path, [("Authorization", authorization)])


def test_each_request_on_one_connection_is_judged_by_its_own_credentials(gw, ring):
    alice, bob = basic(ALICE.name, ALICE.password), basic(BOB.name, BOB.password)
    bob_token = token(ring, sub=BOB.name)
    with RawConnection(gw.port) as conn:
        assert upstream_user(send(conn, "/a1", alice)) == [ALICE.name]  # verified, then cached
        assert upstream_user(send(conn, "/a2", alice)) == [ALICE.name]  # from the cache, remembered
        assert upstream_user(send(conn, "/a3", alice)) == [ALICE.name]  # from the memo
        assert upstream_user(send(conn, "/b1", bob)) == [BOB.name]
        assert upstream_user(send(conn, "/b2", bob)) == [BOB.name]
        assert upstream_user(send(conn, "/api/t1", f"Bearer {bob_token}")) == [BOB.name]
        assert upstream_user(send(conn, "/a4", alice)) == [ALICE.name]
        assert upstream_user(send(conn, "/a5", alice)) == [ALICE.name]
        assert send(conn, "/api/t2", alice).status == 401, "Basic credentials on a Bearer-only route"
        assert upstream_user(send(conn, "/a6", alice)) == [ALICE.name]


def same_length_variants(password: str) -> list:
    """The password with its first, a middle and its last character changed: the bytes the memo compares
    differ at the start, the middle or the end, at equal length."""
    def flip(i):
        return password[:i] + ("x" if password[i] != "x" else "y") + password[i + 1:]
    return [flip(0), flip(len(password) // 2), flip(len(password) - 1)]


@pytest.mark.parametrize("variant", range(3), ids=["first byte", "a middle byte", "last byte"])
def test_a_wrong_password_of_the_same_length_is_refused_after_the_right_one(gw, variant):
    wrong = same_length_variants(ALICE.password)[variant]
    with RawConnection(gw.port) as conn:
        for i in range(3):
            assert upstream_user(send(conn, f"/r{i}", basic(ALICE.name, ALICE.password))) == [ALICE.name]
        refused = send(conn, "/wrong", basic(ALICE.name, wrong))
        assert refused.status == 401
        assert refused.headers_named("WWW-Authenticate") == [configs.CHALLENGE]
        assert upstream_user(send(conn, "/again", basic(ALICE.name, ALICE.password))) == [ALICE.name]


def test_a_token_changed_in_its_last_byte_is_refused_after_the_right_one(gw, ring):
    good = token(ring)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    with RawConnection(gw.port) as conn:
        for i in range(3):
            assert upstream_user(send(conn, f"/api/{i}", f"Bearer {good}")) == ["alice"]
        assert send(conn, "/api/bad", f"Bearer {bad}").status == 401


def test_a_revoked_token_is_refused_on_the_connection_the_memo_answered(gw, ring):
    jti = uuid.uuid4().hex
    revoked = f"Bearer {token(ring, jti=jti)}"
    with RawConnection(gw.port) as conn:
        for i in range(3):
            assert upstream_user(send(conn, f"/api/before{i}", revoked)) == ["alice"]
        answer = requests.post(gw.admin_url("/revocations"), data=json.dumps({"jti": jti, "ttl": 600}),
                               headers={"Content-Type": "application/json"}, timeout=10)
        assert answer.status_code == 200, answer.text
        refused = send(conn, "/api/after", revoked)
        assert refused.status == 401
        assert refused.headers_named("WWW-Authenticate") == [
            'Bearer realm="API", error="invalid_token", error_description="The token is revoked"']


def test_an_expired_token_is_refused_on_the_connection_the_memo_answered(gw, ring):
    lifetime = 2
    short = f"Bearer {token(ring, lifetime=lifetime)}"
    with RawConnection(gw.port) as conn:
        for i in range(3):
            assert upstream_user(send(conn, f"/api/live{i}", short)) == ["alice"]
        time.sleep(lifetime + 1.2)
        refused = send(conn, "/api/expired", short)
        assert refused.status == 401
        assert refused.headers_named("WWW-Authenticate") == [EXPIRED]


def test_a_user_removed_from_the_store_is_refused_on_the_connection_the_memo_answered(
        launcher, upstream, ring, tmp_path):
    config = memo_config(upstream.url, tmp_path, ring)
    gateway = launcher.serve(config)
    htpasswd = tmp_path / "users.htpasswd"
    alice = basic(ALICE.name, ALICE.password)
    with RawConnection(gateway.port) as conn:
        for i in range(3):
            assert upstream_user(send(conn, f"/before{i}", alice)) == [ALICE.name]
        write_htpasswd(htpasswd, [htpasswd_line("dave", "dave-pass-4", "B -C 4"),
                                  htpasswd_line(BOB.name, BOB.password, "B -C 4")])
        deadline = time.monotonic() + 15
        while requests.get(gateway.url("/"), auth=("dave", "dave-pass-4"), timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the changed store was not loaded"
            time.sleep(0.1)
        refused = send(conn, "/after", alice)
        assert refused.status == 401
        assert refused.headers_named("WWW-Authenticate") == [configs.CHALLENGE]
