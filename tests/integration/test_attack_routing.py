"""Attack suite, route matching (issue 11, F3 and F7): spellings of a path or a host that an upstream reads
as a protected route must match that route here too, or be refused.

F3, `;` path parameters: servlet stacks (Tomcat, Jetty, Spring) drop `;…` from every segment before they
route, so `/admin;x` is their `/admin`. The gateway matches routes on segments with their parameters
removed, forwards the path with the parameters intact, and refuses with 400 a `..;` or `.;` segment
(a dot-segment to the upstream that is no dot-segment to RFC 3986). Routes stay case-sensitive
(docs/configuration.md), so a parameter changes nothing about case.

F7, Host spellings: a `%` anywhere in Host (or in an absolute-form authority) is refused, as is any
character other than a letter, digit, '-', '.' or '_' in a host name; a trailing dot and upper case
still name the same host (RFC 3986 §6.2.2.1, §3.2.2), so they match its route.

One gateway for the module: /admin and the exact /exact-admin need a staff user, the hosts
secret.example.org and *.wild.example.org need one too, everything else is anonymous."""
import pytest

from harness import configs, passwords
from harness.configs import CHALLENGE
from harness.fixtures import basic
from harness.passwords import ALICE
from harness.raw_http import RawConnection

AUTH = ("Authorization", basic(ALICE.name, ALICE.password))
SECRET = "secret.example.org"


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, tmp_path_factory):
    config = configs.gateway_config(module_upstream.url,
                                    *passwords.write_default_store(tmp_path_factory.mktemp("routing")))
    config["routes"] = [
        configs.host_route("secret", [SECRET], configs.staff()),
        configs.host_route("wild", ["*.wild.example.org"], configs.staff()),
        configs.route("admin", "/admin", configs.staff()),
        {**configs.route("exact-admin", "/exact-admin", configs.staff()),
         "match": {"path": "/exact-admin", "exact": True}},
        configs.route("open", "/", "anonymous"),
    ]
    return module_launcher.serve(config)


def exchange(gw, upstream, raw: bytes):
    """Sends `raw` on a fresh connection; (response, the upstream records it caused)."""
    before = len(upstream.requests)
    with RawConnection(gw.port) as conn:
        conn.send(raw)
        response = conn.read_response()
    return response, upstream.requests[before:]


def get(gw, upstream, target: str, host: str = "127.0.0.1", headers=()):
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers)]
    return exchange(gw, upstream, ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))


def identity_of(record: dict) -> list:
    return [v for k, v in record["headers"] if k.lower() == "x-auth-user"]


def assert_challenged(response, records):
    assert response.status == 401, (response.status, response.headers)
    assert response.headers_named("WWW-Authenticate") == [CHALLENGE]
    assert records == [], "an unauthenticated request for a protected route reached the upstream"


# --- F3: path parameters -------------------------------------------------------------------------------

# (id, request-target, the target the upstream must receive: normalised, parameters intact)
PROTECTED = [
    ("a parameter on the protected segment", "/admin;x", "/admin;x"),
    ("a jsessionid parameter followed by a subpath", "/admin;jsessionid=1/x", "/admin;jsessionid=1/x"),
    ("an empty parameter followed by a subpath", "/admin;/x", "/admin;/x"),
    ("a bare semicolon", "/admin;", "/admin;"),
    ("two parameters", "/admin;x;y", "/admin;x;y"),
    ("a parameter with '=' and ','", "/admin;a=1,b=2", "/admin;a=1,b=2"),
    ("a parameter and a trailing slash", "/admin;x/", "/admin;x/"),
    ("a parameter and a query", "/admin;x?y=1", "/admin;x?y=1"),
    ("a dot-dot out of a public area onto a parametered segment", "/public/../admin;x", "/admin;x"),
    ("a dot segment before a parametered segment", "/./admin;x", "/admin;x"),
    ("merged slashes before a parametered segment", "//admin;x", "/admin;x"),
    ("a percent-encoded letter and a parameter", "/%61dmin;x", "/admin;x"),
    ("a percent-encoded letter inside a parametered segment", "/adm%69n;jsessionid=1", "/admin;jsessionid=1"),
    ("a parameter on a deeper segment", "/admin/panel;x", "/admin/panel;x"),
    ("a parameter on an exact route", "/exact-admin;x", "/exact-admin;x"),
    ("a jsessionid on an exact route", "/exact-admin;jsessionid=ABC", "/exact-admin;jsessionid=ABC"),
]


@pytest.mark.parametrize("target", [p[1] for p in PROTECTED],
                         ids=[f"{p[0]} is the protected route: 401 without credentials" for p in PROTECTED])
def test_path_parameters_do_not_leave_a_protected_route(gw, module_upstream, target):
    assert_challenged(*get(gw, module_upstream, target))


@pytest.mark.parametrize("target, forwarded", [p[1:] for p in PROTECTED],
                         ids=[f"{p[0]} is forwarded with its parameters for a staff user" for p in PROTECTED])
