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

from loadbench import (http_probe, install, load, processes, report, runner, scenarios,  # noqa: E402
                       servers, targets, templates)

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


# --- forward auth (issue 15): nginx auth_request → authgate's decision listener ---------------------------

REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def _forward_auth_nginx(port=4321, authgate_port=4322, upstream_port=2, run_dir="/r"):
    values = {"port": port, "upstream_port": upstream_port, "run_dir": run_dir, "issuer": "i",
              "audience": "a", "authgate_port": authgate_port}
    return templates.render("nginx-forward-auth.conf", values)


def _location(text, head):
    """The body of the nginx location that starts with `head` (up to its closing brace at the same depth)."""
    start = text.index(head)
    depth, i = 0, text.index("{", start)
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i:j]
    raise AssertionError(f"unclosed {head}")


def test_forward_auth_config_puts_the_decision_listener_on_the_port_nginx_asks():
    ctx = servers.Context(run_dir="/r", upstream_port=2, fx=None)
    text = servers.authgate_config(ctx, 4322, "forward-auth")
    assert text.count("\nlisteners:\n") == 1 and text.count("\nroutes:\n") == 1
    authz = text[text.index("  - name: authz"):]
    assert "    port: 4322\n" in authz and "original_request: x-original" in authz
    assert "nginx_compat: true" in authz, "auth_request passes 2xx/401/403 only"
    bench = text[text.index("  - name: bench"):text.index("  - name: authz")]
    assert "port: 4322" not in bench, "the reverse-proxy listener takes a spare port"
    assert "path: /basic/bcrypt" in text and "path: /bearer/rs256" in text, "both credentials' routes"
    assert "io_threads: 1" in text and "worker_threads: 1" in text


def test_forward_auth_nginx_asks_authgate_over_keepalive_then_proxies_to_the_upstream():
    text = _forward_auth_nginx()
    assert "{{" not in text and "listen 127.0.0.1:4321 " in text
    assert "server 127.0.0.1:4322;" in _location(text, "upstream authgate"), "the decision listener"
    for block in ("upstream authgate", "upstream app"):
        assert "keepalive 64;" in _location(text, block)
    main, sub = _location(text, "location / "), _location(text, "location = /_authgate ")
    assert "auth_request /_authgate;" in main and "proxy_pass http://app;" in main
    assert "proxy_set_header X-Auth-User   $authgate_user;" in main
    assert "auth_request_set $authgate_user        $upstream_http_x_auth_user;" in main
    assert 'proxy_set_header Authorization "";' in main, "as the auth_basic anchor: no credential upstream"
    assert "proxy_pass http://authgate;" in sub and "internal;" in sub
    assert "X-Original-URL $scheme://$http_host$request_uri;" in sub
    assert "X-Original-Method $request_method;" in sub
    for body in (main, sub):  # keep-alive to both upstream blocks
        assert "proxy_http_version 1.1;" in body and 'proxy_set_header Connection "";' in body
    assert "Authorization" not in sub, "the subrequest passes the client's Authorization on"
    assert "master_process off;" in text and "nginx-forward-auth.pid" in text, "one process, its own pid file"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="no nginx")
