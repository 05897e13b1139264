"""One load run (1 thread, fixed connections and duration) and its result, read from wrk/report.lua's line.

wrk makes the load, except for Digest: there client/digest_load.cpp does (one nonce per connection, nc
counting up on it, a response computed per request), with wrk's shape and wrk's result line. Through a
forward proxy (an absolute-form path) wrk connects to the proxy and wrk/proxy.lua puts the target in the
request line, as a proxy client does.
"""

import json
import os
import subprocess
from dataclasses import dataclass, field

WRK_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "wrk"))


@dataclass
class Load:
    """How hard and how long: the same for every server in a run."""
    connections: int
    duration_s: int
    warmup_s: int
    timeout_s: int = 30
    digest_client: str = ""        # the built client/digest_load.cpp ("" when no Digest scenario runs)


@dataclass
class Result:
    requests: int
    duration_s: float
    statuses: dict                 # status code (int) → count
    errors: dict                   # connect/read/write/timeout/status → count (wrk's own counters)
    p50_ms: float
    p99_ms: float
    rss_kib: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def rps(self):
        return self.requests / self.duration_s if self.duration_s else 0.0

    def problems(self, expect):
        """Why this run does not count: answers other than `expect`, or socket errors. Empty when clean."""
        wrong = {code: n for code, n in self.statuses.items() if code != expect}
        out = [f"{n}x {code or 'no answer'}" for code, n in sorted(wrong.items())]
        out += [f"{n} {kind} errors" for kind, n in self.errors.items() if kind != "status" and n]
        if self.requests == 0:
            out.append("no requests completed")
        return out


def _script(credentials):
    if credentials in ("basic-many", "bearer-unique"):
        return os.path.join(WRK_DIR, "rotate.lua")
    return os.path.join(WRK_DIR, "report.lua")


def _parse(stdout):
    for line in stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            data = json.loads(line[len("WRK_RESULT "):])
            latency = data["latency_us"]
            return Result(requests=data["requests"], duration_s=data["duration_us"] / 1e6,
                          statuses={int(k): v for k, v in data["statuses"].items()}, errors=data["errors"],
                          p50_ms=latency["p50"] / 1000.0, p99_ms=latency["p99"] / 1000.0)
    raise RuntimeError(f"wrk printed no result line:\n{stdout[-2000:]}")


def _argv(port, path, load, seconds, credentials, header, script_args, field="Authorization"):
    if credentials == "digest":
        if not load.digest_client:
            raise RuntimeError("no Digest load client was built")
        return [load.digest_client, str(port), path, str(load.connections), str(seconds), str(load.timeout_s),
                *map(str, script_args)]
    url = f"http://127.0.0.1:{port}{path}"
    script = _script(credentials)
    if path.startswith("http://"):  # absolute-form: wrk talks to the proxy, the target is in the request line
        if script_args:
            raise ValueError("wrk/proxy.lua takes only the target: no rotation through a proxy")
        url, script, script_args = f"http://127.0.0.1:{port}/", os.path.join(WRK_DIR, "proxy.lua"), [path]
    argv = ["wrk", "-t1", f"-c{load.connections}", f"-d{seconds}s", f"--timeout={load.timeout_s}s",
            "-s", script]
    if header:
        argv += ["-H", f"{field}: {header}"]
    return argv + [url, "--", *map(str, script_args)]


def run(port, path, load, seconds, credentials, header=None, script_args=(), field="Authorization"):
    """Runs wrk (or the Digest client) for `seconds` against 127.0.0.1:port/path; returns its Result.
    An absolute-form path (`http://...`) goes through the server at port as a forward proxy."""
    argv = _argv(port, path, load, seconds, credentials, header, script_args, field)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + load.timeout_s + 60)
    if done.returncode != 0:
        tool = os.path.basename(argv[0])
        raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return _parse(done.stdout)