def test_path_parameters_reach_the_upstream_intact(gw, module_upstream, target, forwarded):
    response, records = get(gw, module_upstream, target, headers=[AUTH])
    assert response.status == 200, (response.status, response.headers)
    (record,) = records
    assert record["target"] == forwarded
    assert identity_of(record) == ["alice"], "forwarded as the protected route, with the identity"


# Every one of these is a dot-segment to a servlet stack (`..;x` is `..` once `;x` is dropped) and a
# plain segment to RFC 3986: no route choice is right for both, so the request is refused.
DOT_PARAMETERS = [
    ("a dot-dot with an empty parameter", "/public/..;/admin"),
    ("a dot with an empty parameter", "/public/.;/admin"),
    ("a dot-dot with an empty parameter at the root", "/..;/admin"),
    ("a percent-encoded dot-dot with a parameter", "/public/%2e%2e;/admin"),
    ("an upper-case percent-encoded dot-dot with a parameter", "/public/%2E%2E;/admin"),
    ("a half-encoded dot-dot with a parameter", "/public/.%2e;/admin"),
    ("a percent-encoded dot with a parameter", "/public/%2e;/admin"),
    ("a dot-dot with a named parameter", "/public/..;x=1/admin"),
    ("a dot-dot with a jsessionid", "/public/..;jsessionid=1/admin"),
    ("two dot-dots with parameters", "/public/a/..;/..;/admin"),
    ("a dot-dot with a parameter at the end", "/public/..;"),
    ("a dot with a parameter at the end", "/public/.;"),
    ("a dot-dot with a parameter out of the protected area", "/admin/..;/public"),
    ("a dot-dot with a parameter and a query", "/public/..;/admin?x=1"),
    ("a dot-dot with a parameter onto a parametered segment", "/public/..;/admin;x"),
]


@pytest.mark.parametrize("target", [d[1] for d in DOT_PARAMETERS],
                         ids=[f"{d[0]} is refused with 400 without credentials" for d in DOT_PARAMETERS])
def test_dot_segments_with_parameters_are_refused(gw, module_upstream, target):
    response, records = get(gw, module_upstream, target)
    assert response.status == 400, (response.status, response.headers)
    assert records == []


@pytest.mark.parametrize("target", [d[1] for d in DOT_PARAMETERS],
                         ids=[f"{d[0]} is refused with 400 with credentials too" for d in DOT_PARAMETERS])
def test_dot_segments_with_parameters_are_refused_with_credentials(gw, module_upstream, target):
    response, records = get(gw, module_upstream, target, headers=[AUTH])
    assert response.status == 400, (response.status, response.headers)
    assert records == []


# (id, request-target, the target the upstream receives): parameters that stay where they were
PUBLIC = [
    ("a parameter inside the public area", "/public/a;b", "/public/a;b"),
    ("a parameter on the public segment itself", "/public;x/a", "/public;x/a"),
    ("a parameter on the root", "/;x", "/;x"),
    ("a longer name that only starts like the protected one", "/administrator;x", "/administrator;x"),
    ("a parameter whose value looks like the protected path", "/public;/admin", "/public;/admin"),
    ("a dot-dot inside a parameter value", "/public/a;x=..", "/public/a;x=.."),
    ("a parameter on a path that is not exactly the exact route", "/exact-admin-not;x", "/exact-admin-not;x"),
]


@pytest.mark.parametrize("target, forwarded", [p[1:] for p in PUBLIC],
                         ids=[f"{p[0]} stays public" for p in PUBLIC])
def test_path_parameters_elsewhere_stay_public(gw, module_upstream, target, forwarded):
    response, records = get(gw, module_upstream, target)
    assert response.status == 200, (response.status, response.headers)
    (record,) = records
    assert record["target"] == forwarded
    assert identity_of(record) == []


def test_a_parameter_changes_nothing_about_case(gw, module_upstream):
    """Routes are case-sensitive: /ADMIN is not /admin, and /ADMIN;x is what /ADMIN is (public)."""
    bare, _ = get(gw, module_upstream, "/ADMIN")
    response, records = get(gw, module_upstream, "/ADMIN;x")
    assert (bare.status, response.status) == (200, 200)
    (record,) = records
    assert (record["target"], identity_of(record)) == ("/ADMIN;x", [])


# --- F7: Host spellings ------------------------------------------------------------------------------

# (id, Host): the first group names secret.example.org (or a *.wild.example.org host) to any resolver
REFUSED_HOSTS = [
    ("an encoded dot", "secret%2eexample.org"),
    ("an upper-case encoded dot", "secret%2Eexample.org"),
    ("an encoded letter", "%73ecret.example.org"),
    ("an encoded trailing dot", "secret.example.org%2e"),
    ("an encoded dot and a port", "secret%2eexample.org:8080"),
    ("an encoded dot under a wildcard", "a%2ewild.example.org"),
    ("an encoded NUL", "secret.example.org%00"),
    ("a lone percent sign", "secret.example.org%"),
    ("a comma and another name", "secret.example.org,evil"),
    ("a semicolon and another name", "secret.example.org;evil"),
    ("an exclamation mark", "a!b"),
    ("a tilde", "a~b"),
    ("an apostrophe", "a'b"),
    ("a dollar sign", "a$b"),
    ("an ampersand", "a&b"),
    ("parentheses", "a(b)"),
    ("an asterisk", "a*b"),
    ("a plus sign", "a+b"),
    ("an equals sign", "a=b"),
    ("a double quote", 'a"b'),
]

