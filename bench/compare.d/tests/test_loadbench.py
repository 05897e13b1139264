"""Tests of bench/compare's own parsers and builders: /usr/bin/python3 -m pytest bench/compare.d/tests"""

import hashlib
import http.server
import os
import secrets
import shutil
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from loadbench import http_probe, install, load, scenarios, servers, templates  # noqa: E402

# RFC 7616 §3.9.1: the SHA-256 example.
RFC7616_CHALLENGE = ('Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, '
                     'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
                     'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"')
RFC7616_RESPONSE = "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize("name, challenges, expected, why", [
    ("picks_sha256_among_several", ['Basic realm="x"', 'Digest realm="r", nonce="n1", algorithm=MD5',
                                    'Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth"'],
     {"realm": "r", "nonce": "n2", "algorithm": "SHA-256", "qop": "auth"},
     "RFC 7616 §3.7: one challenge per algorithm"),
    ("unquotes_escaped_characters", ['Digest realm="a\\"b", nonce="n", algorithm=SHA-256'],
     {"realm": 'a"b', "nonce": "n", "algorithm": "SHA-256"}, "quoted-string escapes (RFC 9110 §5.6.4)"),
    ("ignores_md5_only_challenges", ['Digest realm="r", nonce="n"'], None, "absent algorithm means MD5"),
    ("ignores_a_challenge_without_nonce", ['Digest realm="r", algorithm=SHA-256'], None, "nonce is required"),
    ("ignores_other_schemes", ['Bearer realm="r"'], None, "only Digest"),
    ("empty_list", [], None, "no WWW-Authenticate at all"),
])
def test_digest_challenge(name, challenges, expected, why):
    assert http_probe.digest_challenge(challenges) == expected, why


def test_digest_authorization_matches_the_rfc7616_example():
    challenge = http_probe.digest_challenge([RFC7616_CHALLENGE])
    ha1 = hashlib.sha256(b"Mufasa:http-auth@example.org:Circle of Life").hexdigest()
    args = http_probe.digest_args(challenge, "Mufasa", ha1, "/dir/index.html")
    value = http_probe.digest_authorization(args, nc=1, cnonce=RFC7616_CNONCE)
    assert f'response="{RFC7616_RESPONSE}"' in value
    assert 'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"' in value
    assert "nc=00000001" in value


def test_digest_args_refuse_a_server_without_qop_auth():
    challenge = {"realm": "r", "nonce": "n", "qop": "auth-int"}
    with pytest.raises(ValueError):
        http_probe.digest_args(challenge, "u", "0" * 64, "/")


@pytest.mark.parametrize("name, fragments, expected, why", [
    ("same_key_concatenates", ["routes:\n  - a: 1\n", "routes:\n  - b: 2\n"], "routes:\n  - a: 1\n  - b: 2\n",
     "routes of every fragment form one list"),
    ("keeps_first_appearance_order", ["b:\n  x: 1\na:\n  y: 2\n", "a:\n  z: 3\n"],
     "b:\n  x: 1\n\na:\n  y: 2\n  z: 3\n", "base sections first"),
    ("drops_comments_and_blank_lines", ["# head\n\nk:\n  # inner\n  v: 1\n"], "k:\n  v: 1\n", "comments go"),
])
def test_merge_yaml(name, fragments, expected, why):
    assert templates.merge_yaml(fragments) == expected, why


@pytest.mark.parametrize("name, fragment, why", [
    ("flow_style_top_level", "routes: [a, b]\n", "cannot be merged line by line"),
    ("indented_line_first", "  x: 1\n", "no section to belong to"),
])
def test_merge_yaml_refuses(name, fragment, why):
    with pytest.raises(ValueError):
        templates.merge_yaml([fragment])


def test_render_refuses_a_placeholder_without_value():
    with pytest.raises(KeyError):
        templates.render("upstream.nginx.conf", {"port": 1})


def test_every_authgate_fragment_merges_with_the_base():
    values = {"port": 1, "upstream_port": 2, "run_dir": "/r", "issuer": "i", "audience": "a"}
    for fragment in ("basic", "bearer", "digest"):
        text = templates.merge_yaml([templates.render(f"authgate-{n}.yaml", values)
                                     for n in ("base", "basic", fragment)])
        assert text.count("\nroutes:\n") == 1 and text.count("\nrealms:\n") == 1


