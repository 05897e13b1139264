"""A real browser against Digest realms (RFC 7616): Debian's Chromium, driven by playwright-core with
`httpCredentials`, answers the gateway's challenges. The routes pass the Authorization field on, so the echo
upstream shows which algorithm Chromium chose, and the response it sent is recomputed here.

What Chromium 156 does, as asserted here: it answers SHA-256, SHA-256-sess, MD5 and MD5-sess; offered
SHA-256 then MD5 it takes SHA-256; it cannot answer SHA-512-256 and skips such a challenge for the next one,
or stays on the 401 when there is none; within a protection space it reuses its nonce pre-emptively with
nc=00000002, meeting no 401."""
import json
import os
from urllib.parse import urlsplit

import pytest

from harness import configs, digest, passwords
from harness.digest import DigestUser
from node_script import run_node_script

ALICE = DigestUser("alice", "alice-digest-secret")

# (route path, the algorithms its realm offers, what Chromium answers with: None = it cannot)
OFFERS = [
    ("/sha256", ["SHA-256"], "SHA-256"),
    ("/sha256-md5", ["SHA-256", "MD5"], "SHA-256"),
    ("/md5", ["MD5"], "MD5"),
    ("/sha256-sess", ["SHA-256-sess"], "SHA-256-sess"),
    ("/md5-sess", ["MD5-sess"], "MD5-sess"),
    ("/sha512-256-sha256", ["SHA-512-256", "SHA-256"], "SHA-256"),
    ("/sha512-256", ["SHA-512-256"], None),
]
SECOND_PAGE = "/sha256/second"  # in the protection space of /sha256/page

pytestmark = pytest.mark.skipif(os.environ.get("AUTHGATE_BROWSER_TESTS") == "0",
                                reason="AUTHGATE_BROWSER_TESTS=0: the browser was deliberately not installed")


def realm_of(path: str) -> str:
    return f"Browser {path[1:]}"


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, tmp_path_factory):
    """One Digest realm per offer, each on its own path prefix with the Authorization field passed on."""
    workdir = tmp_path_factory.mktemp("browser-digest")
    config = configs.gateway_config(module_upstream.url, *passwords.write_default_store(workdir))
    lines = [digest.ha1_line(ALICE.name, realm_of(path), ALICE.password) for path, _, _ in OFFERS]
    store = digest.write_lines(workdir / "users.htdigest", lines)
    config["stores"]["dig"] = {"type": "htdigest", "path": str(store)}
    config["routes"] = []
    for path, algorithms, _ in OFFERS:
        name = path[1:]
        config["realms"][name] = {"scheme": "digest", "realm": realm_of(path), "store": "dig",
                                  "digest": {"algorithms": algorithms}}
        config["routes"].append(configs.route(name, path, {"realms": [name]}, pass_authorization=True))
    return module_launcher.serve(config)


def browse(urls, user: DigestUser) -> dict:
    """Runs digest_auth.mjs in Node over `urls` in one browser context; its JSON line, pages by path."""
    args = ["--user", user.name, "--password", user.password]
    for url in urls:
        args += ["--url", url]
    return {urlsplit(page["url"]).path: page for page in run_node_script("digest_auth.mjs", args)["pages"]}


@pytest.fixture(scope="module")
def pages(gw):
    """One Chromium visit to every offer's /page, then a second page of the SHA-256 realm; by path."""
    return browse([gw.url(f"{path}/page") for path, _, _ in OFFERS] + [gw.url(SECOND_PAGE)], ALICE)


def authorization(page: dict) -> digest.Challenge:
    """The Authorization Chromium sent, as the upstream echoed it (the routes pass it on)."""
    [value] = [v for k, v in json.loads(page["body"])["headers"] if k.lower() == "authorization"]
    sent = digest.parse_challenges(value)[0]
    assert sent.scheme == "Digest", value
    return sent


