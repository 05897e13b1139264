"""Attack suite, identity headers (issue 11, F2 and F4): the gateway writes X-Auth-User / X-Auth-Groups /
X-Auth-Scheme itself, so an identity it cannot write as one clean field value is refused, never written.

A user or group name holding a character RFC 9110 §5.5 forbids in a field value (NUL, CR, LF and every
other control character, DEL), starting or ending with SP or HTAB, or empty, is refused: a JWT or an
RFC 7662 introspection answer carrying one gets 401 invalid_token, the upstream receives nothing and the
access log says `unsafe_identity`. A group name holding the list separator ',' would forge a second group
(F4) and is refused the same way. Basic identities come from files, so there the refusal is a load error
at the file's line (`authgate check` and `authgate serve` alike). HTAB inside a name is a legal field
character and passes; so do UTF-8 names and a comma in a user name (the user is one value). Wherever an
identity is accepted, the upstream receives exactly the gateway's three lines, byte for byte, and none of
the client's copies in any case or `_` spelling."""
import re
import time
import uuid

import pytest

from harness import configs, passwords, tokens, yaml_text
from harness.fixtures import basic
from harness.gateway import run_cli
from harness.idp import IdentityProvider
from harness.passwords import BOB, JURGEN
from harness.raw_http import RawConnection

DEFAULT_NAMES = ("X-Auth-User", "X-Auth-Groups", "X-Auth-Scheme")
CUSTOM_NAMES = ("X-Remote-User", "X-Remote-Groups", "X-Remote-Scheme")


# --- the gateways -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def idp():
    """The fake RFC 7662 endpoint, plain HTTP on loopback (allowed for introspection)."""
    server = IdentityProvider().start()
    yield server
    server.stop()


def identity_config(upstream_url: str, workdir, idp_url: str, names=DEFAULT_NAMES) -> tuple:
    """Basic (the default store), HS256 JWTs and introspection, one route each, and an anonymous one."""
    config = configs.gateway_config(upstream_url, *passwords.write_default_store(workdir))
    key = tokens.hmac_key_file(workdir / "hs.secret")
    (workdir / "client.secret").write_text("s3cret\n")
    config["realms"].update({
        "jwt": configs.hmac_bearer_realm(workdir / "hs.secret", "JWT API"),
        "opaque": configs.introspection_realm(idp_url + "/introspect", workdir / "client.secret", "Opaque"),
    })
    config["routes"] = [
        configs.route("public", "/public", "anonymous"),
        configs.route("jwt", "/jwt", {"realms": ["jwt"]}),
        configs.route("opaque", "/opaque", {"realms": ["opaque"]}),
        configs.route("basic", "/basic", configs.staff()),
    ]
    config["identity_headers"] = dict(zip(("user", "groups", "scheme"), names))
    return config, key


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, idp, tmp_path_factory):
    """(gateway, HMAC key) with the default identity header names."""
    config, key = identity_config(module_upstream.url, tmp_path_factory.mktemp("identity"), idp.url)
    return module_launcher.serve(config), key


@pytest.fixture(scope="module")
def custom_gw(module_launcher, module_upstream, idp, tmp_path_factory):
    """(gateway, HMAC key) whose identity_headers are X-Remote-User / -Groups / -Scheme."""
    config, key = identity_config(module_upstream.url, tmp_path_factory.mktemp("identity-custom"), idp.url,
                                  CUSTOM_NAMES)
    return module_launcher.serve(config, name="custom.yaml"), key


# --- helpers ----------------------------------------------------------------------------------------

def fold(name: str) -> str:
    """What CGI, WSGI and PHP make of a field name: case and '-' versus '_' do not matter."""
    return name.lower().replace("_", "-")


def spellings(name: str) -> list:
    """Every way a client may spell `name` so that some upstream reads it as `name`."""
    under = name.replace("-", "_")
    mixed = "".join(c.lower() if i % 2 else c.upper() for i, c in enumerate(under))
    return [name, name.lower(), name.upper(), under, under.lower(), under.upper(), mixed,
            name.replace("-", "_", 1)]


def spoofs(names=DEFAULT_NAMES) -> list:
    """Forged identity fields in every spelling: a user, a group list and a scheme."""
    forged = dict(zip(names, ("root", "admins,root", "Basic")))
    return [(spelling, forged[name]) for name in names for spelling in spellings(name)]


