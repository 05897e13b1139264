"""The scenarios of issues 5, 13, 14, 15 and 16: what is requested, what answer is expected, who takes part.

An anchor that lacks a feature is listed with the reason (shown as "n/a (...)" in the table). authgate
takes part in every scenario except `direct`; where a scenario is marked pending (the Bearer ones, kept
from before Bearer landed) the run reports "n/a (not supported yet)" when `authgate serve` rejects the
configuration or the probe request. Digest is not pending: a failure there is an error row.

The forward-proxy scenario (issue 14) is the other side of RFC 9110 §11: the load goes to the proxy's port
with absolute-form targets naming the upstream (`GET http://127.0.0.1:UPSTREAM/noauth`), credentials in
`Proxy-Authorization`, and its anchor is Squid, which takes part in no other scenario.

The forward-auth scenarios (issue 15) have one participant, `nginx+authgate`: the load goes to an nginx
whose location asks authgate's decision listener with `auth_request` before proxying to the upstream.
Their figures are compared with rows of other scenarios of the same run: the reverse-proxy scenario with
the same request (`forward_auth`: authgate there, and nginx `auth_basic` for Basic), nginx's plain proxying
(`noauth`) and the upstream alone (`direct`); see targets.forward_auth_ratios.

The throttle scenarios (issue 16) are a reverse-proxy scenario again, authgate alone, with a `throttle:`
section (templates/authgate-throttle.yaml): every request with credentials checks the ban of its user
name and its address before the verify cache. `throttle="memory"` keeps the counts in the process;
`"redis"` adds `state.redis` pointing at a redis-server started for the scenario, so that check is a round
trip to Redis. Each is compared with `unthrottled`, the same request without the section, from the same run;
see targets.throttle_ratios.
"""

from dataclasses import dataclass, field

REVERSE_ANCHORS = ("nginx", "haproxy", "lighttpd")
PROXY_ANCHORS = ("squid",)                    # forward proxies: only in forward_proxy scenarios
ANCHORS = REVERSE_ANCHORS + PROXY_ANCHORS
FORWARD_AUTH = "nginx+authgate"               # nginx auth_request → authgate's decision listener
SERVERS = ("authgate",) + ANCHORS + (FORWARD_AUTH,)  # every server --servers may name
NEEDS_AUTHGATE = ("authgate", FORWARD_AUTH)    # n/a when the authgate binary is missing


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
    forward_auth: str = ""      # nginx auth_request → authgate: id of the reverse-proxy scenario with the
    #                             same request, whose authgate (and nginx auth_basic) rows it is compared with
    throttle: str = ""          # memory | redis: authgate with a throttle section, counts kept there
    unthrottled: str = ""       # id of the same scenario without throttling, whose authgate row it is
    #                             compared with
    unsupported: dict = field(default_factory=dict)  # anchor → why it cannot take part


_NO_BEARER = {"nginx": "no JWT in nginx (nginx Plus only)", "lighttpd": "no JWT in lighttpd mod_auth"}
_NO_CRYPT_HASH = "crypt(3) userlist has no {}"
SCENARIOS = (
    Scenario("direct", "Direct upstream (no proxy)", "/noauth", "none", servers=("upstream",)),
    Scenario("noauth", "No-auth proxying", "/noauth", "none"),
    Scenario("basic-bcrypt", "Basic, bcrypt cost 10, same user", "/basic/bcrypt", "basic"),
    Scenario("basic-bcrypt-throttle", "Basic, bcrypt cost 10, same user, throttle (state in memory)",
             "/basic/bcrypt", "basic", servers=("authgate",), throttle="memory", unthrottled="basic-bcrypt"),
    Scenario("basic-bcrypt-throttle-redis", "Basic, bcrypt cost 10, same user, throttle (state in Redis)",
             "/basic/bcrypt", "basic", servers=("authgate",), throttle="redis", unthrottled="basic-bcrypt"),
    Scenario("basic-bcrypt-1000", "Basic, bcrypt cost 10, 1,000 users in rotation", "/basic/many",
             "basic-many", warm_cache=True),
    Scenario("basic-apr1", "Basic, apr1 (Apache MD5), same user", "/basic/apr1", "basic",
             unsupported={"haproxy": _NO_CRYPT_HASH.format("apr1")}),
    Scenario("basic-sha", "Basic, {SHA}, same user", "/basic/sha", "basic",
             unsupported={"haproxy": _NO_CRYPT_HASH.format("{SHA}")}),
    Scenario("bearer-rs256", "Bearer RS256, repeated token", "/bearer/rs256", "bearer:rs256",
             fragment="bearer", pending=True, unsupported=_NO_BEARER),
    Scenario("bearer-rs256-throttle", "Bearer RS256, repeated token, throttle (state in memory)",
             "/bearer/rs256", "bearer:rs256", fragment="bearer", servers=("authgate",), throttle="memory",
             unthrottled="bearer-rs256"),
    Scenario("bearer-rs256-throttle-redis", "Bearer RS256, repeated token, throttle (state in Redis)",
             "/bearer/rs256", "bearer:rs256", fragment="bearer", servers=("authgate",), throttle="redis",
             unthrottled="bearer-rs256"),
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
    Scenario("forward-auth-basic", "Forward auth (nginx → authgate), Basic bcrypt cost 10, same user",
             "/basic/bcrypt", "basic", fragment="forward-auth", forward_auth="basic-bcrypt",
             servers=(FORWARD_AUTH,)),
    Scenario("forward-auth-bearer", "Forward auth (nginx → authgate), Bearer RS256, repeated token",
             "/bearer/rs256", "bearer:rs256", fragment="forward-auth", forward_auth="bearer-rs256",
             servers=(FORWARD_AUTH,)),
)

FORWARD_AUTH_COMPARED = ("direct", "noauth")  # besides each one's reverse-proxy scenario (forward_auth)


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


def wanted(name, server_list):
    """Whether --servers selects `name`: nginx+authgate also when both of its servers are selected."""
    if name in server_list:
        return True
    return name == FORWARD_AUTH and "authgate" in server_list and "nginx" in server_list


def companions(chosen):
    """The scenario ids the chosen forward-auth and throttle scenarios are compared with that are not
    chosen: their ratios and targets are n/a without them (bench/compare says so before the run)."""
    ids = {s.id for s in chosen}
    need = []
    for s in chosen:
        compared = (*FORWARD_AUTH_COMPARED, s.forward_auth) if s.forward_auth else ()
        compared += (s.unthrottled,) if s.unthrottled else ()
        need += [i for i in compared if i not in ids and i not in need]
    return need


def select(ids):
    """The scenarios named in ids (comma-separated, in the order of SCENARIOS), or all when empty."""
    if not ids:
        return list(SCENARIOS)
    wanted = [i.strip() for i in ids.split(",") if i.strip()]
    unknown = [i for i in wanted if i not in BY_ID]
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(BY_ID)}")
    return [s for s in SCENARIOS if s.id in wanted]
