"""The gateway configuration most tests start from, as a dict (written out as YAML by the launcher)."""
from pathlib import Path

from .ports import free_port

REALM = "Staff area"
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8"'  # exactly what a 401 must carry (RFC 7617 §2, §2.1)


def route(name: str, path: str, auth, **extra) -> dict:
    """A route to the `app` upstream; `auth` is "anonymous" or a dict of realms/users/groups."""
    return {"name": name, "match": {"path": path}, "upstream": "app", "auth": auth, **extra}


def staff(**allow) -> dict:
    """Authentication by the staff realm, with an optional allow-list (users=[…], groups=[…])."""
    return {"realms": ["staff"], **allow}


def gateway_config(upstream_url: str, htpasswd: Path, groups: Path, admin: bool = True) -> dict:
    """Listener + admin on fresh ports, one upstream, the staff realm, and these routes (first match wins):
    /public anonymous · /admin group admins · /bob user bob · /limited any user, 1 KiB bodies ·
    /pass any user, Authorization passed on · / any user."""
    config = {
        "server": {"io_threads": 2, "worker_threads": 2, "shutdown_grace": "10s"},
        "listeners": [{"name": "main", "address": "127.0.0.1", "port": free_port()}],
        "limits": {"header_timeout": "10s", "idle_timeout": "30s"},
        "upstreams": {"app": {"url": upstream_url, "connect_timeout": "2s", "response_timeout": "20s"}},
        "stores": {"staff": {"type": "htpasswd", "path": str(htpasswd), "groups": str(groups)}},
        "realms": {"staff": {"scheme": "basic", "realm": REALM, "store": "staff"}},
        "routes": [
            route("public", "/public", "anonymous"),
            route("admin", "/admin", staff(groups=["admins"])),
            route("bob-only", "/bob", staff(users=["bob"])),
            route("limited", "/limited", staff(), max_body_bytes="1KiB"),
            route("pass", "/pass", staff(), pass_authorization=True),
            route("app", "/", staff()),
        ],
        "access_log": {"enabled": True, "path": "-"},
    }
    if admin:
        config["admin"] = {"address": "127.0.0.1", "port": free_port()}
    return config


def host_route(name: str, hosts: list, auth, path: str = "/", **extra) -> dict:
    """A route to the `app` upstream for requests whose Host is one of `hosts` (names or "*.domain")."""
    return {"name": name, "match": {"hosts": list(hosts), "path": path}, "upstream": "app", "auth": auth, **extra}


def hmac_bearer_realm(secret_file: Path, realm: str, **extra) -> dict:
    """A bearer realm verifying HS256 tokens of harness/tokens.py (ISSUER, AUDIENCE) with the secret in
    `secret_file`; the user from `sub`, the groups from the `groups` claim."""
    from . import tokens  # here: the Basic-only users of this module (tests/browser) need no JWT libraries
    return {"scheme": "bearer", "realm": realm, "hmac_secret_file": str(secret_file), "algorithms": ["HS256"],
            "issuer": tokens.ISSUER, "audiences": [tokens.AUDIENCE], "groups_claim": "groups", **extra}


def introspection_realm(url: str, secret_file: Path, realm: str, **extra) -> dict:
    """A bearer realm for opaque tokens asking the RFC 7662 endpoint `url` (harness/idp.py's client
    `gateway`, whose secret is in `secret_file`) on every request: nothing cached, groups from `groups`."""
    introspection = {"url": url, "client_id": "gateway", "client_secret_file": str(secret_file),
                     "cache_ttl": "0s", "negative_cache_ttl": "0s", "timeout": "2s"}
    return {"scheme": "bearer", "realm": realm, "introspection": introspection, "groups_claim": "groups", **extra}


def staff_and_api_config(upstream_url: str, workdir: Path, ring) -> dict:
    """gateway_config() with the default users, and an RS256 Bearer realm "API" (keys of `ring`, a
    tokens.KeyRing, in workdir/jwks.json) on /api; everything else by the staff realm."""
    from . import passwords, tokens  # here: tokens needs PyJWT, which not every user of configs imports
    htpasswd, groups = passwords.write_default_store(workdir)
    config = gateway_config(upstream_url, htpasswd, groups)
    ring.write_jwks(workdir / "jwks.json")
    config["realms"]["api"] = {"scheme": "bearer", "realm": "API", "jwks_file": str(workdir / "jwks.json"),
                               "algorithms": ["RS256"], "issuer": tokens.ISSUER, "audiences": [tokens.AUDIENCE]}
    config["routes"] = [route("api", "/api", {"realms": ["api"]}), route("app", "/", {"realms": ["staff"]})]
    return config