def identity_lines(record: dict, names=DEFAULT_NAMES) -> list:
    """(name, raw value bytes) of every field the upstream received that folds to an identity name,
    sorted. The echo upstream decodes field bytes as ISO-8859-1, so encoding back gives the wire bytes."""
    wanted = {fold(name) for name in names}
    return sorted((k, v.encode("latin-1")) for k, v in record["headers"] if fold(k) in wanted)


def expected_lines(user: str, groups: list, scheme: str, names=DEFAULT_NAMES) -> list:
    values = (user.encode("utf-8"), ",".join(groups).encode("utf-8"), scheme.encode("ascii"))
    return sorted(zip(names, values))


def marker() -> str:
    return uuid.uuid4().hex


def send(gateway, path: str, headers=()):
    """GET `path` on a fresh connection (bytes exactly as given, UTF-8 encoded)."""
    with RawConnection(gateway.port) as conn:
        return conn.request("GET", path, list(headers))


def records_for(upstream, mark: str) -> list:
    return [r for r in upstream.requests if mark in r["target"]]


def invalid_token_challenge(realm: str) -> re.Pattern:
    """RFC 6750 §3.1, the shape the gateway gives a bad signature (test_bearer.py); the description's
    wording is the gateway's own business."""
    return re.compile(re.escape(f'Bearer realm="{realm}", error="invalid_token"') +
                      r'(, error_description="[\x20\x21\x23-\x5b\x5d-\x7e]*")?')


def jwt_for(key, user=None, groups=None, **extra) -> str:
    """An HS256 token for the `jwt` realm; user None leaves `sub` out, groups None leaves `groups` out."""
    payload = tokens.claims(sub=user, jti=marker(), **extra)
    if groups is not None:
        payload["groups"] = groups
    if user is None:
        payload.pop("sub", None)
    return tokens.mint_pyjwt(key, "HS256", payload)


def opaque_for(idp, answer: dict) -> str:
    """A fresh opaque token that the fake endpoint introspects as `{"active": true, **answer}`."""
    token = "tok-" + marker()
    idp.state.update({"introspection": {token: {"active": True, "exp": int(time.time()) + 300, **answer}}})
    return token


def assert_refused(gateway, upstream, response, mark: str, realm: str, reason: str = "unsafe_identity"):
    """401 invalid_token with one challenge, nothing upstream, `reason` in the access log."""
    assert response.status == 401, (response.status, response.headers)
    (challenge,) = response.headers_named("WWW-Authenticate")
    assert invalid_token_challenge(realm).fullmatch(challenge), challenge
    assert response.header("Cache-Control") == "no-store"
    assert records_for(upstream, mark) == [], "a refused identity must never reach the upstream"
    (entry,) = gateway.wait_for_access_log(1, lambda e: mark in (e.get("path") or ""))
    assert (entry["status"], entry["reason"]) == (401, reason), entry


def assert_forwarded_exactly(upstream, response, mark: str, lines: list, names=DEFAULT_NAMES):
    assert response.status == 200, (response.status, response.headers)
    (record,) = records_for(upstream, mark)
    assert identity_lines(record, names) == lines, record["headers"]


# --- the names under attack ---------------------------------------------------------------------------

# (id, a name that must be refused wherever it appears: sub, username, a group)
UNSAFE = [
    ("a CR LF pair and a forged field", "alice\r\nX-Auth-Groups: admins"),
    ("a CR LF pair at the end", "alice\r\n"),
    ("a CR LF pair and an obs-fold continuation", "alice\r\n admins"),
    ("a bare LF", "alice\nX-Auth-Groups: admins"),
    ("a bare CR", "alice\rX-Auth-Groups: admins"),
    ("a NUL", "alice\x00admin"),
    ("a SOH control character", "ali\x01ce"),
    ("an ESC starting a terminal sequence", "ali\x1b[31mce"),
    ("a vertical tab", "ali\x0bce"),
    ("a form feed", "ali\x0cce"),
    ("a unit separator", "ali\x1fce"),
    ("a DEL", "ali\x7fce"),
    ("a leading HTAB", "\talice"),
    ("a trailing HTAB", "alice\t"),
    ("a leading space", " alice"),
    ("a trailing space", "alice "),
    ("nothing but spaces", "   "),
]

