"""The printed table (Markdown, pasted as is into bench/README.md) and the JSON saved under bench/results/."""

import json
import os

from . import targets
from .scenarios import SERVERS

_ORDER = ("upstream",) + SERVERS


def _fmt(value, pattern, empty="–"):
    return pattern.format(value) if value is not None else empty


def _short(note, limit=90):
    note = note.replace("|", "/")
    return note if len(note) <= limit else note[:limit - 1] + "…"


def _check(row):
    if row.outcome == "ok":
        return "ok"
    if row.outcome == "flagged":
        return f"**FLAGGED** ({_short(row.note)}); rate not counted"
    return f"{row.outcome} ({_short(row.note)})" if row.note else row.outcome


def _row_line(title, row):
    r = row.result
    rate = _fmt(r.rps if r else None, "{:,.0f}")
    if r and row.outcome == "flagged":
        rate = f"~~{rate}~~"
    cells = [title, row.server, rate, _fmt(r.p50_ms if r else None, "{:.2f}"),
             _fmt(r.p99_ms if r else None, "{:.2f}"), _fmt(r.rss_kib / 1024 if r else None, "{:.1f}"),
             _check(row)]
    return "| " + " | ".join(cells) + " |"


def _ratio_text(ratios):
    parts = []
    if ratios["vs_best_anchor"] is not None:
        parts.append(f"{ratios['vs_best_anchor']:.2f}× best anchor ({ratios['best_anchor']})")
    if ratios["vs_own_noauth"] is not None:
        parts.append(f"{ratios['vs_own_noauth']:.2f}× own no-auth")
    if ratios.get("vs_client_noauth") is not None:
        parts.append(f"{ratios['vs_client_noauth']:.2f}× own no-auth with the same client, back to back")
    if ratios["p99_vs_lowest_anchor"] is not None:
        parts.append(f"p99 {ratios['p99_vs_lowest_anchor']:.2f}× {ratios['p99_anchor']}'s")
    return "; ".join(parts) or "–"


def _absent(rows, scenario, server):
    """Why a side of a forward-auth ratio has no rate: not in the run, n/a (why), or not clean."""
    row = next((r for r in rows if r.scenario == scenario and r.server == server), None)
    if row is None:
        return f"{server} in {scenario}: not in this run"
    if row.outcome == "n/a":
        return f"{server}: n/a ({row.note})"
    return f"{server} in {scenario}: {row.outcome}, no ratio"


def _forward_auth_text(ratios, rows):
    """The ratio-table cell of a forward-auth scenario: to nginx auth_basic and to authgate as the reverse
    proxy, both from its reverse-proxy scenario of the same run."""
    rp = ratios["reverse_proxy"]
    first = (f"{ratios['vs_nginx_auth_basic']:,.2f}× nginx auth_basic ({rp})"
             if ratios["vs_nginx_auth_basic"] is not None else _absent(rows, rp, "nginx"))
    second = (f"{ratios['vs_authgate_reverse_proxy']:.2f}× authgate as the reverse proxy ({rp})"
              if ratios["vs_authgate_reverse_proxy"] is not None else _absent(rows, rp, "authgate"))
    return f"{first}; {second}"


def _us_cell(value, signed=False):
    return _fmt(value, "{:+.1f}" if signed else "{:.1f}")


