"""One measurement: a fresh server under callgrind, one connection, warm-up, zero, N requests, dump."""

import os
import subprocess
import time

from . import callgrind, httpclient, procs, servers

WARMUP_REQUESTS = 50
SETTLE_S = 0.3       # lets the server finish the tail of the last request (access log line) before zero/dump
CONTROL_TIMEOUT_S = 120.0


class MeasureError(Exception):
    """A wrong response, a closed connection, or a callgrind_control that failed."""


def callgrind_control(tool, action, pid):
    """`callgrind_control --zero PID` / `--dump=REASON PID`; raises unless it reports OK."""
    argv = [tool, action, str(pid)]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=CONTROL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise MeasureError(f"{' '.join(argv)} did not answer within {CONTROL_TIMEOUT_S:.0f} s") from None
    out = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or "OK" not in out:
        raise MeasureError(f"{' '.join(argv)} failed ({done.returncode}): {out}")


def send(conn, kind, request, count, phase, statuses):
    """Sends the request count times, one after another; every response must be the expected one."""
    for i in range(count):
        try:
            response = conn.exchange(request, kind.method)
        except (OSError, httpclient.ProtocolError) as e:
            raise MeasureError(f"{kind.name}: {phase} request {i + 1}/{count}: {e}") from None
        statuses[response.status] = statuses.get(response.status, 0) + 1
        problem = kind.check(response)
        if problem:
            raise MeasureError(f"{kind.name}: {phase} request {i + 1}/{count}: {problem}")
    if conn.reader.buffered:
        raise MeasureError(f"{kind.name}: {conn.reader.buffered} bytes arrived after the last {phase} response")


def measure(server, kind, requests, run_dir, tools, upstream_port, credentials):
    """Returns the result of one (server, kind): Ir and allocations, per request and in total."""
    started = time.monotonic()
    target = servers.start_under_callgrind(server, kind.name, run_dir, tools, upstream_port)
    pid = target.process.pid
    ready_s = time.monotonic() - started
    request = kind.request_bytes(credentials)
    conn = httpclient.Connection(target.process.port)
    warm_statuses, statuses = {}, {}
    try:
        send(conn, kind, request, WARMUP_REQUESTS, "warm-up", warm_statuses)
        time.sleep(SETTLE_S)
        callgrind_control(tools["callgrind_control"], "--zero", pid)
        t0 = time.monotonic()
        send(conn, kind, request, requests, "measured", statuses)
        measured_s = time.monotonic() - t0
        time.sleep(SETTLE_S)
        callgrind_control(tools["callgrind_control"], f"--dump={kind.name}", pid)
    except MeasureError as e:
        if not target.process.alive():
            raise MeasureError(f"{e} ({target.process.name} exited: "
                               f"{procs.log_tail(target.process.log_path)})") from None
        raise
    finally:
        conn.close()
        target.process.stop()
    dump = callgrind.find_dump(target.out_file, pid, kind.name)
    profile = callgrind.parse_file(dump)
    ir = profile.event("Ir")
    allocations = profile.allocations
    return {
        "server": server,
        "kind": kind.name,
        "description": kind.description,
        "requests": requests,
        "warmup_requests": WARMUP_REQUESTS,
        "request_bytes": len(request),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "ir_total": ir,
        "ir_summary_line": profile.event("Ir", source="summary"),
        "ir_per_request": ir / requests,
        "allocations_total": allocations,
        "allocations_per_request": allocations / requests,
        "allocations_by_function": dict(sorted(profile.alloc_calls.items())),
        "top_allocating_callers": [
            {"call": name, "per_request": round(n / requests, 3)}
            for name, n in profile.allocating_callers().most_common(15)],
        "dump_file": os.path.basename(dump),
        "seconds": {"start_to_listening": round(ready_s, 1), "measured_requests": round(measured_s, 2),
                    "total": round(time.monotonic() - started, 1)},
    }