def test_forward_auth_nginx_config_passes_nginx_t(tmp_path):
    (tmp_path / "tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(_forward_auth_nginx(run_dir=str(tmp_path)))
    done = subprocess.run(["nginx", "-t", "-e", str(tmp_path / "early.log"), "-c", str(conf)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def _authgate_binary():
    for path in (os.environ.get("AUTHGATE_BIN", ""), os.path.join(REPO, "build", "release", "authgate"),
                 os.path.join(REPO, "build", "bench", "authgate")):
        if path and os.access(path, os.X_OK):
            return path
    return None


@pytest.mark.skipif(_authgate_binary() is None,
                    reason="no authgate binary (AUTHGATE_BIN, build/release or build/bench)")
def test_forward_auth_authgate_config_passes_authgate_check(tmp_path):
    pytest.importorskip("jwt")
    from loadbench import fixtures
    fx = fixtures.prepare(str(tmp_path), 1, 0)
    ctx = servers.Context(run_dir=str(tmp_path), upstream_port=2, fx=fx)
    conf = tmp_path / "authgate.yaml"
    conf.write_text(servers.authgate_config(ctx, 4322, "forward-auth"))
    done = subprocess.run([_authgate_binary(), "check", "--config", str(conf)], capture_output=True,
                          text=True, timeout=60)
    if "forward_auth" in done.stderr and "unknown" in done.stderr:
        pytest.skip("this authgate binary predates forward_auth")
    assert done.returncode == 0, done.stderr
    assert "forward-auth" in done.stdout and "x-original" in done.stdout


def _row(scenario, server, rps, outcome="ok", note="", cpu=None):
    if rps is None:
        return runner.Row(scenario, server, outcome, note)
    requests = int(rps * 10)
    result = load.Result(requests=requests, duration_s=10.0, statuses={200: requests}, errors={}, p50_ms=1,
                         p99_ms=2, extra={"cpu_us_per_request": cpu} if cpu else {})
    return runner.Row(scenario, server, outcome, note, result)


def _forward_auth_rows(fa_rps, flagged=False):
    return [
        _row("direct", "upstream", 200_000),                   # 5 µs per request
        _row("noauth", "nginx", 50_000, cpu={"nginx": 9.0}),   # 20 µs
        _row("basic-bcrypt", "authgate", 40_000, cpu={"authgate": 12.0}),  # 25 µs
        _row("basic-bcrypt", "nginx", 20),
        _row("bearer-rs256", "authgate", 50_000),               # 20 µs
        _row("bearer-rs256", "nginx", None, "n/a", "no JWT in nginx (nginx Plus only)"),
        _row("forward-auth-basic", scenarios.FORWARD_AUTH, fa_rps, "flagged" if flagged else "ok",
             cpu={"nginx": 15.0, "authgate": 5.0}),
    ]


def _target(rows, scenario):
    return next(t for t in targets.evaluate(rows, None, None) if t["target"].startswith(scenario + ":"))


@pytest.mark.parametrize("name, fa_rps, verdict, vs_budget, why", [
    # budget = 20 + 25 − 5 = 40 µs per request, i.e. 25,000 req/s
    ("slower_than_the_chain", 20_000, "MISSED", 1.25, "50 µs: the decision path (30) costs more than a hop"),
    ("as_fast_as_the_chain", 25_000, "met", 1.0, "exactly the chain nginx → authgate → upstream"),
    ("faster_than_the_chain", 40_000, "met", 0.625, "25 µs: the decision path (5) is a quarter of a hop"),
])
def test_forward_auth_round_trip_target(name, fa_rps, verdict, vs_budget, why):
    rows = _forward_auth_rows(fa_rps)
    r = targets.forward_auth_ratios(rows, "forward-auth-basic")
    assert r["budget_us"] == pytest.approx(40.0) and r["hop_us"] == pytest.approx(20.0)
    assert r["decision_us"] == pytest.approx(1e6 / fa_rps - 20.0)
    assert r["vs_budget"] == pytest.approx(vs_budget), why
    assert r["vs_sum"] == pytest.approx((1e6 / fa_rps) / 45.0), "the looser budget counts the upstream twice"
    assert r["vs_nginx_auth_basic"] == pytest.approx(fa_rps / 20)
    assert r["vs_authgate_reverse_proxy"] == pytest.approx(fa_rps / 40_000)
    assert _target(rows, "forward-auth-basic")["verdict"] == verdict, why


def test_forward_auth_target_is_na_without_its_companions_or_when_flagged():
    rows = [r for r in _forward_auth_rows(20_000) if r.scenario != "direct"]
    assert _target(rows, "forward-auth-basic")["verdict"] == "n/a (no clean rate for upstream in direct)"
    flagged = targets.forward_auth_ratios(_forward_auth_rows(20_000, flagged=True), "forward-auth-basic")
    assert flagged["rps"] is None and flagged["vs_budget"] is None, "a flagged run never gets a ratio"
    bearer = _target(rows, "forward-auth-bearer")["verdict"]
    assert bearer.startswith("n/a (no clean rate for nginx+authgate in forward-auth-bearer")


def test_forward_auth_report_lines():
    rows = _forward_auth_rows(20_000) + [_row("forward-auth-bearer", scenarios.FORWARD_AUTH, 25_000)]
    chosen = scenarios.select("direct,noauth,basic-bcrypt,bearer-rs256,forward-auth-basic,"
                              "forward-auth-bearer")
    text = report.table(chosen, rows)
    ratios = text.split("| authgate ratios |")[1]
    basic, bearer = [line for line in ratios.splitlines() if "Forward auth" in line]
    assert "1,000.00× nginx auth_basic (basic-bcrypt)" in basic
    assert "0.50× authgate as the reverse proxy (basic-bcrypt)" in basic
    assert "nginx: n/a (no JWT in nginx (nginx Plus only))" in bearer and "0.50× authgate" in bearer
    fa = report.forward_auth_table(chosen, rows).splitlines()
    assert len(fa) == 4
    # t(fa) 50, nginx plain 20, authgate 25, direct 5: budget 40, decision path +30, one hop +20, 50/40
    assert fa[2].startswith("| forward-auth-basic | 20,000 | 50.0 | 20.0 | 25.0 | 5.0 | 40.0 | +30.0 | +20.0 "
                            "| 1.25 |")
    assert fa[2].endswith("| 15.0 + 5.0 (9.0; 12.0) |")
    assert fa[3].startswith("| forward-auth-bearer | 25,000 | 40.0 | 20.0 | 20.0 | 5.0 | 35.0 | +20.0 "
                            "| +15.0 | 1.14 |")
    assert fa[3].endswith("| – + – (9.0; –) |"), "no CPU figures where none were measured"
    assert report.forward_auth_table(scenarios.select("noauth"), rows) == ""
    alone = report.table(scenarios.select("forward-auth-basic"), rows[-2:-1])
    assert ("nginx in basic-bcrypt: not in this run; authgate in basic-bcrypt: not in this run"
            in alone), "says which companion scenario to add"


def test_forward_auth_scenarios_need_their_companions():
    chosen = scenarios.select("forward-auth-basic,forward-auth-bearer,noauth")
    assert scenarios.companions(chosen) == ["direct", "basic-bcrypt", "bearer-rs256"]
    assert scenarios.companions(scenarios.select("basic-bcrypt")) == []
    for s in chosen[1:]:
        assert s.servers == (scenarios.FORWARD_AUTH,) and s.fragment == "forward-auth"
        assert scenarios.BY_ID[s.forward_auth].path == s.path, "the request of its reverse-proxy scenario"
        assert scenarios.BY_ID[s.forward_auth].credentials == s.credentials


@pytest.mark.parametrize("server_list, runs, why", [
    (["authgate", "nginx"], True, "both of its servers selected"),
    ([scenarios.FORWARD_AUTH], True, "named"),
    (["authgate"], False, "no nginx"),
    (["nginx", "haproxy"], False, "no authgate"),
])
def test_forward_auth_participation(server_list, runs, why):
    s = scenarios.BY_ID["forward-auth-basic"]
    names, rows = runner.participants(s, server_list, "")
    assert (names == [scenarios.FORWARD_AUTH]) == runs and not rows, why
    names, rows = runner.participants(s, server_list, "no binary")
    if runs:
        assert names == [] and rows[0].outcome == "n/a" and rows[0].note == "no binary", "needs authgate"


class _Part:
    def __init__(self, name, port, log):
        self.name, self.port, self.log = name, port, log

    def wait_ready(self, timeout_s):
        self.log.append(("ready", self.name))

    def rss_kib(self):
        return 100 if self.name == "nginx" else 10

    def cpu_by_part(self):
        return {self.name: 1.5}

    def stop(self):
        self.log.append(("stop", self.name))


def test_chain_loads_the_front_and_stops_it_first():
    log = []
    chain = processes.Chain("nginx+authgate", [_Part("authgate", 1, log), _Part("nginx", 2, log)])
    chain.wait_ready(5)
    assert chain.port == 2 and chain.rss_kib() == 110
    assert chain.cpu_by_part() == {"authgate": 1.5, "nginx": 1.5}
    chain.stop()
    assert log == [("ready", "authgate"), ("ready", "nginx"), ("stop", "nginx"), ("stop", "authgate")]


def test_cpu_per_request():
    before, after = {"nginx": 1.0, "authgate": 2.0}, {"nginx": 1.5, "authgate": 2.1}
    assert runner.cpu_per_request(before, after, 50_000) == {"nginx": 10.0, "authgate": 2.0}
    assert runner.cpu_per_request({"a": 1.0}, {"a": 2.0}, 0) == {}, "nothing completed"
    assert runner.cpu_per_request({"a": 1.0}, {}, 10) == {}, "the process exited"
    assert processes._cpu_seconds(os.getpid()) > 0 and processes._cpu_seconds(2 ** 22 + 7) == 0.0
