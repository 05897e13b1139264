"""Digest authentication (RFC 7616) on the wire: the exact challenges; the RFC's own examples; real clients
(curl, requests, httpx, urllib) getting in, each with the upstream's identity and the server's rspauth
checked here; stale nonces and nextnonce; every rule that refuses credentials, with its status and logged
reason; replays on new connections and from 20 threads at once; userhash and username*; auth-int bodies;
a realm with a quote and a backslash; `authgate check`; an access log that never holds a nonce, cnonce or
response.

What each client does, as asserted here (Debian 12: curl 7.88.1, requests 2.28.1, httpx 0.23.3, urllib of
Python 3.11):
  curl      answers the first Digest challenge: MD5, MD5-sess, SHA-256, SHA-256-sess; its "SHA-512-256" is
            SHA-256 under that name (see curl#8066), which the gateway rightly refuses; starts every URL of
            a command line with a 401 (keeps no nonce); hashes a quoted realm unescaped (curl#8912).
  requests  merges all WWW-Authenticate fields into one dict, so the *last* challenge wins (MD5 after
            SHA-256); MD5, MD5-sess and SHA-256 only; echoes a realm holding `"` unescaped (400).
  httpx     answers the first Digest challenge: MD5, MD5-sess, SHA-256, SHA-256-sess; KeyError on
            SHA-512-256[-sess]; echoes a realm holding `"` unescaped (400).
  urllib    answers the first WWW-Authenticate field, MD5 only of ours (ValueError on the others).
"""
import hashlib
import json
import re
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
import requests

from harness import configs, digest, passwords, yaml_text
from harness.digest import Challenge, DigestUser
from harness.gateway import REPO, run_cli
from harness.raw_http import RawConnection

VECTORS = json.loads((REPO / "tests/data/vectors/rfc-http-auth-examples/http-auth-examples.json").read_text())
RFC_391 = VECTORS["rfc7616_3_9_1"]["inputs"]
RFC_392 = VECTORS["rfc7616_3_9_2"]["inputs"]

# alice's Digest password is her Basic one, so `curl --anyauth` could take either scheme on /anyauth.
ALICE = DigestUser("alice", passwords.ALICE.password, ("admins", "staff"))
MUFASA = DigestUser(RFC_391["username"], RFC_391["password"])  # RFC 7616 §3.9.1
JASON = DigestUser(RFC_392["username"], RFC_392["password"])  # RFC 7616 §3.9.2: "Jäsøn Doe"

QUOTED = 'Quote " and \\ area'
# (config name, realm, `digest:` options, route path), routed in this order.
REALMS = [
    ("sha", "Digest area", {}, "/sha"),
    ("legacy", "Legacy area", {"algorithms": ["MD5"]}, "/legacy"),
    ("rfc", RFC_391["realm"], {"algorithms": ["SHA-256", "MD5"], "qop": ["auth", "auth-int"]}, "/dir"),
    ("api", RFC_392["realm"], {"algorithms": ["SHA-512-256", "SHA-256"], "userhash": True}, "/doe.json"),
    ("int", "Integrity area", {"qop": ["auth-int"]}, "/int"),
    ("quoted", QUOTED, {}, "/quoted"),
    ("short", "Short area", {"nonce_lifetime": "10s"}, "/short"),
] + [(f"alg-{a}", f"Only {a}", {"algorithms": [a]}, f"/alg/{a}") for a in digest.ALGORITHMS]
B64URL = r"[A-Za-z0-9_-]"
LIMIT = 64 * 1024  # limits.max_auth_int_body_bytes by default


def store_lines(workdir: Path) -> list:
    """alice everywhere (Apache's own htdigest line where only MD5 is offered), Mufasa and Jäsøn in the
    RFC's realms."""
    lines = [digest.apache_htdigest_line(workdir, "Legacy area", ALICE.name, ALICE.password)]
    lines += [digest.ha1_line(ALICE.name, realm, ALICE.password) for _, realm, _, _ in REALMS
              if realm != "Legacy area"]
    lines.append(digest.ha1_line(MUFASA.name, RFC_391["realm"], MUFASA.password, ("SHA-256", "MD5")))
    lines.append(digest.ha1_line(JASON.name, RFC_392["realm"], JASON.password, ("SHA-512-256", "SHA-256")))
    return lines


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, tmp_path_factory):
    """One gateway for the module: the Basic `staff` realm and every Digest realm of REALMS."""
    workdir = tmp_path_factory.mktemp("digest")
    config = configs.gateway_config(module_upstream.url, *passwords.write_default_store(workdir))
    store = digest.write_lines(workdir / "users.htdigest", store_lines(workdir))
    groups = passwords.write_groups(workdir / "digest-groups.txt", [ALICE])
    config["stores"]["dig"] = {"type": "htdigest", "path": str(store), "groups": str(groups)}
    routes = [configs.route("anyauth", "/anyauth", {"realms": ["staff", "sha"]})]
    for name, realm, options, path in REALMS:
        config["realms"][name] = {"scheme": "digest", "realm": realm, "store": "dig", "digest": options}
        routes.append(configs.route(name, path, {"realms": [name]}))
    config["routes"] = routes
    return module_launcher.serve(config)


# --- helpers -----------------------------------------------------------------------------------------

def upstream_saw(body: bytes) -> dict:
    """The echo upstream's record; `auth` holds the X-Auth-* and Authorization fields it got, as UTF-8."""
    record = json.loads(body)
    record["auth"] = {k.lower(): v.encode("latin-1").decode("utf-8") for k, v in record["headers"]
                      if k.lower().startswith("x-auth-") or k.lower() == "authorization"}
    return record


def assert_identity(body: bytes, user: DigestUser):
    """The upstream got exactly this user, her groups and scheme Digest, and no Authorization field."""
    assert upstream_saw(body)["auth"] == {"x-auth-user": user.name, "x-auth-groups": ",".join(user.groups),
                                          "x-auth-scheme": "Digest"}


def sent_params(authorization: str) -> Challenge:
    challenge = digest.parse_challenges(authorization)[0]
    assert challenge.scheme == "Digest", authorization
    return challenge


def response_as(sent: Challenge, user: DigestUser, algorithm: str, method: str = "GET") -> str:
    """The response to what a client `sent`, recomputed here with `algorithm`'s hash."""
    ha1 = digest.ha1(algorithm, user.name, sent["realm"], user.password)
    return digest.response_for(algorithm, ha1, sent["nonce"], sent["nc"], sent["cnonce"], sent["qop"],
                               digest.hash_hex(algorithm, f"{method}:{sent['uri']}"))