def recomputed(sent: digest.Challenge, method: str = "GET") -> str:
    """The response (method "GET") or rspauth (method "", RFC 7616 §3.5) for what Chromium sent."""
    algorithm = sent["algorithm"]
    ha1 = digest.ha1(algorithm, ALICE.name, sent["realm"], ALICE.password)
    return digest.response_for(algorithm, ha1, sent["nonce"], sent["nc"], sent["cnonce"], sent["qop"],
                               digest.hash_hex(algorithm, f"{method}:{sent['uri']}"))


def logged(gw, path: str, count: int) -> list:
    """The reasons logged for `path` (sorted: lines of different connections may come out of order)."""
    return sorted(e["reason"] for e in gw.wait_for_access_log(count, lambda e: e.get("path") == path))


ANSWERED = [o for o in OFFERS if o[2] is not None]


@pytest.mark.parametrize("path,algorithm", [(p, a) for p, _, a in ANSWERED],
                         ids=[f"Chromium offered {' then '.join(o)} answers {a}" for _, o, a in ANSWERED])
def test_chromium_gets_in_with_the_algorithm_it_chose(gw, pages, path, algorithm):
    """Chromium meets one 401 and gets in; the response it sent and the gateway's rspauth are the ones an
    RFC 7616 client and server compute, and the upstream sees alice."""
    page = pages[f"{path}/page"]
    assert page["status"] == 200
    echoed = {k.lower(): v for k, v in json.loads(page["body"])["headers"]}
    assert (echoed["x-auth-user"], echoed["x-auth-scheme"]) == ("alice", "Digest")
    sent = authorization(page)
    assert (sent["algorithm"], sent["realm"], sent["uri"], sent["qop"]) == (algorithm, realm_of(path),
                                                                             f"{path}/page", "auth")
    assert sent["response"] == recomputed(sent)
    assert page["info"] == (f'qop=auth, rspauth="{recomputed(sent, method="")}", cnonce="{sent["cnonce"]}", '
                            f'nc={sent["nc"]}')
    assert logged(gw, f"{path}/page", 2) == ["no_credentials", "ok"]


def test_chromium_cannot_answer_sha512_256_and_stays_on_the_401(gw, pages):
    """Offered SHA-512-256 alone, Chromium sends no credentials at all: the page is the 401, whose
    challenge is still the realm's."""
    page = pages["/sha512-256/page"]
    assert page["status"] == 401
    [challenge] = [digest.parse_challenges(line)[0] for line in page["challenges"]]
    assert (challenge["realm"], challenge["algorithm"]) == ("Browser sha512-256", "SHA-512-256")
    assert logged(gw, "/sha512-256/page", 1) == ["no_credentials"]


def test_chromium_reuses_its_nonce_in_the_same_protection_space(gw, pages):
    """The second page under /sha256/ goes out with the first page's nonce at nc=00000002, pre-emptively:
    no 401, and the gateway's nonce-count check lets the higher count in."""
    first, second = authorization(pages["/sha256/page"]), authorization(pages[SECOND_PAGE])
    assert (second["nonce"], second["nc"]) == (first["nonce"], "00000002")
    assert pages[SECOND_PAGE]["statuses"] == [200]
    assert logged(gw, SECOND_PAGE, 1) == ["ok"]


def test_chromium_with_a_wrong_password_ends_on_the_401(gw, module_upstream):
    """A wrong password is refused (wrong_password) and the browser is left on the realm's challenge;
    the upstream never sees the request."""
    wrong = DigestUser(ALICE.name, "not-" + ALICE.password)
    page = browse([gw.url("/sha256-md5/wrong")], wrong)["/sha256-md5/wrong"]
    assert page["status"] == 401
    offered = [digest.parse_challenges(line)[0] for line in page["challenges"]]
    assert [(c["realm"], c["algorithm"]) for c in offered] == [("Browser sha256-md5", "SHA-256"),
                                                               ("Browser sha256-md5", "MD5")]
    assert "wrong_password" in logged(gw, "/sha256-md5/wrong", 2)
    assert [r for r in module_upstream.requests if r["path"] == "/sha256-md5/wrong"] == []
