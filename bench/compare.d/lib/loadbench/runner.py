"""One scenario: start its servers, probe, warm caches, run wrk against each in turn, stop them by pid."""

import threading
from dataclasses import dataclass
from typing import Optional

from . import clients, http_probe, load, scenarios, servers, throttling
from .processes import StartError

CACHING = ("authgate", "lighttpd")  # servers with a verified-credential cache worth warming
NOT_YET = "not supported yet"


@dataclass
class Row:
    scenario: str
    server: str
    outcome: str                      # ok | flagged | n/a | error
    note: str = ""
    result: Optional[load.Result] = None


def participants(scenario, wanted, authgate_missing):
    """(servers that run, n/a rows for the others) given the --servers choice and authgate's state."""
    names, rows = [], []
    for name in scenario.servers:
        if name != "upstream" and not scenarios.wanted(name, wanted):
            continue
        if name in scenario.unsupported:
            rows.append(Row(scenario.id, name, "n/a", scenario.unsupported[name]))
        elif name in scenarios.NEEDS_AUTHGATE and authgate_missing:
            rows.append(Row(scenario.id, name, "n/a", authgate_missing))
        else:
            names.append(name)
    return names, rows


def _cannot(scenario, name, why):
    """The row of a server that cannot take part: n/a for authgate's pending schemes, else an error."""
    if name == "authgate" and scenario.pending:
        return Row(scenario.id, name, "n/a", f"{NOT_YET}: {why}")
    return Row(scenario.id, name, "error", why)


def _launch_all(ctx, scenario, names, rows, upstream):
    launched = {}
    for name in names:
        if name == "upstream":
            launched[name] = upstream
            continue
        try:
            launched[name] = servers.launch(ctx, name, f"{scenario.id}-{name}", scenario)
        except (OSError, StartError) as exc:
            rows.append(_cannot(scenario, name, f"cannot start: {exc}"))
    return launched


def _probe(ctx, scenario, name, process, rows):
    """(client, note) after the good and the wrong probe; (None, _) with a row when it cannot take part."""
    try:
        client = clients.for_scenario(scenario, ctx.fx, process.port)
    except (LookupError, ValueError) as exc:
        rows.append(_cannot(scenario, name, str(exc)))
        return None, ""
    target, field = scenarios.target(scenario, ctx.upstream_port), scenarios.credential_field(scenario)
    status, _ = http_probe.probe(process.port, target, client.good_auth, field=field)
    if status != scenario.expect and name == "authgate" and scenario.pending:
        rows.append(_cannot(scenario, name, f"probe answered {status}"))
        return None, ""
    if status != scenario.expect and scenario.forward_proxy:
        return client, f"the probe with the right credential answered {status}"
    if client.wrong_auth is not None:
        wrong, _ = http_probe.probe(process.port, target, client.wrong_auth, field=field)
        refusal = scenarios.refusal(scenario)
        if 200 <= wrong < 300:
            return client, f"accepted a wrong credential (answered {wrong})"
        if refusal is not None and wrong != refusal:
            return client, f"a wrong credential got {wrong}, not {refusal}"
    if scenario.throttle:
        return client, throttling.ban_probe(process.port)
    return client, ""


def _prepare_one(ctx, scenario, name, process, rows, log):
    """Waits until the server listens, probes it and warms its cache; (client, note) or None."""
    try:
        process.wait_ready(servers.start_timeout(name, scenario, ctx))
    except StartError as exc:
        rows.append(_cannot(scenario, name, str(exc)))
        return None
    client, note = _probe(ctx, scenario, name, process, rows)
    if client is not None and scenario.warm_cache and name in CACHING:
        with open(ctx.fx.many_headers_file) as f:
            values = [line.strip() for line in f if line.strip()]
        counts = http_probe.warm(process.port, scenario.path, values)
        log(f"  {name:9} cache warmed with {len(values)} users: answers {dict(counts)}")
    return (client, note) if client is not None else None