def test_forward_proxy_config_gives_the_proxy_listener_the_probed_port():
    ctx = servers.Context(run_dir="/r", upstream_port=2, fx=None)
    text = servers.authgate_config(ctx, 4321, "forward-proxy")
    assert text.count("\nlisteners:\n") == 1 and text.count("  - name: ") >= 2
    proxy = text[text.index("  - name: proxy"):]
    assert "    port: 4321\n" in proxy and 'ports: ["2"]' in proxy, "the load goes to the proxy listener"
    bench = text[text.index("  - name: bench"):text.index("  - name: proxy")]
    assert "port: 4321" not in bench, "the reverse-proxy listener takes a spare port"
    assert "realms: [bcrypt]" in proxy and "\n  bcrypt:\n" in text, "the bcrypt realm of authgate-basic.yaml"


def test_squid_template_renders_every_placeholder():
    text = templates.render("squid.conf", {"port": 1, "upstream_port": 2, "run_dir": "/r",
                                           "squid_dir": "/r/s", "issuer": "i", "audience": "a"})
    assert "http_port 127.0.0.1:1\n" in text and "acl bench_port port 2\n" in text
    assert "basic_ncsa_auth /r/users/bcrypt.htpasswd" in text and "credentialsttl 2 hours" in text
    # proxy_auth must be the last ACL of the allow line: a missing or wrong credential then gets 407.
    allow = next(line for line in text.splitlines() if line.startswith("http_access allow"))
    assert allow.split()[-1] == "auth"


def test_forward_proxy_scenario_targets_the_upstream_in_absolute_form():
    s = scenarios.BY_ID["forward-proxy-basic"]
    assert scenarios.target(s, 5678) == "http://127.0.0.1:5678/noauth"
    assert scenarios.credential_field(s) == "Proxy-Authorization" and scenarios.refusal(s) == 407
    assert set(s.servers) == {"authgate", "squid"}
    plain = scenarios.BY_ID["basic-bcrypt"]
    assert scenarios.target(plain, 5678) == "/basic/bcrypt" and scenarios.refusal(plain) is None
    assert all("squid" not in x.servers for x in scenarios.SCENARIOS if not x.forward_proxy)


def test_wrk_argv_through_a_proxy_connects_to_the_proxy_with_proxy_authorization():
    plan = load.Load(connections=4, duration_s=1, warmup_s=0)
    argv = load._argv(1111, "http://127.0.0.1:2222/noauth", plan, 1, "basic", "Basic eA==", (),
                      "Proxy-Authorization")
    assert argv[-3:] == ["http://127.0.0.1:1111/", "--", "http://127.0.0.1:2222/noauth"]
    assert "Proxy-Authorization: Basic eA==" in argv and argv[argv.index("-s") + 1].endswith("proxy.lua")


class _RecordingProxy(http.server.BaseHTTPRequestHandler):
    """Records each request line, Host and Proxy-Authorization; answers 200 like an origin behind it."""
    protocol_version = "HTTP/1.1"
    seen = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.seen.append((self.requestline, self.headers.get("Host"),
                          self.headers.get("Proxy-Authorization")))
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")


@pytest.mark.skipif(shutil.which("wrk") is None, reason="no wrk")
def test_wrk_and_the_probe_send_absolute_form_to_the_proxy():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    _RecordingProxy.seen.clear()
    try:
        status, _ = http_probe.probe(port, "http://127.0.0.1:9/noauth", "Basic eA==",
                                     field="Proxy-Authorization")
        assert status == 200
        result = load.run(port, "http://127.0.0.1:9/noauth", load.Load(2, 1, 0), 1, "basic", "Basic eA==",
                          field="Proxy-Authorization")
    finally:
        server.shutdown()
        server.server_close()
    assert result.requests > 0 and result.statuses == {200: result.requests}
    expected = ("GET http://127.0.0.1:9/noauth HTTP/1.1", "127.0.0.1:9", "Basic eA==")
    assert set(_RecordingProxy.seen) == {expected}, "the target in the request line, the origin as Host"