def expected_info(authorization: str, user: DigestUser) -> str:
    """The Authentication-Info for the credentials a client sent: rspauth = KD(HA1', nonce:nc:cnonce:qop:
    H(":" uri)) (RFC 7616 §3.5), which only a holder of the user's HA1 can compute."""
    c = sent_params(authorization)
    rspauth = response_as(c, user, c["algorithm"], method="")
    return f'qop=auth, rspauth="{rspauth}", cnonce="{c["cnonce"]}", nc={c["nc"]}'


def assert_logged(gw, path: str, *expected: str):
    """Exactly these reasons are logged for `path`, in any order: lines of different connections may be
    written in another order than their responses went out."""
    entries = gw.wait_for_access_log(len(expected), lambda e: e.get("path") == path)
    assert sorted(e["reason"] for e in entries) == sorted(expected)


def slug(request) -> str:
    """This test case's id as a path segment."""
    return re.sub(r"[^A-Za-z0-9]+", "-", request.node.callspec.id).strip("-")


def alice(challenge: Challenge, uri: str, **options) -> digest.Answer:
    return digest.answer(challenge, ALICE.name, ALICE.password, "GET", uri, **options)


def login(gw, path: str, user: DigestUser = ALICE, method: str = "GET", body: bytes = b"", offer=None,
          **options):
    """A fresh challenge on `path` (the one for `offer`), answered by the hand-written client: (answer,
    response)."""
    challenge = digest.fetch_challenge(gw.port, path, offer)
    answer = digest.answer(challenge, user.name, user.password, method, path, body=body, **options)
    return answer, digest.send(gw.port, method, path, answer.header(), body)


def assert_refused(response, realm: str, sent_nonce: str, stale: bool = False):
    """A 401 whose Digest challenges are all for `realm`, each with a nonce other than the one sent, and
    stale=true on each exactly when `stale` (RFC 7616 §3.3). The order of the other parameters is the fresh
    challenge's; stale=true may stand anywhere (authgate puts it last, after charset)."""
    assert response.status == 401, (response.status, response.headers)
    offered = digest.challenges_in(response)
    assert offered and all(c.scheme == "Digest" and c["realm"] == realm for c in offered), offered
    assert all(c["nonce"] != sent_nonce for c in offered), "a refused nonce is never offered again"
    assert [c.get("stale") for c in offered] == [("true" if stale else None)] * len(offered)
    fresh = ["realm", "qop", "algorithm", "nonce", "opaque", "charset"]
    assert all([n for n in c.names() if n != "stale"] == fresh for c in offered), offered


def with_param(challenge: Challenge, name: str, value: str) -> Challenge:
    return Challenge(challenge.scheme, [(k, value if k == name else v) for k, v in challenge.params])


def curl(url: str, user: DigestUser, *flags) -> dict:
    """curl -v with `flags`: the final status, body and fields, each status and every Authorization sent."""
    with tempfile.TemporaryDirectory() as tmp:
        body, head = Path(tmp) / "body", Path(tmp) / "head"
        args = ["curl", "-sS", "-v", "--max-time", "30", "-o", body, "-D", head, "-w", "%{http_code}",
                "-u", f"{user.name}:{user.password}", *flags, url]
        run = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)
        blocks = [b for b in head.read_bytes().decode("latin-1").split("\r\n\r\n") if b.strip()]
        fields = {n.strip().lower(): v.strip() for n, _, v in
                  (line.partition(":") for line in blocks[-1].split("\r\n")[1:])}
        return {"status": int(run.stdout), "body": body.read_bytes(), "fields": fields,
                "statuses": [int(b.split(" ")[1]) for b in blocks],
                "sent": [l[len("> Authorization: "):] for l in run.stderr.splitlines()
                         if l.startswith("> Authorization: ")]}


# --- challenges --------------------------------------------------------------------------------------

def test_a_request_without_credentials_gets_the_exact_challenge(gw):
    """Defaults (SHA-256, qop auth): one line, every parameter in its place, qop quoted (RFC 7616 §3.3)."""
    response = digest.send(gw.port, "GET", "/sha/page")
    assert response.status == 401
    assert response.header("Cache-Control") == "no-store"
    [line] = response.headers_named("WWW-Authenticate")
    assert re.fullmatch(rf'Digest realm="Digest area", qop="auth", algorithm=SHA-256, '
                        rf'nonce="{B64URL}{{43}}", opaque="{B64URL}+", charset="UTF-8"', line), line


def test_several_algorithms_get_one_line_each_in_config_order_with_one_nonce(gw):
    """RFC 7616 §3.7: one challenge per algorithm, the preferred first; whichever a client picks, it
    answers the same nonce and opaque."""
    lines = digest.send(gw.port, "GET", "/dir/index.html").headers_named("WWW-Authenticate")
    first = digest.parse_challenges(lines[0])[0]
    assert lines == [f'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm={a}, '
                     f'nonce="{first["nonce"]}", opaque="{first["opaque"]}", charset="UTF-8"'
                     for a in ("SHA-256", "MD5")]


def test_a_userhash_realm_says_userhash_true_on_every_challenge(gw):
    """RFC 7616 §3.4.4: a realm that accepts hashed user names says so in each of its challenges."""
    lines = digest.send(gw.port, "GET", "/doe.json").headers_named("WWW-Authenticate")
    assert [digest.parse_challenges(line)[0]["algorithm"] for line in lines] == ["SHA-512-256", "SHA-256"]
    assert all(line.endswith(', charset="UTF-8", userhash=true') for line in lines), lines


def test_basic_and_digest_on_one_route_are_challenged_in_route_order(gw):
    """RFC 9110 §11.6.1: a 401 may offer several schemes; the route's realm order is the client's menu."""
    lines = digest.send(gw.port, "GET", "/anyauth/page").headers_named("WWW-Authenticate")
    assert lines[0] == configs.CHALLENGE
    assert [digest.parse_challenges(line)[0].scheme for line in lines] == ["Basic", "Digest"]


def test_every_401_carries_a_new_nonce(gw):
    """Nonces are never handed out twice, so a nonce count is one client's own."""
    assert len({digest.fetch_challenge(gw.port, "/sha/page")["nonce"] for _ in range(5)}) == 5


# --- the RFC's examples ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", VECTORS["rfc7616_3_9_1"]["cases"],
                         ids=lambda c: f"the hand-written client reproduces RFC 7616 3.9.1 {c['algorithm']}")
