"""Real front proxies for the forward-auth tests: Debian's nginx with `auth_request` and Debian's Caddy with
`forward_auth`, each one process on a free 127.0.0.1 port in front of an authgate decision listener and the
strict upstream, every file it writes in the test's temp dir.

nginx runs as one process (`master_process off; daemon off;`): pid file, temp paths and `error_log` under
the work dir, the error log at `info` so a failing test shows what nginx did. Caddy runs `caddy run --config
Caddyfile --adapter caddyfile` with `admin off`, `auto_https off`, its storage in the work dir and HOME /
XDG_* pointed there too. Caddy 2.6.2's Caddyfile has no `persist_config` (that came later), so it still
writes `autosave.json` — into XDG_CONFIG_HOME, inside the work dir, never the real home.

A proxy is registered in harness.gateway.LIVE while it runs, beside the authgate processes, so the report
hook of harness/fixtures.py attaches its logs to a failing test. It is stopped by its pid: SIGTERM, wait,
then SIGKILL to its process group; nothing is left behind."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from .gateway import LIVE
from .ports import free_port

NGINX = "/usr/sbin/nginx"
CADDY = "/usr/bin/caddy"


class FrontProxy:
    """One front-proxy process listening on 127.0.0.1:`port`; `log_path` is its own log (nginx's error_log,
    Caddy's JSON log on stderr)."""

    def __init__(self, label: str, args, workdir: Path, port: int, log_path: Path, env=None):
        self.label, self.port, self.workdir, self.log_path = label, port, workdir, log_path
        self.stdout_path = workdir / f"{label}.stdout"
        self.stderr_path = workdir / f"{label}.stderr"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.popen = subprocess.Popen([str(a) for a in args], stdout=out, stderr=err,
                                          stdin=subprocess.DEVNULL, cwd=workdir, env=env,
                                          start_new_session=True)
        LIVE.append(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stderr_text(self) -> str:
        """Its log (and whatever it printed on stderr before the log was open)."""
        text = self.stderr_path.read_text(errors="replace")
        if self.log_path != self.stderr_path and self.log_path.exists():
            text += self.log_path.read_text(errors="replace")
        return text

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def wait_listening(self, timeout: float = 15.0) -> "FrontProxy":
        """Waits until 127.0.0.1:`port` accepts a connection; fails at once if the process exited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                log = self.stderr_text()[-4000:]
                self.stop()
                raise AssertionError(f"{self.label} exited with {self.popen.returncode}:\n{log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise AssertionError(f"{self.label} did not listen on 127.0.0.1:{self.port} within {timeout}s")

    def stop(self, grace: float = 5.0):
        """SIGTERM (nginx: fast shutdown; Caddy: graceful within its grace_period), then SIGKILL to its
        group if it is still there after `grace` seconds (not reaped yet, so the group is still ours);
        always reaped. Neither proxy starts children here (nginx runs without a master)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=30)
        if self in LIVE:
            LIVE.remove(self)


# --- nginx auth_request ---------------------------------------------------------------------------

def nginx_conf(workdir: Path, port: int, authgate_port: int, app_port: int) -> str:
    """nginx.conf for one server on 127.0.0.1:`port`: the auth_request recipe of the forward-auth spec
    (nginx_compat answers, the 403 mapped back by X-Authgate-Status) as examples/forward-auth/nginx writes
    it — with Host, X-Forwarded-For ($remote_addr, over the client's) and Digest's Authentication-Info
    passed on — except that the app is spoken to in HTTP/1.1 with keep-alive (the strict upstream accepts
    nothing else)."""
    temp = {name: workdir / "nginx" / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    return f"""
master_process off;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {workdir}/nginx-access.log;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    upstream authgate {{ server 127.0.0.1:{authgate_port}; keepalive 8; }}
    upstream app {{ server 127.0.0.1:{app_port}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        location / {{
            auth_request /_authgate;
            auth_request_set $authgate_user   $upstream_http_x_auth_user;
            auth_request_set $authgate_groups $upstream_http_x_auth_groups;
            auth_request_set $authgate_scheme $upstream_http_x_auth_scheme;
            auth_request_set $authgate_status $upstream_http_x_authgate_status;
            auth_request_set $authgate_retry_after $upstream_http_retry_after;
            auth_request_set $authgate_info $upstream_http_authentication_info;
            error_page 403 = /_authgate_refused/$authgate_status;
            proxy_set_header X-Auth-User   $authgate_user;
            proxy_set_header X-Auth-Groups $authgate_groups;
            proxy_set_header X-Auth-Scheme $authgate_scheme;
            proxy_set_header Authorization "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            add_header Authentication-Info $authgate_info;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app;
        }}
        location = /_authgate {{
            internal;
            proxy_pass http://authgate;
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
            proxy_set_header X-Original-Method $request_method;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
        location = /_authgate_refused/400 {{ internal; return 400; }}
        location = /_authgate_refused/404 {{ internal; return 404; }}
        location = /_authgate_refused/429 {{
            internal; add_header Retry-After $authgate_retry_after always; return 429;
        }}
        location = /_authgate_refused/503 {{
            internal; add_header Retry-After $authgate_retry_after always; return 503;
        }}
        location ^~ /_authgate_refused/   {{ internal; return 403; }}
    }}
}}
"""


def start_nginx(workdir: Path, authgate_port: int, app_port: int) -> FrontProxy:
    """nginx's auth_request in front of the decision listener on `authgate_port` (original_request:
    x-original, nginx_compat: true) and the app on `app_port`, listening once this returns."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "nginx").mkdir(exist_ok=True)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_conf(workdir, port, authgate_port, app_port))
    error_log = workdir / "nginx-error.log"
    # -e: the log for what nginx says before it has read error_log (the compiled-in default is stderr).
    args = [NGINX, "-p", workdir, "-c", conf, "-e", error_log]
    return FrontProxy("nginx", args, workdir, port, error_log).wait_listening()


# --- Caddy forward_auth ---------------------------------------------------------------------------

# The site's handlers. "documented" is examples/forward-auth/caddy/Caddyfile: in a `route` (handlers in the
# order written), the client's identity fields and every field whose name holds '_' (nginx drops those by
# default; Caddy 2.6.2 passes `X_Auth_User` on, and CGI, WSGI and PHP read it as X-Auth-User) are removed
# before forward_auth, and Authorization after it. "minimal" is forward_auth and reverse_proxy alone: what
# copy_headers does by itself.
CADDY_RECIPES = {
    "documented": """	route {{
		request_header -X-Auth-User
		request_header -X-Auth-Groups
		request_header -X-Auth-Scheme
		request_header -*_*
		forward_auth 127.0.0.1:{authgate_port} {{
			uri /
			copy_headers X-Auth-User X-Auth-Groups X-Auth-Scheme
		}}
		request_header -Authorization
		reverse_proxy 127.0.0.1:{app_port}
	}}""",
    "minimal": """	forward_auth 127.0.0.1:{authgate_port} {{
		uri /
		copy_headers X-Auth-User X-Auth-Groups X-Auth-Scheme
	}}
	reverse_proxy 127.0.0.1:{app_port}""",
}


def caddyfile(workdir: Path, port: int, authgate_port: int, app_port: int, recipe: str = "documented") -> str:
    """A Caddyfile for one site on 127.0.0.1:`port`: forward_auth to the decision listener (Caddy sets
    X-Forwarded-Method/-Uri, its reverse_proxy X-Forwarded-For/-Proto/-Host; a 2xx copies the identity
    fields onto the request, anything else goes back to the client as it is), then reverse_proxy to the
    app, as CADDY_RECIPES[`recipe`] arranges them."""
    site = CADDY_RECIPES[recipe].format(authgate_port=authgate_port, app_port=app_port)
    return f"""{{
	admin off
	auto_https off
	grace_period 2s
	storage file_system {workdir}/caddy-storage
}}

http://:{port} {{
	bind 127.0.0.1
{site}
}}
"""


def start_caddy(workdir: Path, authgate_port: int, app_port: int, recipe: str = "documented") -> FrontProxy:
    """Caddy's forward_auth in front of the decision listener on `authgate_port` (original_request:
    x-forwarded) and the app on `app_port`, set up as CADDY_RECIPES[`recipe`]; listening once this returns."""
    workdir.mkdir(parents=True, exist_ok=True)
    home = workdir / "caddy-home"
    port = free_port()
    config = workdir / "Caddyfile"
    config.write_text(caddyfile(workdir, port, authgate_port, app_port, recipe))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache")}
    args = [CADDY, "run", "--config", config, "--adapter", "caddyfile"]
    proxy = FrontProxy("caddy", args, workdir, port, workdir / "caddy.stderr", env=env)
    return proxy.wait_listening()
