"""The printed tables (Markdown) and the JSON saved under bench/results/."""

import json
import os

from .kinds import KINDS

PROXIED_ALLOC_LIMIT = 5
CHALLENGE_ALLOC_LIMIT = 2


def _index(results):
    return {(r["server"], r["kind"]): r for r in results}


def _ratio(a, b):
    return a / b if b else None


def _markdown(header, rows):
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def ratios(results):
    """{kind: {"ir": authgate ÷ nginx, "allocations": …}} for the kinds both servers ran."""
    by = _index(results)
    out = {}
    for kind in KINDS:
        a, n = by.get(("authgate", kind)), by.get(("nginx", kind))
        if a and n:
            out[kind] = {"ir": _ratio(a["ir_per_request"], n["ir_per_request"]),
                         "allocations": _ratio(a["allocations_per_request"], n["allocations_per_request"])}
    return out


def targets(results):
    """The targets of the issue, each {target, value, limit, met} (met None: not measured in this run)."""
    by = _index(results)
    rows = []

    def ag(kind):
        return by.get(("authgate", kind))

    for kind in ("noauth", "401"):
        a, n = ag(kind), by.get(("nginx", kind))
        r = _ratio(a["ir_per_request"], n["ir_per_request"]) if a and n else None
        what = "proxied no-auth request" if kind == "noauth" else "401"
        rows.append({"target": f"instructions per {what}: authgate ≤ 1.0× nginx", "kind": kind,
                     "value": None if r is None else round(r, 3), "unit": "×", "limit": 1.0,
                     "met": None if r is None else r <= 1.0})
    base = ag("noauth")
    for kind in ("basic-cached", "bearer-rs256-cached"):
        a = ag(kind)
        r = _ratio(a["ir_per_request"], base["ir_per_request"]) if a and base else None
        rows.append({"target": f"instructions per {kind} request ≤ 1.1× authgate's no-auth", "kind": kind,
                     "value": None if r is None else round(r, 3), "unit": "×", "limit": 1.1,
                     "met": None if r is None else r <= 1.1})
    for name, kind in KINDS.items():
        a = ag(name)
        limit = PROXIED_ALLOC_LIMIT if kind.proxied else CHALLENGE_ALLOC_LIMIT
        what = "proxied request" if kind.proxied else "401"
        v = a["allocations_per_request"] if a else None
        rows.append({"target": f"allocations per {what} ({name}) ≤ {limit}", "kind": name,
                     "value": None if v is None else round(v, 3), "unit": "", "limit": limit,
                     "met": None if v is None else v <= limit})
    return rows


def _fmt_ratio(r):
    return "" if r is None else f"{r:.2f}×"


def table(results):
    rat = ratios(results)
    rows = []
    for r in results:
        ratio = rat.get(r["kind"]) if r["server"] == "authgate" else None
        rows.append([r["kind"], r["server"], f"{r['ir_per_request']:,.0f}", f"{r['allocations_per_request']:.2f}",
                     _fmt_ratio(ratio["ir"]) if ratio else "", _fmt_ratio(ratio["allocations"]) if ratio else ""])
    return _markdown(["kind", "server", "instructions/request", "allocations/request",
                      "Ir authgate ÷ nginx", "allocs authgate ÷ nginx"], rows)


def targets_table(rows):
    out = []
    for t in rows:
        value = "not measured" if t["value"] is None else f"{t['value']:g}{t['unit']}"
        verdict = "n/a" if t["met"] is None else ("met" if t["met"] else "MISSED")
        out.append([t["target"], value, verdict])
    return _markdown(["target", "value", "verdict"], out)


def result_path(repo, date, host, short_sha):
    """bench/results/<date>-<host>-<sha>-cost.json; -2, -3 … appended rather than overwriting a result."""
    base = os.path.join(repo, "bench", "results", f"{date}-{host}-{short_sha}-cost")
    path, n = base + ".json", 1
    while os.path.exists(path):
        n += 1
        path = f"{base}-{n}.json"
    return path


def save_json(path, document):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)
