"""The forward-auth examples (examples/forward-auth/<proxy>/, docs/forward-auth.md): every authgate.yaml
passes `authgate check`, and each front proxy's own file passes that proxy's own check: `nginx -t`,
`caddy validate` and `haproxy -c` (with the haproxy-auth-request Lua script, which Debian does not
package, replaced by a stand-in that registers the same two actions). Traefik and Envoy are not packaged
in Debian either: their files are read as YAML and checked against authgate.yaml (address, port, style,
path prefix, identity headers). Caddy and HAProxy are skipped where they are not installed."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.gateway import REPO, run_cli

EXAMPLES = REPO / "examples" / "forward-auth"
# (front proxy, the original_request style its authgate.yaml must use)
STYLES = [("nginx", "x-original"), ("caddy", "x-forwarded"), ("traefik", "x-forwarded"),
          ("envoy", "envoy"), ("haproxy", "x-forwarded")]
PROXIES = [proxy for proxy, _ in STYLES]
ROUTES = ("public", "admin", "app")
IDENTITY = ("x-auth-user", "x-auth-groups", "x-auth-scheme")
AUTHGATE = "127.0.0.1:9091"
NGINX = "/usr/sbin/nginx"
CADDY = "/usr/bin/caddy"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"

# Registers what haproxy.cfg calls, with haproxy-auth-request's argument counts; does nothing else.
LUA_STAND_IN = """\
core.register_action("auth-request", { "http-req" }, function(txn, be, path) end, 2)
core.register_action("auth-intercept", { "http-req" }, function(txn, be, path, method, hdr_req, hdr_succeed,
  hdr_fail) end, 6)
"""


def authgate_yaml(proxy: str) -> str:
    return (EXAMPLES / proxy / "authgate.yaml").read_text()


def setting(text: str, key: str) -> str:
    """The value of the one `key: value` line of `text` (comments stripped)."""
    found = re.findall(rf"^\s*{key}:\s*([^\s#]+)", text, flags=re.M)
    assert len(found) == 1, f"{key}: {found}"
    return found[0]


def run(args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, **kwargs)


def test_there_is_one_folder_per_front_proxy():
    assert sorted(path.name for path in EXAMPLES.iterdir() if path.is_dir()) == sorted(PROXIES)


@pytest.mark.parametrize("proxy", PROXIES)
def test_authgate_check_accepts_the_example_without_warnings(proxy):
    """Relative store paths resolve against the file's own folder: checked from another directory."""
    result = run_cli(["check", "--config", EXAMPLES / proxy / "authgate.yaml"], cwd="/")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "", "no warnings"
    for route in ROUTES:
        assert re.search(rf"^{route}\s", result.stdout, flags=re.M), f"route {route} in the table"


@pytest.mark.parametrize("proxy,style", STYLES)
def test_each_example_reads_the_original_request_in_its_front_proxys_style(proxy, style):
    text = authgate_yaml(proxy)
    assert setting(text, "original_request") == style
    assert setting(text, "address") == "127.0.0.1" and setting(text, "port") == "9091"
    assert ("nginx_compat: true" in text) == (proxy == "nginx"), "nginx_compat only for nginx"


def test_nginx_accepts_nginx_conf(tmp_path):
    """nginx.conf names its pid file and temp paths relative to the prefix, so -p keeps nginx -t out of
    /etc and /var; -e: the error log before the file is read."""
    conf = EXAMPLES / "nginx" / "nginx.conf"
    result = run([NGINX, "-t", "-p", f"{tmp_path}/", "-e", "stderr", "-c", conf])
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    text = conf.read_text()
    assert f"server {AUTHGATE};" in text
    for field in ("X-Original-URL", "X-Original-Method"):
        assert re.search(rf"proxy_set_header {field} ", text), f"nginx.conf sets {field}"
    for name in ("X-Auth-User", "X-Auth-Groups", "X-Auth-Scheme", "Authorization"):
        assert re.search(rf"proxy_set_header {name} ", text), f"nginx.conf overwrites {name}"