def _prepare_all(ctx, scenario, launched, log):
    """Every server prepared in parallel (HAProxy's slow start overlaps the others' cache warming)."""
    results, rows = {}, {}

    def prepare(name, process):
        rows[name] = []
        results[name] = _prepare_one(ctx, scenario, name, process, rows[name], log)

    threads = [threading.Thread(target=prepare, args=item) for item in launched.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ready = {n: results[n] for n in launched if results.get(n) is not None}
    return ready, [row for n in launched for row in rows.get(n, [])]


def _measure(ctx, scenario, name, process, client, plan, probe_note):
    offset = 1 if client.offset_arg else 0  # the probe used the first credential / nc=1
    target, field = scenarios.target(scenario, ctx.upstream_port), scenarios.credential_field(scenario)

    def wrk(seconds):
        args = client.args + ([offset] if client.offset_arg else [])
        return load.run(process.port, target, plan, seconds, scenario.credentials, client.header, args, field)

    baseline = None
    if scenario.credentials == "digest":
        # The Digest client's plain GETs on the same server's no-auth route, just before its Digest run:
        # a ratio that neither the load tool nor the minute it ran in can bias (README, "Digest load").
        baseline = load.run(process.port, "/noauth", plan, plan.duration_s, "digest")
    if plan.warmup_s:
        offset += wrk(plan.warmup_s).requests
    redis = _redis_port(process)
    cpu_before, redis_before = process.cpu_by_part(), throttling.commandstats(redis) if redis else {}
    result = wrk(plan.duration_s)
    result.rss_kib = process.rss_kib()
    cpu = cpu_per_request(cpu_before, process.cpu_by_part(), result.requests)
    if cpu:
        result.extra["cpu_us_per_request"] = cpu
    if redis:
        after = throttling.commandstats(redis)
        result.extra["redis_per_request"] = throttling.per_request(redis_before, after, result.requests)
    if baseline is not None and not baseline.problems(200):
        result.extra["client_noauth_rps"] = round(baseline.rps, 1)
    problems = ([probe_note] if probe_note else []) + result.problems(scenario.expect)
    return Row(scenario.id, name, "flagged" if problems else "ok", "; ".join(problems), result)


def _redis_port(process):
    """The port of the redis-server part of a throttle scenario's Chain; 0 for any other server."""
    parts = getattr(process, "parts", ())
    return next((part.port for part in parts if part.name == throttling.REDIS), 0)


def cpu_per_request(before, after, requests):
    """{process: µs of CPU (user + kernel) per request} over one measured run; {} when nothing completed.
    nginx+authgate has two processes, each reported: nginx's share and the decision listener's."""
    if not requests:
        return {}
    return {name: round((after[name] - before[name]) / requests * 1e6, 2)
            for name in after if name in before and after[name] >= before[name]}


def run(ctx, scenario, names, plan, upstream, log=print):
    """All rows of one scenario; its servers are stopped before returning (also on error or Ctrl-C)."""
    rows = []
    launched = _launch_all(ctx, scenario, names, rows, upstream)
    try:
        ready, failed = _prepare_all(ctx, scenario, launched, log)
        rows += failed
        for name, (client, note) in ready.items():
            try:
                rows.append(_measure(ctx, scenario, name, launched[name], client, plan, note))
            except RuntimeError as exc:
                rows.append(Row(scenario.id, name, "error", str(exc)))
            log(f"  {summary(rows[-1])}")
    finally:
        for process in launched.values():
            if process is not upstream:
                process.stop()
    for row in rows:
        if row.result is None:
            log(f"  {summary(row)}")
    return rows


def summary(row):
    """One progress line for the terminal."""
    if row.result is None:
        return f"{row.server:9} {row.outcome}: {row.note}"
    r = row.result
    flag = f"  FLAGGED: {row.note}" if row.outcome == "flagged" else ""
    noauth = r.extra.get("client_noauth_rps")
    same = f"  (same client, no-auth: {noauth:.0f} req/s)" if noauth else ""
    return f"{row.server:9} {r.rps:10.0f} req/s  p50 {r.p50_ms:8.2f} ms  p99 {r.p99_ms:8.2f} ms{same}{flag}"
