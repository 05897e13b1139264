"""Attack suite, forwarded information (issue 11, F8): frameworks behind a proxy (Spring, Rails, Express
with `trust proxy`, Django, Tomcat's RemoteIpValve) believe the fields that say who the client is, which
host and scheme it asked for and which URL it meant. None of them may come from the client as sent.

- `Forwarded` (RFC 7239) from the client never arrives; the upstream gets exactly one, the gateway's:
  `for="<client ip>";host="<Host>";proto=http` (an IPv6 address in brackets inside the quotes, §6).
- X-Real-IP, X-Forwarded-Port/-Prefix/-Server/-Ssl/-Scheme, X-Url-Scheme, Front-End-Https,
  X-Original-URL, X-Rewrite-URL, X-Original-Host and X-Host are removed in every case and `_` spelling
  (CGI, WSGI and PHP file `X_Real_IP` and `X-Real-IP` under the same HTTP_X_REAL_IP).
- X-Forwarded-For keeps the client's list and gets the client address appended; X-Forwarded-Proto and
  X-Forwarded-Host are overwritten; their `_` spellings from the client are removed."""
import socket
import uuid

import pytest

from harness import configs, passwords
from harness.fixtures import basic
from harness.passwords import ALICE
from harness.ports import free_port
from harness.raw_http import RawConnection, request_bytes

AUTH = ("Authorization", basic(ALICE.name, ALICE.password))
HOST = "app.test:8443"


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


IPV6 = ipv6_loopback()


@pytest.fixture(scope="module")
def gw(module_launcher, module_upstream, tmp_path_factory):
    """The default config (/public anonymous, / any staff user), plus a listener on ::1 where there is one."""
    config = configs.gateway_config(module_upstream.url,
                                    *passwords.write_default_store(tmp_path_factory.mktemp("forwarding")))
    if IPV6:
        config["listeners"].append({"name": "v6", "address": "::1", "port": free_port()})
    return module_launcher.serve(config)


class RawConnection6(RawConnection):
    """RawConnection to [::1]:port."""

    def __init__(self, port: int, timeout: float = 15.0):
        self.timeout = timeout
        self.sock = socket.create_connection(("::1", port), timeout=timeout)
        self.buffer = bytearray()


def fold(name: str) -> str:
    return name.lower().replace("_", "-")


def spellings(name: str) -> list:
    """The name as sent by well-behaved and hostile clients alike: case variants and `_` for `-`."""
    under = name.replace("-", "_")
    mixed = "".join(c.lower() if i % 2 else c.upper() for i, c in enumerate(name))
    return [name, name.lower(), name.upper(), mixed, under, under.lower(), under.upper()]


def values_of(record: dict, name: str) -> list:
    """Every value the upstream received under a name that folds to `name`, in wire order."""
    return [v for k, v in record["headers"] if fold(k) == fold(name)]


def forward(gw, upstream, path: str, headers=(), host: str = HOST, conn_class=RawConnection, port=None):
    """GET `path` with these fields; (response, the one upstream record)."""
    before = len(upstream.requests)
    with conn_class(port or gw.port) as conn:
        conn.send(request_bytes("GET", path, [("Host", host), *headers]))
        response = conn.read_response()
    assert response.status == 200, (response.status, response.headers)
    (record,) = upstream.requests[before:]
    return response, record


def path() -> str:
    return f"/public/{uuid.uuid4().hex}"


def gateway_forwarded(client: str, host: str = HOST) -> str:
    return f'for="{client}";host="{host}";proto=http'


# --- Forwarded -----------------------------------------------------------------------------------------