# (id, user, groups): every one is written as is, byte for byte
SAFE = [
    ("a UTF-8 name with an umlaut", "jürgen", ["staff"]),
    ("a Japanese UTF-8 name", "日本", ["開発", "staff"]),
    ("a comma in the user name, which is one value", "doe,john", ["staff"]),
    ("an HTAB inside the user name", "al\tice", ["staff"]),
    ("a space inside the user name", "alice smith", ["staff"]),
    ("a space inside a group name", "alice", ["domain users", "staff"]),
    ("an HTAB inside a group name", "alice", ["a\tb"]),
    ("every printable ASCII punctuation character", "a!\"#$%&'()*+-./:;<=>?@[\\]^_`{|}~z", ["staff"]),
    ("a U+2028 line separator, which is not a line break on the wire", "a\u2028b", ["staff"]),
    ("a UTF-8 name holding the byte 0x85, NEL to a Latin-1 reader", "Åsa", ["staff"]),
]


# --- JWTs ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [u[1] for u in UNSAFE],
                         ids=[f"a JWT sub with {u[0]} is refused as invalid_token" for u in UNSAFE])
def test_jwt_unsafe_user_is_refused(gw, module_upstream, name):
    gateway, key = gw
    mark = marker()
    response = send(gateway, f"/jwt/{mark}", [("Authorization", f"Bearer {jwt_for(key, name, ['staff'])}")])
    assert_refused(gateway, module_upstream, response, mark, "JWT API")


@pytest.mark.parametrize("name", [u[1] for u in UNSAFE],
                         ids=[f"a JWT groups entry with {u[0]} is refused as invalid_token" for u in UNSAFE])
def test_jwt_unsafe_group_is_refused(gw, module_upstream, name):
    gateway, key = gw
    mark = marker()
    token = jwt_for(key, "alice", ["staff", name])
    response = send(gateway, f"/jwt/{mark}", [("Authorization", f"Bearer {token}")])
    assert_refused(gateway, module_upstream, response, mark, "JWT API")


# (id, groups claim): F4, a separator inside a group would forge another group
FORGED_GROUPS = [
    ("a comma inside a group of the array", ["users,admins"]),
    ("a comma at the end of a group", ["users,"]),
    ("a comma at the start of a group", [",admins"]),
    ("a comma next to a safe group", ["staff", "users,admins"]),
    ("a comma inside the space-separated string form", "users,admins staff"),
    ("a CR LF inside the space-separated string form", "staff\r\nX-Auth-User: root"),
]


@pytest.mark.parametrize("groups", [g[1] for g in FORGED_GROUPS],
                         ids=[f"a JWT with {g[0]} is refused as invalid_token" for g in FORGED_GROUPS])
def test_jwt_group_that_would_forge_a_group_is_refused(gw, module_upstream, groups):
    gateway, key = gw
    mark = marker()
    response = send(gateway, f"/jwt/{mark}", [("Authorization", f"Bearer {jwt_for(key, 'alice', groups)}")])
    assert_refused(gateway, module_upstream, response, mark, "JWT API")


# An empty name: the claims reader refuses a token without a subject before the header rule is asked
# (RFC 7519 §4.1.2 sub is a StringOrURI: never empty), and skips an empty group entry, which names no
# group; neither can reach the upstream as an empty value or an empty list element.
def test_a_jwt_with_an_empty_sub_is_refused_as_having_no_subject(gw, module_upstream):
    gateway, key = gw
    mark = marker()
    response = send(gateway, f"/jwt/{mark}", [("Authorization", f"Bearer {jwt_for(key, '', ['staff'])}")])
    assert_refused(gateway, module_upstream, response, mark, "JWT API", reason="invalid_token")


def test_an_introspected_empty_sub_or_username_is_refused_as_having_no_subject(gw, module_upstream, idp):
    gateway, _ = gw
    for answer in ({"sub": "", "groups": ["staff"]}, {"username": "", "groups": ["staff"]}):
        mark = marker()
        response = send(gateway, f"/opaque/{mark}", [("Authorization", f"Bearer {opaque_for(idp, answer)}")])
        assert_refused(gateway, module_upstream, response, mark, "Opaque", reason="invalid_token")


