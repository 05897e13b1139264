"""The throttle scenarios (issue 16): the redis-server behind `state.redis`, the ban probe that shows a
throttle is really on, and Redis's own count of the commands a measured run sent it.

redis-server (Debian's) runs like every other server here: one process on a free 127.0.0.1 port, started
by the runner and stopped by pid, with no persistence (`--save ""`, no AOF) and its working directory in
the run directory. It is the first part of a Chain whose front is authgate (processes.Chain), so it is
listening before authgate connects, stopped after authgate, and its CPU time is reported apart.
"""

import base64
import socket

from . import http_probe
from .processes import Process

REDIS = "redis-server"      # the program, and the part's name in a Chain (CPU per request, stop order)
PROBE_USER = "throttle-probe"  # a name no store holds: each guess costs the fake hash, as a guesser's does
USER_FAILURES = 5           # templates/authgate-throttle.yaml's users.max_failures
BAN_PROBE_PATH = "/basic/bcrypt"  # every authgate config of the comparison has this Basic route


def redis_argv(port, workdir):
    return [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", workdir, "--loglevel", "warning", "--daemonize", "no"]


def redis_process(port, workdir, log_path):
    """A Process for redis-server (not started)."""
    return Process(REDIS, redis_argv(port, workdir), port, log_path)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def ban_probe(port, limit=USER_FAILURES):
    """'' when `limit` wrong passwords for one name get 401 and the next request for it gets 429; else why
    not. Without it a throttle scenario could measure a gateway whose throttle is off, or whose Redis does
    not answer (throttling fails open): a check that costs nothing."""
    statuses = [http_probe.probe(port, BAN_PROBE_PATH, _basic(PROBE_USER, f"guess-{n}"))[0]
                for n in range(limit + 1)]
    if statuses == [401] * limit + [429]:
        return ""
    return f"throttle not in force: {limit} wrong passwords then one more got {statuses}, not 401s then 429"


def _reply(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        head, _, body = data.partition(b"\r\n")
        if head.startswith(b"$") and len(body) >= int(head[1:]) + 2:
            return body[:int(head[1:])].decode()
        if head[:1] in (b"-", b"+"):
            break
    raise OSError(f"unexpected reply from Redis: {data[:80]!r}")


def parse_commandstats(text):
    """{command: (calls, usec)} from the `INFO commandstats` section (cmdstat_<name>:calls=N,usec=M,...)."""
    out = {}
    for line in text.splitlines():
        if not line.startswith("cmdstat_"):
            continue
        name, _, fields = line[len("cmdstat_"):].partition(":")
        values = dict(kv.split("=", 1) for kv in fields.split(",") if "=" in kv)
        out[name] = (int(values.get("calls", 0)), int(values.get("usec", 0)))
    return out


def commandstats(port):
    """Redis's counters so far, {command: (calls, usec)}; {} when it cannot be asked."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"INFO commandstats\r\n")
            return parse_commandstats(_reply(sock))
    except (OSError, ValueError):
        return {}


def per_request(before, after, requests):
    """{command: {calls, usec}} per request over one measured run (INFO itself left out); {} without data."""
    if not requests or not after:
        return {}
    out = {}
    for name, (calls, usec) in after.items():
        was_calls, was_usec = before.get(name, (0, 0))
        if name != "info" and calls > was_calls:
            out[name] = {"calls": round((calls - was_calls) / requests, 3),
                         "usec": round((usec - was_usec) / requests, 3)}
    return out
