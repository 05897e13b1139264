"""Ratios per scenario and the targets of issues 5, 13 and 14, computed from the rows of one run.

Only clean rows count: a flagged run (wrong statuses, socket errors) is never the best anchor and never
gives authgate a ratio. Ratios compare rates measured in the same run, on the same machine.
"""

from .scenarios import ANCHORS


def _ok(rows, scenario, server):
    for row in rows:
        if row.scenario == scenario and row.server == server and row.outcome == "ok":
            return row.result
    return None


def _best_anchor(rows, scenario):
    best = None
    for name in ANCHORS:
        result = _ok(rows, scenario, name)
        if result and (best is None or result.rps > best[1].rps):
            best = (name, result)
    return best


def _lowest_anchor_p99(rows, scenario):
    p99s = [(r.p99_ms, n) for n in ANCHORS if (r := _ok(rows, scenario, n))]
    return min(p99s) if p99s else None


def scenario_ratios(rows, scenario):
    """{vs_best_anchor, best_anchor, vs_own_noauth, vs_client_noauth, p99_vs_lowest_anchor} for authgate,
    None where unknown. vs_client_noauth: Digest only, against the Digest client's own plain GETs on the
    same server just before (no wrk in the ratio)."""
    mine, own = _ok(rows, scenario, "authgate"), _ok(rows, "noauth", "authgate")
    best, low = _best_anchor(rows, scenario), _lowest_anchor_p99(rows, scenario)
    client_noauth = mine.extra.get("client_noauth_rps") if mine else None
    return {
        "best_anchor": best[0] if best else None,
        "vs_best_anchor": mine.rps / best[1].rps if mine and best else None,
        "vs_own_noauth": mine.rps / own.rps if mine and own and scenario != "noauth" else None,
        "vs_client_noauth": mine.rps / client_noauth if client_noauth else None,
        "p99_anchor": low[1] if low else None,
        "p99_vs_lowest_anchor": mine.p99_ms / low[0] if mine and low and low[0] > 0 else None,
    }


_OWN = ("noauth", "authgate")
_OPENSSL = ("openssl", "rsa2048 verify")
_RATE_TARGETS = (  # (target, authgate's (scenario, server), reference, minimum ratio)
    ("no-auth ≥ 1.0× nginx", ("noauth", "authgate"), ("noauth", "nginx"), 1.0),
    ("no-auth ≥ 1.0× HAProxy", ("noauth", "authgate"), ("noauth", "haproxy"), 1.0),
    ("Basic bcrypt-10, same user ≥ 0.9× own no-auth", ("basic-bcrypt", "authgate"), _OWN, 0.9),
    ("Basic bcrypt-10, 1,000 users ≥ 0.9× own no-auth", ("basic-bcrypt-1000", "authgate"), _OWN, 0.9),
    ("Bearer RS256, repeated ≥ 0.9× own no-auth", ("bearer-rs256", "authgate"), _OWN, 0.9),
    ("Bearer ES256, repeated ≥ 0.9× own no-auth", ("bearer-es256", "authgate"), _OWN, 0.9),
    ("Bearer RS256, unique ≥ 1.2× HAProxy RS256 repeated", ("bearer-rs256-unique", "authgate"),
     ("bearer-rs256", "haproxy"), 1.2),
    ("Bearer RS256, unique ≥ 0.8× OpenSSL verify/s (one core)", ("bearer-rs256-unique", "authgate"),
     _OPENSSL, 0.8),
    ("Digest SHA-256 ≥ 0.9× own no-auth", ("digest-sha256", "authgate"), _OWN, 0.9),
    ("401 answers ≥ 1.0× nginx", ("unauthorized", "authgate"), ("unauthorized", "nginx"), 1.0),
    ("401 answers ≥ 1.0× HAProxy", ("unauthorized", "authgate"), ("unauthorized", "haproxy"), 1.0),
    # Issue 14 asks for the ratio and names no number; parity with the anchor it names is the bar here.
    ("Forward proxy Basic bcrypt-10 ≥ 1.0× Squid", ("forward-proxy-basic", "authgate"),
     ("forward-proxy-basic", "squid"), 1.0),
)


def _verdict(name, value, threshold, higher_is_better, missing=""):
    if value is None:
        return {"target": name, "value": None, "threshold": threshold, "verdict": f"n/a ({missing})"}
    met = value >= threshold if higher_is_better else value <= threshold
    return {"target": name, "value": round(value, 3), "threshold": threshold,
            "verdict": "met" if met else "MISSED"}


def _rate(rows, side, openssl):
    if side == _OPENSSL:
        return (openssl or {}).get("verify_per_s")
    result = _ok(rows, *side)
    return result.rps if result else None


def _rate_target(rows, openssl, target):
    name, mine, reference, threshold = target
    a, b = _rate(rows, mine, openssl), _rate(rows, reference, openssl)
    sides = ((mine, a), (reference, b))
    missing = [f"{server} in {scenario}" for (scenario, server), rate in sides if not rate]
    value = a / b if a and b else None
    return _verdict(name, value, threshold, True, "no clean rate for " + " and ".join(missing))


def evaluate(rows, openssl, idle):
    """The issue's targets, each {target, value, threshold, verdict}; n/a where a side did not run clean."""
    out = [_rate_target(rows, openssl, t) for t in _RATE_TARGETS]
    order = [r.scenario for r in rows]
    for scenario in sorted({r.scenario for r in rows if r.server == "authgate"}, key=order.index):
        ratio = scenario_ratios(rows, scenario)["p99_vs_lowest_anchor"]
        if ratio is not None:
            out.append(_verdict(f"p99 {scenario} ≤ lowest anchor p99", ratio, 1.0, False))
    mine = (idle or {}).get("authgate", {})
    measured = "rss_kib" in mine and mine.get("open") == 10000
    out.append(_verdict("RSS with 10,000 idle keep-alive connections ≤ 64 MiB",
                        mine["rss_kib"] / 1024 if measured else None, 64, False,
                        "not measured with 10,000 connections in this run"))
    return out
