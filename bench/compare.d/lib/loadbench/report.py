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


def table(scenarios, rows):
    """Markdown: one line per (scenario, server), then one line of authgate ratios per scenario."""
    out = ["| Scenario | Server | req/s | p50 ms | p99 ms | RSS MiB | Check |",
           "|---|---|---:|---:|---:|---:|---|"]
    ratio_lines = ["| Scenario | authgate ratios |", "|---|---|"]
    for s in scenarios:
        mine = sorted((r for r in rows if r.scenario == s.id), key=lambda r: _ORDER.index(r.server))
        for i, row in enumerate(mine):
            out.append(_row_line(s.title if i == 0 else "", row))
        if s.id != "direct":
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


def save(path, meta, scenarios, rows, evaluated):
    """Writes the run as JSON: machine, versions, settings, rows, ratios per scenario, targets."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = dict(meta, rows=[_row_json(r) for r in rows],
                ratios={s.id: targets.scenario_ratios(rows, s.id) for s in scenarios if s.id != "direct"},
                targets=evaluated)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)
