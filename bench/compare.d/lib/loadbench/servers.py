"""How each server of the comparison is configured and started, each on its own free 127.0.0.1 port.

Every server gets ONE worker/thread: nginx `worker_processes 1`, HAProxy `nbthread 1`, lighttpd one
process, Squid one process (`-N`, `workers 1`) with one basic_ncsa_auth helper, authgate `io_threads: 1` +
`worker_threads: 1`. Configurations come from compare.d/templates.

`nginx+authgate` (the forward-auth scenarios) is two processes started together: authgate with a decision
listener (`authgate-forward-auth.yaml`), then one nginx process in front of it (`nginx-forward-auth.conf`:
`auth_request` to authgate, then `proxy_pass` to the upstream). The load goes to nginx.

A throttle scenario with its counts in Redis (issue 16) starts a redis-server first, waits until it
listens, then authgate with `state.redis` pointing at it: a Chain named `authgate` whose front is authgate.
"""

import os
import pwd
from dataclasses import dataclass

from . import fixtures, templates, throttling
from .processes import Chain, Process, free_port
from .scenarios import FORWARD_AUTH


@dataclass
class Context:
    """What every server configuration needs."""
    run_dir: str
    upstream_port: int
    fx: object                 # fixtures.Fixtures
    authgate_bin: str = ""     # empty when authgate is unavailable


def _values(ctx, port):
    return {"port": port, "upstream_port": ctx.upstream_port, "run_dir": ctx.run_dir,
            "issuer": fixtures.ISSUER, "audience": fixtures.AUDIENCE}