def forward_auth_table(scenarios, rows):
    """Markdown: per forward-auth scenario, the per-request times of the round-trip check (µs, 1e6 ÷ req/s)
    and each process's CPU per request; "" when no forward-auth scenario ran."""
    chosen = [s for s in scenarios if s.forward_auth]
    if not chosen:
        return ""
    out = ["| Forward auth | req/s | µs per request | nginx plain | authgate reverse proxy | direct | "
           "budget (plain + reverse proxy − direct) | decision path (− nginx plain) | one authgate hop "
           "(reverse proxy − direct) | ÷ budget | "
           "CPU µs/req nginx + authgate (plain nginx; reverse proxy) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for s in chosen:
        r = targets.forward_auth_ratios(rows, s.id)
        cpu = (f"{_us_cell(r['cpu_nginx_us'])} + {_us_cell(r['cpu_authgate_us'])} "
               f"({_us_cell(r['cpu_nginx_noauth_us'])}; {_us_cell(r['cpu_authgate_reverse_proxy_us'])})")
        cells = [s.id, _fmt(r["rps"], "{:,.0f}"), _us_cell(r["t_forward_auth_us"]),
                 _us_cell(r["t_nginx_noauth_us"]), _us_cell(r["t_authgate_reverse_proxy_us"]),
                 _us_cell(r["t_direct_us"]), _us_cell(r["budget_us"]), _us_cell(r["decision_us"], True),
                 _us_cell(r["hop_us"], True), _fmt(r["vs_budget"], "{:.2f}"), cpu]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def _throttle_text(ratios, rows):
    """The ratio-table cell of a throttle scenario: to the same request without throttling, same run."""
    base = ratios["unthrottled"]
    if ratios["vs_unthrottled"] is None:
        return _absent(rows, base, "authgate")
    text = f"{ratios['vs_unthrottled']:.2f}× without throttle ({base})"
    if ratios["p99_vs_unthrottled"] is not None:
        text += f"; p99 {ratios['p99_vs_unthrottled']:.2f}× its"
    return text


def _redis_cell(per_request):
    """`2.00 evalsha 3.2 µs, 2.00 get 0.4 µs` per request, from Redis's INFO commandstats; – without Redis.
    Redis counts the commands a script calls on their own too, and a script's µs include theirs."""
    if not per_request:
        return "–"
    return ", ".join(f"{v['calls']:.2f} {name} {v['usec']:.1f} µs" for name, v in sorted(per_request.items()))


def throttle_table(scenarios, rows):
    """Markdown: per throttle scenario, its rate and p99 against the same request without throttling, CPU
    per request of authgate (and of redis-server) and Redis's commands per request; "" when none ran."""
    chosen = [s for s in scenarios if s.throttle]
    if not chosen:
        return ""
    out = ["| Throttle check | state | req/s (without) | ÷ without | p99 ms (without) | p99 ÷ without | "
           "CPU µs/req authgate (without) | CPU µs/req redis-server | Redis per request |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for s in chosen:
        r = targets.throttle_ratios(rows, s.id)
        cells = [s.id, s.throttle,
                 f"{_fmt(r['rps'], '{:,.0f}')} ({_fmt(r['rps_unthrottled'], '{:,.0f}')})",
                 _fmt(r["vs_unthrottled"], "{:.2f}"),
                 f"{_fmt(r['p99_ms'], '{:.2f}')} ({_fmt(r['p99_unthrottled_ms'], '{:.2f}')})",
                 _fmt(r["p99_vs_unthrottled"], "{:.2f}"),
                 f"{_us_cell(r['cpu_authgate_us'])} ({_us_cell(r['cpu_authgate_unthrottled_us'])})",
                 _us_cell(r["cpu_redis_us"]), _redis_cell(r["redis_per_request"])]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def table(scenarios, rows):
    """Markdown: one line per (scenario, server), then one line of authgate ratios per scenario."""
    out = ["| Scenario | Server | req/s | p50 ms | p99 ms | RSS MiB | Check |",
           "|---|---|---:|---:|---:|---:|---|"]
    ratio_lines = ["| Scenario | authgate ratios |", "|---|---|"]
    for s in scenarios:
        mine = sorted((r for r in rows if r.scenario == s.id), key=lambda r: _ORDER.index(r.server))
        for i, row in enumerate(mine):
            out.append(_row_line(s.title if i == 0 else "", row))
        if s.forward_auth:
            text = _forward_auth_text(targets.forward_auth_ratios(rows, s.id), rows)
            ratio_lines.append(f"| {s.title} | {text} |")
        elif s.throttle:
            ratio_lines.append(f"| {s.title} | {_throttle_text(targets.throttle_ratios(rows, s.id), rows)} |")
        elif s.id != "direct":
            ratio_lines.append(f"| {s.title} | {_ratio_text(targets.scenario_ratios(rows, s.id))} |")
    return "\n".join(out) + "\n\n" + "\n".join(ratio_lines)


def targets_table(evaluated):
    out = ["| Target | Value | Verdict |", "|---|---:|---|"]
    for t in evaluated:
        out.append(f"| {t['target']} | {_fmt(t['value'], '{:.2f}')} | {t['verdict']} |")
    return "\n".join(out)


def _row_json(row):
    data = {"scenario": row.scenario, "server": row.server, "outcome": row.outcome, "note": row.note}
    r = row.result
    if r:
        data.update(rps=round(r.rps, 1), p50_ms=round(r.p50_ms, 3), p99_ms=round(r.p99_ms, 3),
                    rss_kib=r.rss_kib, requests=r.requests, duration_s=round(r.duration_s, 3),
                    statuses={str(k): v for k, v in r.statuses.items()}, errors=r.errors, **r.extra)
    return data


def _ratios(rows, scenario):
    if scenario.forward_auth:
        return targets.forward_auth_ratios(rows, scenario.id)
    if scenario.throttle:
        return targets.throttle_ratios(rows, scenario.id)
    return targets.scenario_ratios(rows, scenario.id)


def save(path, meta, scenarios, rows, evaluated):
    """Writes the run as JSON: machine, versions, settings, rows, ratios per scenario, targets."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = dict(meta, rows=[_row_json(r) for r in rows],
                ratios={s.id: _ratios(rows, s) for s in scenarios if s.id != "direct"},
                targets=evaluated)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)