def test_the_hand_written_client_reproduces_rfc_7616_3_9_1(case):
    """The client that judges the gateway is judged first, by the RFC's own numbers."""
    i = RFC_391
    challenge = Challenge("Digest", [("realm", i["realm"]), ("nonce", i["nonce"]), ("opaque", i["opaque"]),
                                     ("algorithm", case["algorithm"])])
    answer = digest.answer(challenge, i["username"], i["password"], i["method"], i["uri"], cnonce=i["cnonce"])
    assert answer.value_of("response") == case["expected_response"]
    assert dict(sent_params(answer.header()).params) == dict(sent_params(case["authorization"]).params)


def test_the_hand_written_client_reproduces_rfc_7616_3_9_2_with_fips_sha512_256():
    """§3.9.2 (SHA-512-256, userhash): the FIPS 180-4 values; the RFC's printed ones are SHA-512 cut
    short (see the vectors' README)."""
    example, i = VECTORS["rfc7616_3_9_2"], RFC_392
    challenge = digest.parse_challenges(example["challenge"])[0]
    answer = digest.answer(challenge, i["username"], i["password"], i["method"], i["uri"], cnonce=i["cnonce"],
                           userhash=True)
    assert answer.value_of("username") == example["computed_fips_sha512_256"]["username_userhash"]
    assert answer.value_of("response") == example["computed_fips_sha512_256"]["response"]
    assert answer.value_of("response") != example["rfc_published"]["response"]


@pytest.mark.parametrize("algorithm", ["SHA-256", "MD5"])
def test_mufasa_gets_in_as_in_rfc_7616_3_9_1(gw, algorithm):
    """The §3.9.1 exchange against the gateway's nonce: the RFC's user, password, uri and cnonce, and the
    rspauth only a server holding HA1 can send."""
    answer, response = login(gw, "/dir/index.html", MUFASA, offer=algorithm, cnonce=RFC_391["cnonce"])
    assert response.status == 200
    assert_identity(response.body, MUFASA)
    assert response.header("Authentication-Info") == (
        f'qop=auth, rspauth="{answer.rspauth()}", cnonce="{RFC_391["cnonce"]}", nc=00000001')


def test_jason_gets_in_with_userhash_and_sha512_256_as_in_rfc_7616_3_9_2(gw):
    """The §3.9.2 exchange against the gateway: FIPS SHA-512/256, the user name sent as
    H("Jäsøn Doe:api@example.org"), the identity the upstream sees decoded back to the real name."""
    answer, response = login(gw, "/doe.json", JASON, offer="SHA-512-256", userhash=True,
                             cnonce=RFC_392["cnonce"])
    assert answer.value_of("username") == digest.hash_hex("SHA-512-256", f"{JASON.name}:{RFC_392['realm']}")
    assert response.status == 200
    assert_identity(response.body, JASON)
    assert digest.info_of(response)["rspauth"] == answer.rspauth()


def test_a_non_ascii_user_gets_in_with_username_star(gw):
    """RFC 7616 §3.4 and RFC 8187: username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, HA1 over the UTF-8 name."""
    answer, response = login(gw, "/doe.json", JASON, offer="SHA-256")
    assert answer.params[0][:2] == ["username*", "UTF-8''J%C3%A4s%C3%B8n%20Doe"]
    assert response.status == 200
    assert_identity(response.body, JASON)


def test_a_user_gets_in_with_userhash_and_sha256(gw):
    """userhash with the realm's second algorithm: the hashed name is looked up per hash family."""
    answer, response = login(gw, "/doe.json", ALICE, offer="SHA-256", userhash=True)
    assert response.status == 200
    assert_identity(response.body, ALICE)


# --- real clients ------------------------------------------------------------------------------------

CURL_LOGINS = [  # (id, path, user, the algorithm curl must answer with)
    ("curl --digest gets in on an MD5-only realm from Apache's htdigest", "/legacy/curl", ALICE, "MD5"),
    ("curl --digest gets in on a SHA-256 realm", "/sha/curl", ALICE, "SHA-256"),
    ("curl --digest takes SHA-256, the first of SHA-256 and MD5", "/dir/index.html", MUFASA, "SHA-256"),
    ("curl --digest gets in with SHA-256-sess", "/alg/SHA-256-sess/curl", ALICE, "SHA-256-sess"),
    ("curl --digest gets in with MD5-sess", "/alg/MD5-sess/curl", ALICE, "MD5-sess"),
]


@pytest.mark.parametrize("path,user,algorithm", [c[1:] for c in CURL_LOGINS], ids=[c[0] for c in CURL_LOGINS])
def test_curl_digest_gets_in(gw, path, user, algorithm):
    """One 401, one answer, 200: the upstream sees the user, and curl's rspauth is the one computed here."""
    run = curl(gw.url(path), user, "--digest")
    assert run["statuses"] == [401, 200]
    [sent] = run["sent"]
    assert sent_params(sent)["algorithm"] == algorithm
    assert_identity(run["body"], user)
    assert run["fields"]["authentication-info"] == expected_info(sent, user)


@pytest.mark.parametrize("algorithm", ["SHA-512-256", "SHA-512-256-sess"])
def test_curl_sha512_256_is_judged_by_the_hash_curl_really_used(gw, algorithm):
    """curl before 8.x computes "SHA-512-256" with SHA-256 (curl#8066: its test hashes "matched sha256sum");
    the gateway computes FIPS SHA-512/256, so such a curl gets 401 and a curl that really hashes with
    SHA-512/256 gets 200. Either way the gateway's verdict is the hash's."""
    path = f"/alg/{algorithm}/curl"
    run = curl(gw.url(path), ALICE, "--digest")
    sent = sent_params(run["sent"][0])
    assert sent["algorithm"] == algorithm
    if sent["response"] == response_as(sent, ALICE, algorithm):
        assert run["status"] == 200
    else:
        assert sent["response"] == response_as(sent, ALICE, algorithm.replace("SHA-512-256", "SHA-256"))
        assert run["statuses"] == [401, 401]
        assert_logged(gw, path, "no_credentials", "wrong_password")


def test_curl_anyauth_picks_digest_over_basic(gw):
    """Offered Basic first and Digest second, curl --anyauth takes the safer Digest (never the password in
    the clear)."""
    run = curl(gw.url("/anyauth/curl"), ALICE, "--anyauth")
    assert run["statuses"] == [401, 200]
    [sent] = run["sent"]
    assert sent_params(sent)["realm"] == "Digest area"
    assert_identity(run["body"], ALICE)
    assert run["fields"]["authentication-info"] == expected_info(sent, ALICE)


