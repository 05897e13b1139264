"""Routes: host (exact, case-insensitive, "*.domain"), path prefix on segment boundaries or exact, methods;
first match wins; a request no route matches gets server.unmatched (404 by default, or 403)."""

import pytest

from harness.raw_http import RawConnection


def anonymous(name: str, **match) -> dict:
    return {"name": name, "match": match, "upstream": "app", "auth": "anonymous"}


@pytest.fixture(params=["404", "403"], ids=["unmatched 404", "unmatched 403"])
def routed(request, launcher, config):
    config["server"]["unmatched"] = int(request.param)
    config["routes"] = [
        anonymous("exact", path="/exact", exact=True),
        anonymous("hosted", hosts=["app.example.com", "*.example.org"], path="/"),
        anonymous("get-only", path="/getonly", methods=["GET", "HEAD"]),
        anonymous("first", path="/dup"),
        {"name": "second", "match": {"path": "/dup"}, "upstream": "app", "auth": {"realms": ["staff"]}},
    ]
    return launcher.serve(config), int(request.param)


# (id, Host, method, path, route name or None when no route matches)
ROUTES = [
    ("an exact path matches itself", "127.0.0.1", "GET", "/exact", "exact"),
    ("an exact path does not match below itself", "127.0.0.1", "GET", "/exact/more", None),
    ("a query does not stop an exact match", "127.0.0.1", "GET", "/exact?x=1", "exact"),
    ("a listed host matches", "app.example.com", "GET", "/anything", "hosted"),
    ("hosts match case-insensitively and without the port", "APP.Example.COM:8080", "GET", "/x", "hosted"),
    ("a wildcard host matches a subdomain", "api.example.org", "GET", "/x", "hosted"),
    ("a wildcard host does not match the bare domain", "example.org", "GET", "/x", None),
    ("an unlisted host matches no route", "evil.example.net", "GET", "/x", None),
    ("a listed method matches", "127.0.0.1", "GET", "/getonly", "get-only"),
    ("an unlisted method matches no route", "127.0.0.1", "POST", "/getonly", None),
    ("the first of two matching routes wins", "127.0.0.1", "GET", "/dup/x", "first"),
    ("a prefix matches only on a segment boundary", "127.0.0.1", "GET", "/duplicate", None),
    ("a path nothing covers matches no route", "127.0.0.1", "GET", "/nowhere", None),
]


@pytest.mark.parametrize("host, method, path, name", [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES])
def test_route_matching(routed, upstream, host, method, path, name):
    gateway, unmatched = routed
    with RawConnection(gateway.port) as conn:
        response = conn.request(method, path, [("Host", host), ("Content-Length", "0")])
    if name is None:
        assert response.status == unmatched
        assert response.headers_named("WWW-Authenticate") == []
        assert upstream.requests == []
        assert gateway.wait_for_access_log(1)[-1].get("reason") == "route_not_found"
    else:
        assert response.status == 200
        assert gateway.wait_for_access_log(1)[-1].get("route") == name


# Paths that try to leave the anonymous /public route for the protected /admin one. Whatever the gateway
# does — normalise then match (401), or refuse (400) — the upstream must never get them anonymously.
ESCAPES = [
    ("a dot-dot segment", "/public/../admin/panel"),
    ("a percent-encoded dot-dot", "/public/%2e%2e/admin/panel"),
    ("an upper-case percent-encoded dot-dot", "/public/%2E%2E/admin/panel"),
    ("an encoded slash", "/public/..%2fadmin/panel"),
    ("a dot segment and a dot-dot", "/public/./../admin/panel"),
    ("a backslash", "/public/..\\admin/panel"),
]


@pytest.mark.parametrize("target", [e[1] for e in ESCAPES],
                         ids=[f"{e[0]} cannot reach a protected route anonymously" for e in ESCAPES])
def test_path_escapes_do_not_bypass_authentication(gateway, upstream, target):
    with RawConnection(gateway.port) as conn:
        response = conn.request("GET", target)
    assert response.status in (400, 401), f"{response.status} for {target}"
    assert upstream.requests == [], f"upstream received {upstream.requests[0]['target']} anonymously"