# (id, what the client sends)
CLIENT_FORWARDED = [
    ("no Forwarded field", []),
    ("a forged for, host and proto", [("Forwarded", "for=203.0.113.9;host=evil.example;proto=https")]),
    ("a lower-case name", [("forwarded", "for=203.0.113.9")]),
    ("an upper-case name", [("FORWARDED", "proto=https")]),
    ("two Forwarded lines", [("Forwarded", "for=198.51.100.1"), ("Forwarded", "for=203.0.113.9;proto=https")]),
    ("a list of two elements", [("Forwarded", "for=198.51.100.1, for=203.0.113.9;host=evil.example")]),
    ("a quoted IPv6 address", [("Forwarded", 'for="[2001:db8::1]:443";proto=https')]),
    ("an obfuscated identifier and a by", [("Forwarded", "for=_hidden;by=_gateway")]),
    ("two copies of the gateway's own value", [("Forwarded", gateway_forwarded("127.0.0.1"))] * 2),
    ("an empty value", [("Forwarded", "")]),
    ("a Forwarded field named in Connection", [("Connection", "Forwarded"), ("Forwarded", "for=203.0.113.9")]),
]


@pytest.mark.parametrize("headers", [c[1] for c in CLIENT_FORWARDED],
                         ids=[f"with {c[0]} the upstream gets exactly the gateway's Forwarded"
                              for c in CLIENT_FORWARDED])
def test_forwarded_is_the_gateways_own(gw, module_upstream, headers):
    _, record = forward(gw, module_upstream, path(), headers)
    assert values_of(record, "Forwarded") == [gateway_forwarded("127.0.0.1")], record["headers"]


def test_forwarded_on_an_authenticated_route(gw, module_upstream):
    _, record = forward(gw, module_upstream, f"/app/{uuid.uuid4().hex}",
                        [AUTH, ("Forwarded", "for=203.0.113.9;proto=https")])
    assert values_of(record, "Forwarded") == [gateway_forwarded("127.0.0.1")]


# (id, the Host field sent, the host= the gateway writes)
HOSTS = [
    ("a name and a port", "app.test:8443", "app.test:8443"),
    ("a bare name", "app.test", "app.test"),
    ("an IPv4 literal", "127.0.0.1", "127.0.0.1"),
    ("an IPv6 literal and a port", "[::1]:8080", "[::1]:8080"),
]


@pytest.mark.parametrize("host, written", [h[1:] for h in HOSTS],
                         ids=[f"Forwarded carries a Host of {h[0]} in quotes" for h in HOSTS])
def test_forwarded_host_is_the_request_host(gw, module_upstream, host, written):
    _, record = forward(gw, module_upstream, path(), [("Forwarded", "host=evil.example")], host=host)
    assert values_of(record, "Forwarded") == [gateway_forwarded("127.0.0.1", written)]


def test_forwarded_for_an_absolute_form_request_names_its_authority(gw, module_upstream):
    """RFC 9112 §3.2.2: the authority of an absolute-form target replaces Host."""
    mark = uuid.uuid4().hex
    before = len(module_upstream.requests)
    with RawConnection(gw.port) as conn:
        conn.send(f"GET http://app.test/public/{mark} HTTP/1.1\r\nHost: app.test\r\n"
                  "Forwarded: host=evil.example\r\n\r\n".encode("ascii"))
        assert conn.read_response().status == 200
    (record,) = module_upstream.requests[before:]
    assert values_of(record, "Forwarded") == [gateway_forwarded("127.0.0.1", "app.test")]


@pytest.mark.skipif(not IPV6, reason="no IPv6 loopback on this machine")
def test_forwarded_brackets_an_ipv6_client(gw, module_upstream):
    """RFC 7239 §6: an IPv6 address is bracketed, and the value quoted since it holds ':'."""
    port = gw.extra_ports[0]
    _, record = forward(gw, module_upstream, path(), [("Forwarded", "for=203.0.113.9")], host=f"[::1]:{port}",
                        conn_class=RawConnection6, port=port)
    assert values_of(record, "Forwarded") == [gateway_forwarded("[::1]", f"[::1]:{port}")]


# --- fields the gateway removes -------------------------------------------------------------------------

REMOVED = ["X-Real-IP", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Forwarded-Ssl",
           "X-Forwarded-Scheme", "X-Url-Scheme", "Front-End-Https", "X-Original-URL", "X-Rewrite-URL",
           "X-Original-Host", "X-Host"]
FORGED = {"X-Real-IP": "10.0.0.1", "X-Forwarded-Port": "443", "X-Forwarded-Prefix": "/admin",
          "X-Forwarded-Server": "internal", "X-Forwarded-Ssl": "on", "X-Forwarded-Scheme": "https",
          "X-Url-Scheme": "https", "Front-End-Https": "on", "X-Original-URL": "/admin/panel",
          "X-Rewrite-URL": "/admin/panel", "X-Original-Host": "secret.example.org", "X-Host": "secret.example.org"}