def test_curl_starts_every_url_of_a_command_line_with_a_401(gw):
    """curl's tool gives each URL a fresh handle: it never reuses a nonce, so it can never hold a stale
    one (its stale=true path cannot be reached from the command line)."""
    urls = [gw.url("/sha/curl-first"), gw.url("/sha/curl-second")]
    args = ["curl", "-sS", "-v", "--digest", "-u", f"{ALICE.name}:{ALICE.password}"]
    run = subprocess.run([*args, "-o", "/dev/null", urls[0], "-o", "/dev/null", urls[1]],
                         capture_output=True, text=True, timeout=60, check=True)
    sent = [sent_params(line.split(": ", 1)[1]) for line in run.stderr.splitlines()
            if line.startswith("> Authorization: ")]
    assert [c["nc"] for c in sent] == ["00000001", "00000001"]
    assert sent[0]["nonce"] != sent[1]["nonce"]
    for path in ("/sha/curl-first", "/sha/curl-second"):
        assert_logged(gw, path, "no_credentials", "ok")


REQUESTS_CAN = ["SHA-256", "MD5", "MD5-sess"]


@pytest.mark.parametrize("algorithm", REQUESTS_CAN, ids=[f"requests gets in with {a}" for a in REQUESTS_CAN])
def test_requests_http_digest_auth_gets_in(gw, algorithm):
    """requests.auth.HTTPDigestAuth with each algorithm it knows: one 401, then 200 and a true rspauth."""
    response = requests.get(gw.url(f"/alg/{algorithm}/requests"),
                            auth=requests.auth.HTTPDigestAuth(ALICE.name, ALICE.password), timeout=30)
    assert [r.status_code for r in response.history] == [401]
    assert response.status_code == 200
    sent = response.request.headers["Authorization"]
    assert sent_params(sent)["algorithm"] == algorithm
    assert_identity(response.content, ALICE)
    assert response.headers["Authentication-Info"] == expected_info(sent, ALICE)


@pytest.mark.parametrize("algorithm", ["SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"])
def test_requests_cannot_answer_the_algorithms_it_lacks(gw, algorithm):
    """requests 2.28 builds no header for these (build_digest_header returns None) and fails itself."""
    with pytest.raises(TypeError):
        requests.get(gw.url(f"/alg/{algorithm}/requests"),
                     auth=requests.auth.HTTPDigestAuth(ALICE.name, ALICE.password), timeout=30)


def test_requests_answers_the_last_of_several_challenges(gw):
    """requests folds both WWW-Authenticate fields into one dict: MD5, listed second, overwrites SHA-256.
    The gateway accepts it because it offers MD5; a realm that should not be answered with MD5 must not
    list it."""
    response = requests.get(gw.url("/dir/index.html"), auth=requests.auth.HTTPDigestAuth(MUFASA.name,
                                                                                           MUFASA.password))
    sent = response.request.headers["Authorization"]
    assert sent_params(sent)["algorithm"] == "MD5"
    assert response.status_code == 200
    assert response.headers["Authentication-Info"] == expected_info(sent, MUFASA)


HTTPX_CAN = ["SHA-256", "SHA-256-sess", "MD5", "MD5-sess"]


@pytest.mark.parametrize("algorithm", HTTPX_CAN, ids=[f"httpx gets in with {a}" for a in HTTPX_CAN])
def test_httpx_digest_auth_gets_in(gw, algorithm):
    """httpx.DigestAuth with each algorithm of ours it knows, -sess included: one 401, then 200."""
    response = httpx.get(gw.url(f"/alg/{algorithm}/httpx"), auth=httpx.DigestAuth(ALICE.name, ALICE.password),
                         timeout=30)
    assert [r.status_code for r in response.history] == [401]
    assert response.status_code == 200
    sent = response.request.headers["Authorization"]
    assert sent_params(sent)["algorithm"] == algorithm
    assert_identity(response.content, ALICE)
    assert response.headers["Authentication-Info"] == expected_info(sent, ALICE)


@pytest.mark.parametrize("algorithm", ["SHA-512-256", "SHA-512-256-sess"])
def test_httpx_cannot_answer_sha512_256(gw, algorithm):
    """httpx 0.23 has no SHA-512-256 in its table: a KeyError, and no credentials ever sent."""
    path = f"/alg/{algorithm}/httpx"
    with pytest.raises(KeyError, match=algorithm.upper()):
        httpx.get(gw.url(path), auth=httpx.DigestAuth(ALICE.name, ALICE.password), timeout=30)
    assert_logged(gw, path, "no_credentials")


def test_httpx_answers_the_first_of_several_challenges(gw):
    """httpx takes the first Digest challenge, the one the realm prefers (RFC 7616 §3.7)."""
    response = httpx.get(gw.url("/dir/index.html"), auth=httpx.DigestAuth(MUFASA.name, MUFASA.password))
    sent = response.request.headers["Authorization"]
    assert sent_params(sent)["algorithm"] == "SHA-256"
    assert response.status_code == 200
    assert response.headers["Authentication-Info"] == expected_info(sent, MUFASA)


def urllib_get(url: str, user: DigestUser):
    """HTTPDigestAuthHandler: (status, body, Authentication-Info, the Authorization it sent)."""
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, user.name, user.password)
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))
    with opener.open(request, timeout=30) as response:
        return (response.status, response.read(), response.headers["Authentication-Info"],
                request.get_header("Authorization"))


def test_urllib_digest_handler_gets_in_on_an_md5_realm(gw):
    """urllib's HTTPDigestAuthHandler against an htdigest line written by Apache's own tool."""
    status, body, info, sent = urllib_get(gw.url("/legacy/urllib"), ALICE)
    assert status == 200
    assert_identity(body, ALICE)
    assert info == expected_info(sent, ALICE)


def test_urllib_digest_handler_cannot_answer_sha256(gw):
    """Python 3.11's urllib knows MD5 and SHA(-1) only: a SHA-256 realm is beyond it, a client-side error."""
    with pytest.raises(ValueError, match="Unsupported digest authentication algorithm 'SHA-256'"):
        urllib_get(gw.url("/sha/urllib"), ALICE)


# --- every rule that refuses -------------------------------------------------------------------------