def test_an_empty_group_entry_is_dropped_not_sent_as_an_empty_element(gw, module_upstream, idp):
    gateway, key = gw
    mark = marker()
    response = send(gateway, f"/jwt/{mark}", [("Authorization", f"Bearer {jwt_for(key, 'alice', ['staff', ''])}")])
    assert_forwarded_exactly(module_upstream, response, mark, expected_lines("alice", ["staff"], "Bearer"))
    mark = marker()
    token = opaque_for(idp, {"sub": "alice", "groups": ["", "staff"]})
    response = send(gateway, f"/opaque/{mark}", [("Authorization", f"Bearer {token}")])
    assert_forwarded_exactly(module_upstream, response, mark, expected_lines("alice", ["staff"], "Bearer"))


@pytest.mark.parametrize("user, groups", [s[1:] for s in SAFE],
                         ids=[f"a JWT with {s[0]} reaches the upstream byte for byte" for s in SAFE])
def test_jwt_safe_identity_is_forwarded_exactly(gw, module_upstream, user, groups):
    gateway, key = gw
    mark = marker()
    response = send(gateway, f"/jwt/{mark}",
                    [*spoofs(), ("Authorization", f"Bearer {jwt_for(key, user, groups)}")])
    assert_forwarded_exactly(module_upstream, response, mark, expected_lines(user, groups, "Bearer"))


def test_jwt_string_groups_are_forwarded_comma_separated(gw, module_upstream):
    """The space-separated string form of the groups claim becomes the same comma-separated list."""
    gateway, key = gw
    mark = marker()
    response = send(gateway, f"/jwt/{mark}", [("Authorization", f"Bearer {jwt_for(key, 'alice', 'ops dev')}")])
    assert_forwarded_exactly(module_upstream, response, mark, expected_lines("alice", ["ops", "dev"], "Bearer"))


# --- RFC 7662 introspection answers -------------------------------------------------------------------

@pytest.mark.parametrize("name", [u[1] for u in UNSAFE],
                         ids=[f"an introspected sub with {u[0]} is refused as invalid_token" for u in UNSAFE])
def test_introspected_unsafe_user_is_refused(gw, module_upstream, idp, name):
    gateway, _ = gw
    mark = marker()
    token = opaque_for(idp, {"sub": name, "groups": ["staff"]})
    response = send(gateway, f"/opaque/{mark}", [("Authorization", f"Bearer {token}")])
    assert_refused(gateway, module_upstream, response, mark, "Opaque")


# The fallback to `username` (no sub, RFC 7662 §2.2) is another source of the user: a few rows suffice.
USERNAME_ROWS = [u for u in UNSAFE if u[0] in ("a CR LF pair and a forged field", "a bare LF", "a NUL",
                                                 "a trailing space")]


@pytest.mark.parametrize("name", [u[1] for u in USERNAME_ROWS],
                         ids=[f"an introspected username with {u[0]} is refused as invalid_token"
                              for u in USERNAME_ROWS])
def test_introspected_unsafe_username_is_refused(gw, module_upstream, idp, name):
    gateway, _ = gw
    mark = marker()
    token = opaque_for(idp, {"username": name, "groups": ["staff"]})
    response = send(gateway, f"/opaque/{mark}", [("Authorization", f"Bearer {token}")])
    assert_refused(gateway, module_upstream, response, mark, "Opaque")


@pytest.mark.parametrize("name", [u[1] for u in UNSAFE] + [g[1][0] for g in FORGED_GROUPS[:3]],
                         ids=[f"an introspected group with {u[0]} is refused as invalid_token" for u in UNSAFE] +
                             [f"an introspected answer with {g[0]} is refused as invalid_token"
                              for g in FORGED_GROUPS[:3]])
def test_introspected_unsafe_group_is_refused(gw, module_upstream, idp, name):
    gateway, _ = gw
    mark = marker()
    token = opaque_for(idp, {"sub": "alice", "groups": ["staff", name]})
    response = send(gateway, f"/opaque/{mark}", [("Authorization", f"Bearer {token}")])
    assert_refused(gateway, module_upstream, response, mark, "Opaque")