def _write_conf(ctx, name, text):
    path = os.path.join(ctx.run_dir, "conf", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def _log(ctx, label):
    path = os.path.join(ctx.run_dir, "logs", f"{label}.log")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def _nginx(ctx, label, template, values):
    os.makedirs(os.path.join(ctx.run_dir, "tmp"), exist_ok=True)
    conf = _write_conf(ctx, f"{label}.nginx.conf", templates.render(template, values))
    error_log = os.path.join(ctx.run_dir, "logs", f"{label}.nginx-early.log")
    return ["nginx", "-e", error_log, "-c", conf]


def _argv_upstream(ctx, port, label, scenario):
    return _nginx(ctx, label, "upstream.nginx.conf", _values(ctx, port))


def _argv_nginx(ctx, port, label, scenario):
    return _nginx(ctx, label, "nginx.conf", _values(ctx, port))


def _argv_haproxy(ctx, port, label, scenario):
    # HAProxy checks every userlist hash with crypt(3) while parsing its configuration: 1,000 bcrypt-10
    # entries cost it ~50 s of start-up, so the rotation users are listed only where they are used.
    lines = ctx.fx.many_lines if scenario and scenario.credentials == "basic-many" else ctx.fx.many_lines[:1]
    users = "\n".join(f"  user {line.split(':', 1)[0]} password {line.split(':', 1)[1]}" for line in lines)
    values = dict(_values(ctx, port), bcrypt_hash=ctx.fx.bcrypt_hash, many_userlist=users,
                  hs256_secret=ctx.fx.hs256_secret)
    conf = _write_conf(ctx, f"{label}.haproxy.cfg", templates.render("haproxy.cfg", values))
    return ["haproxy", "-db", "-f", conf]


def _argv_lighttpd(ctx, port, label, scenario):
    os.makedirs(os.path.join(ctx.run_dir, "www"), exist_ok=True)
    conf = _write_conf(ctx, f"{label}.lighttpd.conf", templates.render("lighttpd.conf", _values(ctx, port)))
    return ["lighttpd", "-D", "-f", conf]


def _argv_squid(ctx, port, label, scenario):
    # Squid started as root drops to its cache_effective_user (Debian: proxy), which must be able to
    # write its cache.log and pid file: they go to a directory of their own in the run directory.
    squid_dir = os.path.join(ctx.run_dir, label)
    os.makedirs(squid_dir, exist_ok=True)
    if os.geteuid() == 0:
        try:
            proxy = pwd.getpwnam("proxy")
            os.chown(squid_dir, proxy.pw_uid, proxy.pw_gid)
        except KeyError:
            os.chmod(squid_dir, 0o777)
    values = dict(_values(ctx, port), squid_dir=squid_dir)
    conf = _write_conf(ctx, f"{label}.squid.conf", templates.render("squid.conf", values))
    return ["squid", "-N", "-d", "1", "-f", conf]


def authgate_config(ctx, port, fragment, throttle="", redis_port=0):
    """The merged authgate YAML: base + Basic (for the no-auth route) + the scenario's fragment.

    forward-proxy: the fragment's proxy listener takes `port` (the one the load goes to); the base's
    reverse-proxy listener, which stays in the same process as in a mixed deployment, gets a spare port.
    forward-auth: the same with the decision listener on `port` (where nginx sends its subrequests), over
    the Basic and the Bearer routes. throttle (memory | redis): templates/authgate-throttle.yaml too, and
    for redis templates/authgate-state-redis.yaml naming 127.0.0.1:redis_port."""
    names = ["authgate-base.yaml", "authgate-basic.yaml"]
    if fragment in ("forward-proxy", "forward-auth"):
        if fragment == "forward-auth":
            names.append("authgate-bearer.yaml")
        spare = _values(ctx, free_port())
        texts = [templates.render(n, spare) for n in names]
        texts.append(templates.render(f"authgate-{fragment}.yaml", _values(ctx, port)))
        return templates.merge_yaml(texts)
    if fragment != "basic":
        names.append(f"authgate-{fragment}.yaml")
    texts = [templates.render(n, _values(ctx, port)) for n in names]
    if throttle:
        texts.append(templates.render("authgate-throttle.yaml", {"user_failures": throttling.USER_FAILURES}))
    if throttle == "redis":
        texts.append(templates.render("authgate-state-redis.yaml", {"redis_port": redis_port}))
    return templates.merge_yaml(texts)


def _argv_authgate(ctx, port, label, scenario, redis_port=0):
    fragment, throttle = (scenario.fragment, scenario.throttle) if scenario else ("basic", "")
    text = authgate_config(ctx, port, fragment, throttle, redis_port)
    conf = _write_conf(ctx, f"{label}.authgate.yaml", text)
    return [ctx.authgate_bin, "serve", "--config", conf]


_ARGV = {"upstream": _argv_upstream, "nginx": _argv_nginx, "haproxy": _argv_haproxy,
         "lighttpd": _argv_lighttpd, "squid": _argv_squid, "authgate": _argv_authgate}


def _launch_forward_auth(ctx, label, scenario):
    """authgate's decision listener, then nginx in front of it; a Chain whose port is nginx's."""
    decision_port = free_port()
    authgate = Process("authgate", _argv_authgate(ctx, decision_port, f"{label}-authgate", scenario),
                       decision_port, _log(ctx, f"{label}-authgate"))
    authgate.start()
    try:
        port = free_port()
        values = dict(_values(ctx, port), authgate_port=decision_port)
        nginx = Process("nginx", _nginx(ctx, label, "nginx-forward-auth.conf", values), port,
                        _log(ctx, f"{label}-nginx"))
        nginx.start()
    except Exception:
        authgate.stop()
        raise
    return Chain(FORWARD_AUTH, [authgate, nginx])


def _launch_with_redis(ctx, label, scenario):
    """redis-server, listening before authgate starts (so its first connection succeeds), then authgate
    with `state.redis` naming it; a Chain whose port is authgate's. Raises StartError if Redis fails."""
    workdir = os.path.join(ctx.run_dir, f"{label}-redis")
    os.makedirs(workdir, exist_ok=True)
    redis = throttling.redis_process(free_port(), workdir, _log(ctx, f"{label}-redis"))
    redis.start()
    try:
        redis.wait_ready(10)
        port = free_port()
        authgate = Process("authgate", _argv_authgate(ctx, port, label, scenario, redis.port), port,
                           _log(ctx, label))
        authgate.start()
    except Exception:
        redis.stop()
        raise
    return Chain("authgate", [redis, authgate])


def launch(ctx, server, label, scenario=None):
    """Starts one server on a fresh port without waiting; the caller waits with start_timeout()."""
    if server == FORWARD_AUTH:
        return _launch_forward_auth(ctx, label, scenario)
    if server == "authgate" and scenario and scenario.throttle == "redis":
        return _launch_with_redis(ctx, label, scenario)
    port = free_port()
    process = Process(server, _ARGV[server](ctx, port, label, scenario), port, _log(ctx, label))
    process.start()
    return process


def start_timeout(server, scenario, ctx):
    """Seconds to wait for a server to listen: HAProxy needs ~50 ms per bcrypt userlist entry."""
    if server == "haproxy" and scenario and scenario.credentials == "basic-many":
        return 30 + 0.2 * len(ctx.fx.many_lines)
    return 30


def start(ctx, server, label, scenario=None):
    """Starts one server on a fresh port and waits until it listens; raises processes.StartError."""
    process = launch(ctx, server, label, scenario)
    try:
        process.wait_ready(start_timeout(server, scenario, ctx))
    except Exception:
        process.stop()
        raise
    return process