REQUIRED = ["username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce"]
SENT = REQUIRED + ["algorithm", "opaque"]
# (id, how alice's right answer is spoilt); each gets 400 and is logged malformed_header (RFC 7616 §3.4).
MALFORMED = [
    *[(f"credentials without {p} get 400", lambda a, p=p: a.without(p)) for p in REQUIRED],
    *[(f"credentials with {p} twice get 400", lambda a, p=p: a.with_duplicate(p)) for p in SENT],
    ("username and username* together get 400",
     lambda a: a.replaced("username*", digest.ext_value("alice"), quoted=False)),
    ("username* in a charset other than UTF-8 gets 400",
     lambda a: a.without("username").replaced("username*", "ISO-8859-1''alice", quoted=False)),
    ("username* with a broken %-escape gets 400",
     lambda a: a.without("username").replaced("username*", "UTF-8''al%6", quoted=False)),
    ("an nc of 7 hex digits gets 400", lambda a: a.replaced("nc", "0000001")),
    ("an nc of 9 hex digits gets 400", lambda a: a.replaced("nc", "000000001")),
    ("an nc that is not hex gets 400", lambda a: a.replaced("nc", "0000000g")),
    ("an nc of 00000000 gets 400", lambda a: a.replaced("nc", "00000000")),
    ("an empty nonce gets 400", lambda a: a.replaced("nonce", "")),
    ("the unknown algorithm SHA-512 gets 400", lambda a: a.replaced("algorithm", "SHA-512")),
    ("the unknown algorithm MD6 gets 400", lambda a: a.replaced("algorithm", "MD6")),
    ("the unknown qop auth-conf gets 400", lambda a: a.replaced("qop", "auth-conf")),
    ("qop AUTH, never offered in capitals, gets 400", lambda a: a.replaced("qop", "AUTH")),
    ("a response too short for SHA-256 gets 400",
     lambda a: a.replaced("response", a.value_of("response")[:32])),
    ("a response that is not hex gets 400", lambda a: a.replaced("response", "z" * 64)),
    ("userhash=maybe gets 400", lambda a: a.replaced("userhash", "maybe", quoted=False)),
]