@pytest.mark.parametrize("user, groups", [s[1:] for s in SAFE],
                         ids=[f"an introspection answer with {s[0]} reaches the upstream byte for byte"
                              for s in SAFE])
def test_introspected_safe_identity_is_forwarded_exactly(gw, module_upstream, idp, user, groups):
    gateway, _ = gw
    mark = marker()
    token = opaque_for(idp, {"sub": user, "groups": groups})
    response = send(gateway, f"/opaque/{mark}", [*spoofs(), ("Authorization", f"Bearer {token}")])
    assert_forwarded_exactly(module_upstream, response, mark, expected_lines(user, groups, "Bearer"))


def test_introspected_username_is_forwarded_exactly(gw, module_upstream, idp):
    gateway, _ = gw
    mark = marker()
    token = opaque_for(idp, {"username": "jürgen", "groups": ["staff"]})
    response = send(gateway, f"/opaque/{mark}", [*spoofs(), ("Authorization", f"Bearer {token}")])
    assert_forwarded_exactly(module_upstream, response, mark, expected_lines("jürgen", ["staff"], "Bearer"))


# --- Basic, and the client's own copies ---------------------------------------------------------------

BASIC_USERS = [("a UTF-8 Basic user", JURGEN), ("an ASCII Basic user", BOB)]


@pytest.mark.parametrize("user", [b[1] for b in BASIC_USERS],
                         ids=[f"{b[0]} reaches the upstream byte for byte, the client's copies never" for b in
                              BASIC_USERS])
def test_basic_identity_is_forwarded_exactly(gw, module_upstream, user):
    gateway, _ = gw
    mark = marker()
    response = send(gateway, f"/basic/{mark}", [*spoofs(), ("Authorization", basic(user.name, user.password))])
    expected = expected_lines(user.name, list(user.groups), "Basic")
    assert_forwarded_exactly(module_upstream, response, mark, expected)


def test_an_anonymous_request_carries_no_identity_in_any_spelling(gw, module_upstream):
    gateway, _ = gw
    mark = marker()
    response = send(gateway, f"/public/{mark}", spoofs())
    assert_forwarded_exactly(module_upstream, response, mark, [])


def test_a_refused_token_carries_no_forged_identity_upstream(gw, module_upstream):
    """The 401 of an unsafe identity comes from the gateway: the client's forged copies go nowhere."""
    gateway, key = gw
    mark = marker()
    token = jwt_for(key, "root\r\nX-Auth-User: root", ["staff"])
    response = send(gateway, f"/jwt/{mark}", [*spoofs(), ("Authorization", f"Bearer {token}")])
    assert_refused(gateway, module_upstream, response, mark, "JWT API")


# --- configured identity header names -----------------------------------------------------------------

def test_custom_identity_names_are_written_exactly(custom_gw, module_upstream):
    gateway, key = custom_gw
    mark = marker()
    response = send(gateway, f"/jwt/{mark}",
                    [*spoofs(CUSTOM_NAMES), ("Authorization", f"Bearer {jwt_for(key, '日本', ['ops', 'dev'])}")])
    assert_forwarded_exactly(module_upstream, response, mark,
                             expected_lines("日本", ["ops", "dev"], "Bearer", CUSTOM_NAMES), CUSTOM_NAMES)


@pytest.mark.parametrize("where", ["sub", "groups"],
                         ids=["a CR LF sub is refused whatever the identity headers are called",
                              "a comma group is refused whatever the identity headers are called"])
def test_custom_identity_names_refuse_unsafe_identities(custom_gw, module_upstream, where):
    gateway, key = custom_gw
    mark = marker()
    token = jwt_for(key, "alice\r\nX-Remote-Groups: admins", ["staff"]) if where == "sub" else \
        jwt_for(key, "alice", ["users,admins"])
    response = send(gateway, f"/jwt/{mark}", [("Authorization", f"Bearer {token}")])
    assert_refused(gateway, module_upstream, response, mark, "JWT API")


# --- Basic identities come from files: refused when the file is loaded --------------------------------

