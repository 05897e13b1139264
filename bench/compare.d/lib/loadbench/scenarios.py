"""The scenarios of issue 5 (and 13, 14): what is requested, what answer is expected, and who can take part.

An anchor that lacks a feature is listed with the reason (shown as "n/a (...)" in the table). authgate
takes part in every scenario except `direct`; where a scenario is marked pending (the Bearer ones, kept
from before Bearer landed) the run reports "n/a (not supported yet)" when `authgate serve` rejects the
configuration or the probe request. Digest is not pending: a failure there is an error row.

The forward-proxy scenario (issue 14) is the other side of RFC 9110 §11: the load goes to the proxy's port
with absolute-form targets naming the upstream (`GET http://127.0.0.1:UPSTREAM/noauth`), credentials in
`Proxy-Authorization`, and its anchor is Squid, which takes part in no other scenario.
"""

from dataclasses import dataclass, field

REVERSE_ANCHORS = ("nginx", "haproxy", "lighttpd")
PROXY_ANCHORS = ("squid",)                    # forward proxies: only in forward_proxy scenarios
ANCHORS = REVERSE_ANCHORS + PROXY_ANCHORS
SERVERS = ("authgate",) + ANCHORS             # every server --servers may name


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    path: str
    credentials: str            # none | basic | basic-many | bearer:<name> | bearer-unique | digest
    #                             (digest: load from client/digest_load.cpp instead of wrk)
    expect: int = 200           # every answer must have this status, or the run is flagged
    fragment: str = "basic"     # authgate config fragment: basic | bearer | digest | forward-proxy
    pending: bool = False       # authgate support not written yet: failure means n/a, not error
    warm_cache: bool = False    # send every distinct credential once before measuring
    servers: tuple = ("authgate",) + REVERSE_ANCHORS
    forward_proxy: bool = False  # absolute-form target through the server, Proxy-Authorization, 407
    unsupported: dict = field(default_factory=dict)  # anchor → why it cannot take part


_NO_BEARER = {"nginx": "no JWT in nginx (nginx Plus only)", "lighttpd": "no JWT in lighttpd mod_auth"}
_NO_CRYPT_HASH = "crypt(3) userlist has no {}"

SCENARIOS = (
    Scenario("direct", "Direct upstream (no proxy)", "/noauth", "none", servers=("upstream",)),
    Scenario("noauth", "No-auth proxying", "/noauth", "none"),
    Scenario("basic-bcrypt", "Basic, bcrypt cost 10, same user", "/basic/bcrypt", "basic"),
    Scenario("basic-bcrypt-1000", "Basic, bcrypt cost 10, 1,000 users in rotation", "/basic/many",
             "basic-many", warm_cache=True),
    Scenario("basic-apr1", "Basic, apr1 (Apache MD5), same user", "/basic/apr1", "basic",
             unsupported={"haproxy": _NO_CRYPT_HASH.format("apr1")}),
    Scenario("basic-sha", "Basic, {SHA}, same user", "/basic/sha", "basic",
             unsupported={"haproxy": _NO_CRYPT_HASH.format("{SHA}")}),
    Scenario("bearer-rs256", "Bearer RS256, repeated token", "/bearer/rs256", "bearer:rs256",
             fragment="bearer", pending=True, unsupported=_NO_BEARER),
    Scenario("bearer-es256", "Bearer ES256, repeated token", "/bearer/es256", "bearer:es256",
             fragment="bearer", pending=True, unsupported=_NO_BEARER),
    Scenario("bearer-eddsa", "Bearer EdDSA (Ed25519), repeated token", "/bearer/eddsa", "bearer:eddsa",
             fragment="bearer", pending=True,
             unsupported=dict(_NO_BEARER, haproxy="HAProxy 2.6 jwt_verify has no EdDSA")),
    Scenario("bearer-hs256", "Bearer HS256, repeated token", "/bearer/hs256", "bearer:hs256",
             fragment="bearer", pending=True, unsupported=_NO_BEARER),
    Scenario("bearer-rs256-unique", "Bearer RS256, 100,000 distinct tokens", "/bearer/rs256",
             "bearer-unique", fragment="bearer", pending=True, unsupported=_NO_BEARER),
    Scenario("unauthorized", "401 answers (no credentials)", "/basic/bcrypt", "none", expect=401),
    Scenario("digest-sha256", "Digest SHA-256, qop=auth", "/digest/sha256", "digest", fragment="digest",
             unsupported={"nginx": "no Digest in nginx", "haproxy": "no Digest in HAProxy"}),
    Scenario("forward-proxy-basic", "Forward proxy, Basic bcrypt cost 10, same user", "/noauth", "basic",
             fragment="forward-proxy", forward_proxy=True, servers=("authgate", "squid")),
)


def target(scenario, upstream_port):
    """The request target: origin-form for a gateway, absolute-form naming the upstream for a proxy."""
    if scenario.forward_proxy:
        return f"http://127.0.0.1:{upstream_port}{scenario.path}"
    return scenario.path


def credential_field(scenario):
    return "Proxy-Authorization" if scenario.forward_proxy else "Authorization"


def refusal(scenario):
    """The status a wrong credential must get: exactly 407 from a proxy; from a gateway, anything not 2xx."""
    return 407 if scenario.forward_proxy else None

BY_ID = {s.id: s for s in SCENARIOS}


def select(ids):
    """The scenarios named in ids (comma-separated, in the order of SCENARIOS), or all when empty."""
    if not ids:
        return list(SCENARIOS)
    wanted = [i.strip() for i in ids.split(",") if i.strip()]
    unknown = [i for i in wanted if i not in BY_ID]
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(BY_ID)}")
    return [s for s in SCENARIOS if s.id in wanted]