@pytest.mark.parametrize("spoil", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_credentials_get_400(gw, spoil, request):
    """Credentials that break RFC 7616 §3.4's syntax are a bad request, not a failed login: 400, no
    challenge, nothing hashed."""
    path = f"/sha/malformed/{slug(request)}"
    header = spoil(alice(digest.fetch_challenge(gw.port, path), path)).header()
    response = digest.send(gw.port, "GET", path, header)
    assert response.status == 400
    assert response.headers_named("WWW-Authenticate") == []
    assert_logged(gw, path, "no_credentials", "malformed_header")


def tampered(nonce: str) -> str:
    """One character in the middle changed: the nonce's MAC no longer matches."""
    return nonce[:20] + ("A" if nonce[20] != "A" else "B") + nonce[21:]


def nonce_of_legacy(challenge: Challenge, port: int) -> Challenge:
    return with_param(challenge, "nonce", digest.fetch_challenge(port, "/legacy/x")["nonce"])


# (id, the credentials sent for challenge c on uri u, gateway port p; the logged reason). Each gets 401 with
# a fresh challenge and no stale=true.
REFUSED = [
    ("MD5, which this realm does not offer, gets 401", lambda c, u, p: alice(c, u, algorithm="MD5"),
     "alg_not_allowed"),
    ("no algorithm, which means MD5 (RFC 7616 §3.4), gets 401 here",
     lambda c, u, p: alice(c, u, algorithm="MD5").without("algorithm"), "alg_not_allowed"),
    ("qop auth-int, which this realm does not offer, gets 401", lambda c, u, p: alice(c, u, qop="auth-int"),
     "alg_not_allowed"),
    ("another realm's name gets 401", lambda c, u, p: alice(with_param(c, "realm", "Other area"), u),
     "wrong_realm"),
    ("a nonce with one character changed gets 401",
     lambda c, u, p: alice(with_param(c, "nonce", tampered(c["nonce"])), u), "bad_nonce"),
    ("a nonce the gateway issued for another realm gets 401", lambda c, u, p: alice(nonce_of_legacy(c, p), u),
     "bad_nonce"),
    ("a nonce the gateway never issued gets 401", lambda c, u, p: alice(with_param(c, "nonce", "A" * 43), u),
     "bad_nonce"),
    ("a wrong opaque gets 401", lambda c, u, p: alice(c, u).replaced("opaque", "A" * 22), "bad_nonce"),
    ("no opaque gets 401", lambda c, u, p: alice(c, u).without("opaque"), "bad_nonce"),
    ("a wrong password gets 401", lambda c, u, p: digest.answer(c, "alice", "wrong", "GET", u),
     "wrong_password"),
    ("a response for another method gets 401",
     lambda c, u, p: digest.answer(c, "alice", ALICE.password, "POST", u), "wrong_password"),
    ("an unknown user gets 401", lambda c, u, p: digest.answer(c, "mallory", ALICE.password, "GET", u),
     "unknown_user"),
    ("a userhash on a realm that does not offer userhash gets 401",
     lambda c, u, p: alice(c, u, userhash=True), "unknown_user"),
]


@pytest.mark.parametrize("make,reason", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_refused_credentials_get_401_and_a_fresh_challenge(gw, make, reason, request):
    """Well-formed credentials that do not prove the password for this realm, nonce and opaque: 401 with
    the realm's challenge and a new nonce, never stale=true."""
    path = f"/sha/refused/{slug(request)}"
    challenge = digest.fetch_challenge(gw.port, path)
    response = digest.send(gw.port, "GET", path, make(challenge, path, gw.port).header())
    assert_refused(response, "Digest area", challenge["nonce"])
    assert_logged(gw, path, "no_credentials", reason)


def test_qop_auth_on_a_realm_offering_only_auth_int_gets_401(gw):
    """A realm that asks for the body's integrity does not take the weaker qop."""
    challenge = digest.fetch_challenge(gw.port, "/int/auth")
    assert challenge["qop"] == "auth-int"
    response = digest.send(gw.port, "GET", "/int/auth", alice(challenge, "/int/auth").header())
    assert_refused(response, "Integrity area", challenge["nonce"])
    assert_logged(gw, "/int/auth", "no_credentials", "alg_not_allowed")


URIS = [  # (id, the uri the client hashes and sends, the request-target, status)
    ("a uri naming another path gets 400", "/sha/uri-other", "/sha/uri-a", 400),
    ("a uri without the target's query gets 400", "/sha/uri-b", "/sha/uri-b?q=1", 400),
    ("a uri with another query gets 400", "/sha/uri-c?q=2", "/sha/uri-c?q=1", 400),
    ("an absolute-form uri naming another host gets 400", "http://example.com/sha/uri-d", "/sha/uri-d", 400),
    ("the target with its query gets 200", "/sha/uri-e?q=1", "/sha/uri-e?q=1", 200),
    ("the absolute form of the target gets 200 (RFC 7616 §3.4.6)", "http://127.0.0.1:{port}/sha/uri-f",
     "/sha/uri-f", 200),
    # Another scheme or port is another origin (RFC 9110 §4.3.1), so another resource.
    ("an absolute-form uri with another port gets 400", "http://127.0.0.1:1/sha/uri-g", "/sha/uri-g", 400),
    ("an absolute-form uri with scheme https gets 400", "https://127.0.0.1:{port}/sha/uri-h", "/sha/uri-h",
     400),
    ("an absolute-form uri of another scheme gets 400", "ftp://127.0.0.1:{port}/sha/uri-i", "/sha/uri-i", 400),
]


@pytest.mark.parametrize("uri,target,status", [pytest.param(*u[1:], id=u[0]) for u in URIS])
def test_the_uri_must_name_the_request_target(gw, uri, target, status):
    """RFC 7616 §3.4.6: the response is bound to `uri`; one naming another resource is a 400 even when the
    response over it is right, so a captured answer cannot be spent on another path."""
    uri = uri.format(port=gw.port)
    answer = alice(digest.fetch_challenge(gw.port, target), uri)
    # The Host a real client sends, port included: an absolute-form uri must name this origin exactly.
    response = digest.send(gw.port, "GET", target, answer.header(), headers=[("Host", f"127.0.0.1:{gw.port}")])
    assert response.status == status
    path = target.split("?")[0]
    assert_logged(gw, path, "no_credentials", "ok" if status == 200 else "uri_mismatch")


# --- replays -----------------------------------------------------------------------------------------

def test_a_captured_header_replayed_on_a_new_connection_gets_stale_true(gw):
    """The nonce count is spent once (RFC 7616 §5.5); stale=true lets an honest client go on at once."""
    answer, first = login(gw, "/sha/replay")
    assert first.status == 200
    again = digest.send(gw.port, "GET", "/sha/replay", answer.header())
    assert_refused(again, "Digest area", answer.nonce, stale=True)
    assert_logged(gw, "/sha/replay", "no_credentials", "ok", "nonce_replayed")


def test_one_header_sent_from_20_threads_at_once_gets_in_exactly_once(gw):
    """The (nonce, nc) check-and-record is atomic: of 20 simultaneous copies one gets in, 19 get
    stale=true."""
    answer = alice(digest.fetch_challenge(gw.port, "/sha/race"), "/sha/race")
    connections = [RawConnection(gw.port) for _ in range(20)]
    start, responses = threading.Barrier(20), []

    def race(connection):
        start.wait()
        responses.append(connection.request("GET", "/sha/race", [("Authorization", answer.header())]))

    threads = [threading.Thread(target=race, args=(c,)) for c in connections]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        for connection in connections:
            connection.close()
    assert sorted(r.status for r in responses) == [200] + [401] * 19
    for response in responses:
        if response.status == 401:
            assert_refused(response, "Digest area", answer.nonce, stale=True)


def test_the_nonce_count_must_rise(gw):
    """Each (nonce, nc) once, nc above every nc already accepted for that nonce; going back is refused
    with stale=true, and the nonce stays good for a higher count."""
    challenge = digest.fetch_challenge(gw.port, "/sha/nc")
    steps = [(2, 200), (1, 401), (2, 401), (5, 200), (4, 401), (6, 200)]
    for nc, status in steps:
        response = digest.send(gw.port, "GET", "/sha/nc", alice(challenge, "/sha/nc", nc=nc).header())
        assert response.status == status, f"nc={nc}"
        if status == 401:
            assert_refused(response, "Digest area", challenge["nonce"], stale=True)


# --- auth-int ----------------------------------------------------------------------------------------

def assert_body_reached_upstream(response, body: bytes):
    record = upstream_saw(response.body)
    assert (record["body_length"], record["body_sha256"]) == (len(body), hashlib.sha256(body).hexdigest())


def test_auth_int_post_gets_through_with_its_exact_body(gw):
    """RFC 7616 §3.4.3: HA2 covers H(entity-body); no rspauth for auth-int (the response body is not
    hashed), so no Authentication-Info either outside the nonce's last fifth."""
    body = bytes(range(256)) * 16 + b"\r\n\x00end"
    _, response = login(gw, "/int/upload", method="POST", body=body, qop="auth-int")
    assert response.status == 200
    assert_body_reached_upstream(response, body)
    assert_identity(response.body, ALICE)
    assert response.header("Authentication-Info") is None


def test_auth_int_with_the_body_changed_in_transit_gets_401(gw):
    """What auth-int is for: a body altered after the client hashed it fails the response."""
    challenge = digest.fetch_challenge(gw.port, "/int/changed")
    answer = digest.answer(challenge, ALICE.name, ALICE.password, "POST", "/int/changed", qop="auth-int",
                           body=b"pay alice 10")
    response = digest.send(gw.port, "POST", "/int/changed", answer.header(), b"pay alice 99")
    assert_refused(response, "Integrity area", challenge["nonce"])
    assert_logged(gw, "/int/changed", "no_credentials", "wrong_password")


def test_auth_int_spelled_with_a_quoted_pair_is_read_and_hashed_like_any_other(gw):
    """qop="auth\\-int" is auth-int once unquoted (RFC 9110 §5.6.4), and the scheme reads it so: the gateway
    must read and hash the body for it too, never answer 500 for want of it."""
    challenge = digest.fetch_challenge(gw.port, "/int/quoted")
    body = b"pay alice 10"
    answer = digest.answer(challenge, ALICE.name, ALICE.password, "POST", "/int/quoted", qop="auth-int", body=body)
    header = answer.header().replace("qop=auth-int", 'qop="auth\\-int"')
    assert 'qop="auth\\-int"' in header
    response = digest.send(gw.port, "POST", "/int/quoted", header, body)
    assert response.status == 200
    assert_body_reached_upstream(response, body)


def chunked(pieces) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


BODIES = [  # (id, path, qop, body pieces, chunked?, status)
    ("an auth-int body of exactly 64 KiB gets through", "/int/at", "auth-int", [b"b" * LIMIT], False, 200),
    ("an auth-int body one byte over 64 KiB gets 413", "/int/over", "auth-int", [b"b" * (LIMIT + 1)], False,
     413),
    ("a chunked auth-int body over 64 KiB gets 413", "/int/chunks", "auth-int", [b"c" * 40000] * 2, True,
     413),
    ("a qop=auth body of 100 KiB is not held, so not bounded", "/dir/big", "auth", [b"d" * 102400], False,
     200),
]


@pytest.mark.parametrize("path,qop,pieces,is_chunked,status", [b[1:] for b in BODIES],
                         ids=[b[0] for b in BODIES])
def test_auth_int_bodies_are_bounded(gw, path, qop, pieces, is_chunked, status):
    """The gateway holds an auth-int body whole to hash it, so limits.max_auth_int_body_bytes bounds it,
    however it is framed; a qop=auth body streams and only the route's own limit applies."""
    body = b"".join(pieces)
    challenge = digest.fetch_challenge(gw.port, path)
    answer = digest.answer(challenge, ALICE.name, ALICE.password, "POST", path, qop=qop, body=body)
    framing = [("Transfer-Encoding", "chunked")] if is_chunked else []
    response = digest.send(gw.port, "POST", path, answer.header(), chunked(pieces) if is_chunked else body,
                           headers=framing)
    assert response.status == status
    if status == 200:
        assert_body_reached_upstream(response, body)


def test_auth_int_with_a_chunked_body(gw):
    """The hash covers the body as decoded from its chunks, not the chunked bytes."""
    pieces = [b"hello ", b"chunked ", b"world\r\n"]
    body = b"".join(pieces)
    challenge = digest.fetch_challenge(gw.port, "/int/chunked")
    answer = digest.answer(challenge, ALICE.name, ALICE.password, "POST", "/int/chunked", qop="auth-int",
                           body=body)
    response = digest.send(gw.port, "POST", "/int/chunked", answer.header(), chunked(pieces),
                           headers=[("Transfer-Encoding", "chunked")])
    assert response.status == 200
    assert_body_reached_upstream(response, body)


# --- a realm with a quote and a backslash ------------------------------------------------------------

def test_a_quoted_realm_is_hashed_unescaped(gw):
    """The challenge escapes `"` and `\\` (RFC 9110 §5.6.4); HA1 is over the realm's value, unescaped."""
    response = digest.send(gw.port, "GET", "/quoted/hand")
    assert response.header("WWW-Authenticate").startswith('Digest realm="Quote \\" and \\\\ area", ')
    challenge = digest.challenges_in(response)[0]
    assert challenge["realm"] == QUOTED
    right = alice(challenge, "/quoted/hand")
    assert digest.send(gw.port, "GET", "/quoted/hand", right.header()).status == 200
    escaped = alice(digest.fetch_challenge(gw.port, "/quoted/escaped"), "/quoted/escaped",
                    hash_realm='Quote \\" and \\\\ area')
    assert digest.send(gw.port, "GET", "/quoted/escaped", escaped.header()).status == 401


def test_curl_hashes_a_quoted_realm_unescaped_and_gets_in(gw):
    """curl 7.88 unescapes challenge values before hashing and escapes the realm it echoes (curl#8912), so
    it gets in. `authgate check`'s warning names curl before 7.84, and python requests and httpx."""
    run = curl(gw.url("/quoted/curl"), ALICE, "--digest")
    [sent] = run["sent"]
    assert 'realm="Quote \\" and \\\\ area"' in sent
    assert run["status"] == 200
    assert run["fields"]["authentication-info"] == expected_info(sent, ALICE)


@pytest.mark.parametrize("client", ["requests", "httpx"])
def test_python_clients_echo_a_quoted_realm_unescaped_and_get_400(gw, client):
    """requests and httpx unescape the realm and hash it right, but write it back between quotes without
    escaping: the Authorization field no longer parses, a 400, never a 401."""
    path = f"/quoted/{client}"
    if client == "requests":
        response = requests.get(gw.url(path), auth=requests.auth.HTTPDigestAuth(ALICE.name, ALICE.password))
        status, sent = response.status_code, response.request.headers["Authorization"]
    else:
        response = httpx.get(gw.url(path), auth=httpx.DigestAuth(ALICE.name, ALICE.password))
        status, sent = response.status_code, response.request.headers["Authorization"]
    assert f'realm="{QUOTED}"' in sent
    assert status == 400
    assert_logged(gw, path, "no_credentials", "malformed_header")


# --- authgate check ----------------------------------------------------------------------------------

@pytest.mark.parametrize("alice_line,refused", [
    (digest.htdigest_line("alice", "Check area", "pw"), True),
    (digest.ha1_line("alice", "Check area", "pw", ("SHA-256",)), False),
], ids=["check refuses a SHA-256 realm whose store has only alice's MD5 HA1, naming file:line",
        "check accepts the same realm once alice has a SHA-256 HA1"])
def test_check_refuses_a_realm_whose_store_lacks_an_ha1_it_needs(tmp_path, alice_line, refused):
    """A user who could never log in with the realm's algorithm is a config error at load, pointing at
    the store file's line, not a 401 at request time."""
    store = digest.write_lines(tmp_path / "check.htdigest",
                               [digest.ha1_line("bob", "Check area", "pw", ("SHA-256",)), alice_line])
    config = configs.gateway_config("http://127.0.0.1:9", *passwords.write_default_store(tmp_path))
    config["stores"]["dig"] = {"type": "htdigest", "path": str(store)}
    config["realms"]["chk"] = {"scheme": "digest", "realm": "Check area", "store": "dig"}
    config["routes"] = [configs.route("chk", "/", {"realms": ["chk"]})]
    path = tmp_path / "authgate.yaml"
    path.write_text(yaml_text.dump(config))
    result = run_cli(["check", "--config", path])
    message = (f"{store}:2:1: realms.chk: user 'alice' of realm 'Check area' has no SHA-256 HA1, which "
               f"algorithm SHA-256 needs")
    expected = (1, True) if refused else (0, False)
    assert (result.returncode, message in result.stderr) == expected, result.stderr


# --- the access log ----------------------------------------------------------------------------------

def test_the_access_log_never_holds_a_nonce_cnonce_or_response(gw):
    """A one-time value is still a credential while its nonce lives: neither the access log (stdout) nor
    the diagnostics (stderr) get one, whether the login worked, was replayed or failed."""
    ok_answer, ok = login(gw, "/sha/log-ok")
    replayed = digest.send(gw.port, "GET", "/sha/log-ok", ok_answer.header())
    bad_answer, bad = login(gw, "/sha/log-bad", DigestUser("alice", "wrong"))
    assert [ok.status, replayed.status, bad.status] == [200, 401, 401]
    values = [v for a in (ok_answer, bad_answer) for v in (a.nonce, a.cnonce, a.value_of("response"))]
    values += [digest.info_of(ok)["rspauth"]]
    values += [c["nonce"] for c in digest.challenges_in(replayed) + digest.challenges_in(bad)]
    gw.wait_for_access_log(3, lambda e: e.get("path") == "/sha/log-ok")
    gw.wait_for_access_log(2, lambda e: e.get("path") == "/sha/log-bad")
    for text in (gw.process.stdout_text(), gw.process.stderr_text()):
        assert [v for v in values if v in text] == []


# --- stale nonces and nextnonce (realm "Short area": nonce_lifetime 10s) ------------------------------

class Aged:
    """Clients that got in on the 10 s realm as the module started; their nonces age while other tests
    run, so the file waits for expiry once, not per test. A nonce is stamped in whole seconds
    (floor(now)), so it expires no later than 10 s after it was fetched."""

    def __init__(self, gw):
        self.gw = gw
        before = time.time()
        self.challenge = digest.fetch_challenge(gw.port, "/short/hand")
        fetched = time.time()
        self.first = digest.send(gw.port, "GET", "/short/hand", self.answer(1).header())
        self.session = requests.Session()
        self.session.auth = requests.auth.HTTPDigestAuth(ALICE.name, ALICE.password)
        self.session_first = self.session.get(gw.url("/short/requests"), timeout=30)
        self.client = httpx.Client(auth=httpx.DigestAuth(ALICE.name, ALICE.password), timeout=30)
        self.client_first = self.client.get(gw.url("/short/httpx"))
        self.expired_at = time.time() + 10.3
        # The hand nonce's last fifth (RFC 7616 §3.5 nextnonce) runs from stamp + 8 s to stamp + 10 s, and
        # floor(before) <= stamp <= fetched: probing in [fetched + 8, before + 9) is inside it for sure.
        self.last_fifth = (fetched + 8, before + 9)
        self.probed, self.probed_at, self.probe_answer = None, None, self.answer(2)
        self.probe = threading.Timer(fetched + 8.2 - time.time(), self._probe)
        self.probe.start()

    def answer(self, nc: int, password: str = ALICE.password) -> digest.Answer:
        return digest.answer(self.challenge, ALICE.name, password, "GET", "/short/hand", nc=nc)

    def _probe(self):
        self.probed_at = time.time()
        try:
            self.probed = digest.send(self.gw.port, "GET", "/short/hand", self.probe_answer.header())
        except Exception as error:  # reported by the test that reads it
            self.probed = error

    def probe_response(self):
        self.probe.join()
        assert self.last_fifth[0] <= self.probed_at < self.last_fifth[1], "the machine was too slow to aim"
        assert not isinstance(self.probed, Exception), self.probed
        return self.probed

    def wait_expired(self):
        self.probe.join()
        time.sleep(max(0.0, self.expired_at - time.time()))

    def close(self):
        self.probe.cancel()
        self.probe.join()
        self.session.close()
        self.client.close()


@pytest.fixture(scope="module", autouse=True)
def aged(gw):
    clients = Aged(gw)
    yield clients
    clients.close()


def test_every_client_got_in_on_the_short_lived_realm(aged):
    """The starting point of the stale tests: each client holds a nonce it got in with."""
    assert [aged.first.status, aged.session_first.status_code, aged.client_first.status_code] == [200] * 3


def test_a_nonce_in_the_last_fifth_of_its_life_brings_a_nextnonce(aged):
    """RFC 7616 §3.5: nextnonce near the end of a nonce's life spares the client its next 401."""
    response = aged.probe_response()
    assert response.status == 200
    info = digest.info_of(response)
    assert info.names() == ["qop", "rspauth", "cnonce", "nc", "nextnonce"]
    assert info["rspauth"] == aged.probe_answer.rspauth()
    assert re.fullmatch(f"{B64URL}{{43}}", info["nextnonce"]) and info["nextnonce"] != aged.challenge["nonce"]


def test_the_nextnonce_lets_the_client_in_without_a_401(gw, aged):
    """The nextnonce is a nonce like any other: answered at nc=1, it lets the client in at once."""
    nextnonce = digest.info_of(aged.probe_response())["nextnonce"]
    answer = alice(with_param(aged.challenge, "nonce", nextnonce), "/short/next")
    response = digest.send(gw.port, "GET", "/short/next", answer.header())
    assert response.status == 200
    assert_logged(gw, "/short/next", "ok")


def test_an_expired_nonce_with_the_right_response_gets_stale_true(gw, aged):
    """RFC 7616 §3.3: stale=true tells the client to retry with the new nonce without asking its user."""
    aged.wait_expired()
    response = digest.send(gw.port, "GET", "/short/hand", aged.answer(3).header())
    assert_refused(response, "Short area", aged.challenge["nonce"], stale=True)
    assert_logged(gw, "/short/hand", "no_credentials", "ok", "ok", "stale_nonce")


def test_an_expired_nonce_with_a_wrong_password_gets_no_stale(gw, aged):
    """stale=true only for a response that was right: it must not tell a guesser which password fits."""
    aged.wait_expired()
    answer = digest.answer(aged.challenge, ALICE.name, "wrong", "GET", "/short/guess", nc=4)
    response = digest.send(gw.port, "GET", "/short/guess", answer.header())
    assert_refused(response, "Short area", aged.challenge["nonce"], stale=False)
    assert_logged(gw, "/short/guess", "wrong_password")


def test_a_requests_session_retries_a_stale_nonce_without_a_new_password(gw, aged):
    """requests sends the expired nonce pre-emptively (nc=2), meets stale=true, answers the new nonce."""
    aged.wait_expired()
    old_nonce = sent_params(aged.session_first.request.headers["Authorization"])["nonce"]
    response = aged.session.get(gw.url("/short/requests-later"), timeout=30)
    [refused] = response.history
    assert sent_params(refused.request.headers["Authorization"])["nonce"] == old_nonce
    assert digest.parse_challenges(refused.headers["WWW-Authenticate"])[0]["stale"] == "true"
    assert response.status_code == 200
    assert_logged(gw, "/short/requests-later", "stale_nonce", "ok")


def test_an_httpx_client_retries_a_stale_nonce_without_a_new_password(gw, aged):
    """httpx rewrites the Authorization of the one Request object it retries, so the logged reasons, not
    the history, show that the first try carried the expired nonce (stale_nonce needs a right response)."""
    aged.wait_expired()
    response = aged.client.get(gw.url("/short/httpx-later"))
    [refused] = response.history
    assert digest.parse_challenges(refused.headers["WWW-Authenticate"])[0]["stale"] == "true"
    assert response.status_code == 200
    assert_logged(gw, "/short/httpx-later", "stale_nonce", "ok")