def store_config(workdir, htpasswd_lines: list, group_lines: list) -> tuple:
    """A config file whose staff store is the given raw htpasswd and group file lines."""
    htpasswd = passwords.write_bytes_lines(workdir / "users.htpasswd", htpasswd_lines)
    groups = passwords.write_bytes_lines(workdir / "groups.txt", group_lines)
    config = configs.gateway_config("http://127.0.0.1:9", htpasswd, groups, admin=False)
    path = workdir / "authgate.yaml"
    path.write_text(yaml_text.dump(config))
    return path, htpasswd, groups


@pytest.fixture(scope="module")
def bob_line():
    return passwords.htpasswd_line(BOB.name, BOB.password, "B -C 4").encode("ascii")


# (id, the group file's second line): the group name cannot become a clean X-Auth-Groups element
BAD_GROUP_LINES = [
    ("a comma inside a group name", b"users,admins: bob"),
    ("a comma at the end of a group name", b"users,: bob"),
    ("a SOH control character in a group name", b"ad\x01mins: bob"),
    ("an ESC in a group name", b"ad\x1bmins: bob"),
    ("a DEL in a group name", b"ad\x7fmins: bob"),
    ("a NUL in a group name", b"ad\x00mins: bob"),
]

# (id, the raw user name of the htpasswd file's second line)
BAD_USER_NAMES = [
    ("a SOH control character in a user name", b"al\x01ice"),
    ("a NUL in a user name", b"al\x00ice"),
    ("an ESC in a user name", b"al\x1b[0mice"),
    ("a lone CR inside a user name", b"al\rice"),
    ("a vertical tab in a user name", b"al\x0bice"),
    ("a DEL in a user name", b"al\x7fice"),
]


def bad_store(tmp_path, bob_line, kind: str, raw: bytes) -> tuple:
    """(config path, the file at fault) with the bad line as line 2 of that file."""
    if kind == "groups":
        path, _, groups = store_config(tmp_path, [bob_line], [b"staff: bob", raw])
        return path, groups
    alice = passwords.htpasswd_line_for_raw_user(raw, "alice-pw")
    path, htpasswd, _ = store_config(tmp_path, [bob_line, alice], [b"staff: bob"])
    return path, htpasswd


LOAD_CASES = [("groups", g[1], g[0]) for g in BAD_GROUP_LINES] + [("htpasswd", u[1], u[0]) for u in BAD_USER_NAMES]


def at_line_two(path) -> re.Pattern:
    return re.compile(re.escape(path.name) + r":2(:\d+)?:")


@pytest.mark.parametrize("kind, raw", [c[:2] for c in LOAD_CASES],
                         ids=[f"check refuses {c[2]} at the file's line" for c in LOAD_CASES])
def test_check_refuses_an_unsafe_store_name(tmp_path, bob_line, kind, raw):
    config, culprit = bad_store(tmp_path, bob_line, kind, raw)
    done = run_cli(["check", "--config", config])
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert at_line_two(culprit).search(output), output


def test_check_accepts_the_same_store_without_the_bad_lines(tmp_path, bob_line):
    """The control for the rows above: the files they break load cleanly."""
    config, _, _ = store_config(tmp_path, [bob_line, passwords.htpasswd_line_for_raw_user(b"alice", "pw")],
                                [b"staff: bob", b"admins: alice"])
    done = run_cli(["check", "--config", config])
    assert done.returncode == 0, done.stdout + done.stderr


def serve_outcome(launcher, config, timeout: float = 15.0):
    """Runs `authgate serve`; (exit status or None if it came up, its stderr)."""
    process = launcher.spawn(["serve", "--config", config], label="serve")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            return process.wait_exit(5), process.stderr_text()
        if process.ready_ports():
            return None, process.stderr_text()
        time.sleep(0.05)
    raise AssertionError(f"serve neither exited nor listened within {timeout}s:\n{process.stderr_text()}")


@pytest.mark.parametrize("kind, raw", [c[:2] for c in LOAD_CASES],
                         ids=[f"serve refuses to start with {c[2]}" for c in LOAD_CASES])
def test_serve_refuses_an_unsafe_store_name(launcher, tmp_path, bob_line, kind, raw):
    config, culprit = bad_store(tmp_path, bob_line, kind, raw)
    status, stderr = serve_outcome(launcher, config)
    assert status is not None, f"serve started with a bad {culprit.name}"
    assert status != 0
    assert at_line_two(culprit).search(stderr), stderr