@pytest.mark.skipif(not os.path.exists(CADDY), reason="caddy is not installed")
def test_caddy_validates_the_caddyfile_and_finds_it_formatted(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    caddyfile = EXAMPLES / "caddy" / "Caddyfile"
    result = run([CADDY, "validate", "--adapter", "caddyfile", "--config", caddyfile], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Valid configuration" in result.stdout + result.stderr
    assert "not formatted" not in result.stderr, "caddy fmt would change the Caddyfile"
    text = caddyfile.read_text()
    assert f"forward_auth {AUTHGATE}" in text
    assert re.search(r"copy_headers X-Auth-User X-Auth-Groups X-Auth-Scheme\n", text)


@pytest.mark.skipif(not os.path.exists(HAPROXY), reason="haproxy is not installed")
def test_haproxy_accepts_haproxy_cfg_with_a_stand_in_for_the_lua_script(tmp_path):
    """Everything but the script: the `lua-load` and `lua-prepend-path` lines are pointed at a stand-in
    that registers `auth-request` and `auth-intercept` with the script's argument counts."""
    (tmp_path / "auth-request.lua").write_text(LUA_STAND_IN)
    text = (EXAMPLES / "haproxy" / "haproxy.cfg").read_text()
    assert re.search(r"^\s*lua-load /usr/local/share/haproxy/auth-request\.lua$", text, flags=re.M)
    assert re.search(rf"^\s*server authgate {AUTHGATE}$", text, flags=re.M)
    text = re.sub(r"^(\s*lua-load) \S+$", rf"\1 {tmp_path}/auth-request.lua", text, flags=re.M)
    text = re.sub(r"^(\s*lua-prepend-path) \S+$", rf"\1 {tmp_path}/?/http.lua", text, flags=re.M)
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(text)
    result = run([HAPROXY, "-c", "-f", cfg])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration file is valid" in result.stdout + result.stderr


def test_traefik_forwards_auth_to_authgate_and_copies_the_identity_headers():
    yaml = pytest.importorskip("yaml")
    static = yaml.safe_load((EXAMPLES / "traefik" / "traefik.yml").read_text())
    assert (REPO / static["providers"]["file"]["filename"]).is_file(), "relative to the repository's top"
    dynamic = yaml.safe_load((EXAMPLES / "traefik" / "dynamic.yml").read_text())
    forward = dynamic["http"]["middlewares"]["authgate"]["forwardAuth"]
    assert forward["address"] == f"http://{AUTHGATE}/"
    assert forward["trustForwardHeader"] is False
    assert [name.lower() for name in forward["authResponseHeaders"]] == list(IDENTITY)
    router = dynamic["http"]["routers"]["app"]
    assert router["middlewares"][0] == "authgate"
    assert router["entryPoints"] == list(static["entryPoints"])


def test_envoy_asks_authgate_under_the_same_path_prefix_with_the_authorization_field():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((EXAMPLES / "envoy" / "envoy.yaml").read_text())
    manager = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    filters = {f["name"]: f.get("typed_config", {}) for f in manager["http_filters"]}
    assert list(filters)[-1] == "envoy.filters.http.router"
    authz = filters["envoy.filters.http.ext_authz"]
    service = authz["http_service"]
    assert service["path_prefix"] == setting(authgate_yaml("envoy"), "path_prefix")
    assert "authorization" in [p["exact"] for p in authz["allowed_headers"]["patterns"]]
    upstream = [p["exact"] for p in service["authorization_response"]["allowed_upstream_headers"]["patterns"]]
    assert upstream == list(IDENTITY)
    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    address = clusters[service["server_uri"]["cluster"]]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]
    socket = address["endpoint"]["address"]["socket_address"]
    assert f"{socket['address']}:{socket['port_value']}" == AUTHGATE
    assert service["server_uri"]["uri"] == f"http://{AUTHGATE}"


def test_every_example_names_only_example_data_that_exists():
    """The store files are shared in examples/data, whose README marks them as example data."""
    for proxy in PROXIES:
        for path in re.findall(r"^\s*(?:path|groups): (\S+)", authgate_yaml(proxy), flags=re.M):
            assert (EXAMPLES / proxy / path).resolve().is_file(), f"{proxy}: {path}"
            assert Path(path).parent.name == "data"
    assert "EXAMPLE" in (REPO / "examples" / "data" / "README.md").read_text()