@pytest.mark.parametrize("name, statuses, errors, requests, expect, problems, why", [
    ("clean_run", {200: 10}, {}, 10, 200, [], "every answer expected"),
    ("wrong_status_flagged", {200: 8, 401: 2}, {}, 10, 200, ["2x 401"], "a 401 must not count as a win"),
    ("expected_401", {401: 10}, {}, 10, 401, [], "the 401 scenario"),
    ("socket_errors_flagged", {200: 10}, {"timeout": 3, "status": 0}, 10, 200, ["3 timeout errors"],
     "timeouts mean lost requests"),
    ("nothing_completed", {}, {}, 0, 200, ["no requests completed"], "a silent server is not fast"),
])
def test_result_problems(name, statuses, errors, requests, expect, problems, why):
    result = load.Result(requests=requests, duration_s=1.0, statuses=statuses, errors=errors,
                         p50_ms=0, p99_ms=0)
    assert result.problems(expect) == problems, why


def test_scenario_selection_keeps_the_canonical_order_and_refuses_unknown_ids():
    assert [s.id for s in scenarios.select("unauthorized,noauth")] == ["noauth", "unauthorized"]
    with pytest.raises(ValueError):
        scenarios.select("noauth,nope")


class _DigestOrigin(http.server.BaseHTTPRequestHandler):
    """A strict Digest SHA-256 server for the load client: one fresh nonce per 401, every response checked
    with hashlib, nc strictly rising per nonce (as authgate requires); /chunked answers chunked."""
    protocol_version = "HTTP/1.1"
    ha1 = hashlib.sha256(b"bench:bench:pw").hexdigest()
    seen = {}          # nonce -> highest nc
    refused = []       # why a request was refused

    def log_message(self, *args):
        pass

    def _answer(self, status, headers=(), chunked=False):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"3\r\nok\n\r\n0\r\n\r\n")
        else:
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"ok\n")

    def do_GET(self):
        if self.path in ("/plain", "/chunked"):
            return self._answer(200, chunked=self.path == "/chunked")
        field = self.headers.get("Authorization")
        if field is None:
            nonce = secrets.token_hex(8)
            self.seen[nonce] = 0
            return self._answer(401, [("WWW-Authenticate", f'Digest realm="bench", qop="auth", '
                                       f'algorithm=SHA-256, nonce="{nonce}", opaque="op"')])
        p = http_probe.digest_challenge([field])  # the credentials' params parse like a challenge's
        ha2 = hashlib.sha256(f"GET:{p['uri']}".encode()).hexdigest()
        kd = f"{self.ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:{ha2}"
        want = hashlib.sha256(kd.encode()).hexdigest()
        nc = int(p["nc"], 16)
        if p["response"] != want or p.get("opaque") != "op" or nc <= self.seen.get(p["nonce"], nc):
            self.refused.append(field)
            return self._answer(401)
        self.seen[p["nonce"]] = nc
        self._answer(200)


@pytest.fixture
def digest_origin():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DigestOrigin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(shutil.which("g++") is None, reason="no C++ compiler")
def test_digest_client_answers_every_request_with_a_fresh_nc_per_connection(digest_origin, tmp_path):
    client = install.build_digest_client(str(tmp_path))
    _DigestOrigin.seen.clear()
    _DigestOrigin.refused.clear()
    out = subprocess.run([client, str(digest_origin), "/digest", "4", "1", "10", "bench", _DigestOrigin.ha1],
                         capture_output=True, text=True, timeout=60).stdout
    result = load._parse(out)
    assert result.requests > 0 and result.statuses == {200: result.requests}, (result, _DigestOrigin.refused)
    assert len(_DigestOrigin.seen) == 4, "one nonce per connection"
    # Each counted request used the next nc of its connection's nonce (one more may be in flight at the end).
    assert sum(_DigestOrigin.seen.values()) >= result.requests


@pytest.mark.skipif(shutil.which("g++") is None, reason="no C++ compiler")
@pytest.mark.parametrize("path", ["/plain", "/chunked"])
def test_digest_client_without_a_user_sends_plain_gets(digest_origin, tmp_path, path):
    client = install.build_digest_client(str(tmp_path))
    out = subprocess.run([client, str(digest_origin), path, "2", "1", "10"],
                         capture_output=True, text=True, timeout=60).stdout
    result = load._parse(out)
    assert result.requests > 0 and result.statuses == {200: result.requests}
    assert not any(result.errors.values())