# (id, Host) that name a protected host: 401, never the anonymous catch-all
PROTECTED_HOSTS = [
    ("the host itself", SECRET),
    ("a trailing dot", SECRET + "."),
    ("upper case", SECRET.upper()),
    ("mixed case and a trailing dot", "Secret.Example.Org."),
    ("a port", SECRET + ":8080"),
    ("a trailing dot and a port", SECRET + ".:8080"),
    ("a wildcard subdomain with a trailing dot", "a.wild.example.org."),
    ("an upper-case wildcard subdomain", "A.WILD.EXAMPLE.ORG"),
]

# (id, Host) that still reach the anonymous catch-all
OTHER_HOSTS = [
    ("an unrelated name", "other.example.org"),
    ("an underscore", "a_b.example.org"),
    ("a hyphen", "a-b.example.org"),
    ("an IPv4 literal", "127.0.0.1"),
    ("an IPv6 literal with a port", "[::1]:8080"),
    ("the bare wildcard domain", "wild.example.org"),
]


@pytest.mark.parametrize("host", [h[1] for h in REFUSED_HOSTS],
                         ids=[f"a Host with {h[0]} is refused with 400" for h in REFUSED_HOSTS])
def test_host_spellings_are_refused(gw, module_upstream, host):
    response, records = get(gw, module_upstream, "/x", host=host)
    assert response.status == 400, (response.status, response.headers)
    assert records == []


@pytest.mark.parametrize("host", [h[1] for h in PROTECTED_HOSTS],
                         ids=[f"a Host with {h[0]} matches the protected host route" for h in PROTECTED_HOSTS])
def test_host_spellings_match_the_protected_route(gw, module_upstream, host):
    assert_challenged(*get(gw, module_upstream, "/x", host=host))


@pytest.mark.parametrize("host", [h[1] for h in OTHER_HOSTS],
                         ids=[f"a Host with {h[0]} still reaches the catch-all" for h in OTHER_HOSTS])
def test_other_hosts_are_unaffected(gw, module_upstream, host):
    response, records = get(gw, module_upstream, "/x", host=host)
    assert response.status == 200, (response.status, response.headers)
    assert len(records) == 1


def absolute_form(authority: str, host=None) -> bytes:
    """GET http://AUTHORITY/x, with a Host field unless `host` is None."""
    lines = [f"GET http://{authority}/x HTTP/1.1"] + ([f"Host: {host}"] if host is not None else [])
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


# (id, request bytes, status): the authority of an absolute-form target is the Host (RFC 9112 §3.2.2)
ABSOLUTE_FORM = [
    ("an encoded dot in the authority, Host alike", absolute_form("secret%2eexample.org", "secret%2eexample.org"),
     400),
    ("an encoded dot in the authority, no Host", absolute_form("secret%2eexample.org"), 400),
    ("an encoded dot in the authority, a clean Host", absolute_form("secret%2eexample.org", SECRET), 400),
    ("an encoded letter in the authority", absolute_form("%73ecret.example.org"), 400),
    ("a comma in the authority", absolute_form("secret.example.org,evil"), 400),
    ("an exclamation mark in the authority", absolute_form("a!b"), 400),
    ("the protected host", absolute_form(SECRET, SECRET), 401),
    ("a trailing dot in the authority", absolute_form(SECRET + ".", SECRET + "."), 401),
    ("a trailing dot in the authority, no Host", absolute_form(SECRET + "."), 401),
    ("an upper-case authority", absolute_form(SECRET.upper()), 401),
]


@pytest.mark.parametrize("raw, status", [a[1:] for a in ABSOLUTE_FORM],
                         ids=[f"an absolute-form target with {a[0]} gets {a[2]}" for a in ABSOLUTE_FORM])
def test_absolute_form_authorities(gw, module_upstream, raw, status):
    response, records = exchange(gw, module_upstream, raw)
    if status == 401:
        assert_challenged(response, records)
    else:
        assert response.status == status, (response.status, response.headers)
        assert records == []


# --- methods ---------------------------------------------------------------------------------------------

# Routes compare methods case-sensitively (RFC 9110 §9.1); upstreams such as Werkzeug upper-case them, so a
# lower-case spelling would run as the method a route guards without having been judged as it.
@pytest.mark.parametrize("method", ["get", "post", "Post", "dELETE", "options"])
def test_a_method_with_lower_case_letters_is_refused(gw, module_upstream, method):
    response, records = exchange(gw, module_upstream,
                                 f"{method} /admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert response.status == 400, (response.status, response.headers)
    assert records == []


def test_an_upper_case_extension_method_is_judged_like_any_other(gw, module_upstream):
    response, records = exchange(gw, module_upstream, b"PURGE /admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert_challenged(response, records)