REMOVED_CASES = [(name, spelling) for name in REMOVED for spelling in spellings(name)]


@pytest.mark.parametrize("name, spelling", REMOVED_CASES,
                         ids=[f"{name} sent as {spelling} never reaches the upstream"
                              for name, spelling in REMOVED_CASES])
def test_client_forwarding_fields_are_removed(gw, module_upstream, name, spelling):
    _, record = forward(gw, module_upstream, path(), [(spelling, FORGED[name])])
    assert values_of(record, name) == [], record["headers"]


def test_every_removed_field_at_once_on_an_authenticated_route(gw, module_upstream):
    """All of them together, twice each, next to valid credentials: none gets through."""
    headers = [(name, FORGED[name]) for name in REMOVED for _ in range(2)]
    _, record = forward(gw, module_upstream, f"/app/{uuid.uuid4().hex}", [AUTH, *headers])
    survivors = [(k, v) for k, v in record["headers"] if fold(k) in {fold(n) for n in REMOVED}]
    assert survivors == []
    assert values_of(record, "X-Auth-User") == ["alice"]


# --- X-Forwarded-For, -Proto, -Host ------------------------------------------------------------------------

# (id, what the client sends, the one X-Forwarded-For value the upstream must get)
XFF = [
    ("no X-Forwarded-For", [], "127.0.0.1"),
    ("one address", [("X-Forwarded-For", "203.0.113.9")], "203.0.113.9, 127.0.0.1"),
    ("a list", [("X-Forwarded-For", "203.0.113.9, 198.51.100.1")], "203.0.113.9, 198.51.100.1, 127.0.0.1"),
    ("two lines", [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-For", "198.51.100.1")],
     "203.0.113.9, 198.51.100.1, 127.0.0.1"),
    ("a lower-case name", [("x-forwarded-for", "203.0.113.9")], "203.0.113.9, 127.0.0.1"),
    ("an upper-case name", [("X-FORWARDED-FOR", "203.0.113.9")], "203.0.113.9, 127.0.0.1"),
    ("an underscore spelling", [("X_Forwarded_For", "10.6.6.6")], "127.0.0.1"),
    ("a lower-case underscore spelling", [("x_forwarded_for", "10.6.6.6")], "127.0.0.1"),
    ("an upper-case underscore spelling", [("X_FORWARDED_FOR", "10.6.6.6")], "127.0.0.1"),
    ("a mixed spelling", [("X-Forwarded_For", "10.6.6.6")], "127.0.0.1"),
    ("a dash and an underscore spelling", [("X-Forwarded-For", "203.0.113.9"), ("X_Forwarded_For", "10.6.6.6")],
     "203.0.113.9, 127.0.0.1"),
]


@pytest.mark.parametrize("headers, expected", [x[1:] for x in XFF],
                         ids=[f"with {x[0]} the client address is appended" for x in XFF])
def test_x_forwarded_for(gw, module_upstream, headers, expected):
    _, record = forward(gw, module_upstream, path(), headers)
    assert values_of(record, "X-Forwarded-For") == [expected], record["headers"]


OVERWRITTEN = [
    ("X-Forwarded-Proto", "https", "http"),
    ("X-Forwarded-Host", "secret.example.org", HOST),
]
OVERWRITTEN_CASES = [(name, spelling, forged, written) for name, forged, written in OVERWRITTEN
                     for spelling in spellings(name)]


@pytest.mark.parametrize("name, spelling, forged, written", OVERWRITTEN_CASES,
                         ids=[f"{c[0]} sent twice as {c[1]} arrives as the gateway's value only"
                              for c in OVERWRITTEN_CASES])
def test_x_forwarded_proto_and_host_are_overwritten(gw, module_upstream, name, spelling, forged, written):
    _, record = forward(gw, module_upstream, path(), [(spelling, forged), (spelling, forged)])
    assert values_of(record, name) == [written], record["headers"]
