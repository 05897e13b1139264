"""Ratios per scenario and the targets of issues 5, 13, 14, 15 and 16, computed from the rows of one run.

Only clean rows count: a flagged run (wrong statuses, socket errors) is never the best anchor and never
gives authgate a ratio. Ratios compare rates measured in the same run, on the same machine.

Forward auth (issue 15: "the decision path must add no more than one extra loopback round trip of cost")
is judged on per-request times, t = 1 / req/s of a row (µs; the whole machine's time per request at the
run's load, so CPU on either core counts):

    decision path = t(nginx+authgate, forward-auth-X) − t(nginx, noauth)          nginx auth_request's extra
    one hop       = t(authgate, <reverse-proxy scenario of X>) − t(upstream, direct)
                                                  one loopback round trip through authgate, same credential
    met when decision path ≤ one hop, i.e.  t(forward auth) ≤ t(nginx plain) + t(authgate) − t(direct):
    nginx asking authgate costs no more than chaining nginx → authgate (reverse proxy) → upstream.

The target's value is t(forward auth) ÷ that budget (≤ 1.0 is met). bench/README.md explains it.

Throttling (issue 16) is judged against the same request without throttling, in the same run: ≥ 0.9× its
rate with the counts in memory. With Redis the ratio is reported, with no target: the ban check is then a
round trip to another process on the same cores (throttle_ratios gives what it costs each process).
"""

from .scenarios import ANCHORS, BY_ID, FORWARD_AUTH, SCENARIOS
from .throttling import REDIS


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


def _us(result):
    return 1e6 / result.rps if result and result.rps > 0 else None


def _cpu(result, process):
    return (result.extra.get("cpu_us_per_request") or {}).get(process) if result else None


def forward_auth_ratios(rows, scenario):
    """A forward-auth scenario against the rows it is compared with (module docstring), None where a side
    did not run clean: {rps, reverse_proxy (scenario id), vs_nginx_auth_basic, vs_authgate_reverse_proxy,
    t_*_us (per-request times), decision_us, hop_us, budget_us, vs_budget, vs_sum, cpu_*_us, missing}.
    vs_sum is the looser budget t(nginx plain) + t(authgate), which counts the upstream twice."""
    rp = BY_ID[scenario].forward_auth
    mine = _ok(rows, scenario, FORWARD_AUTH)
    nginx_auth, authgate = _ok(rows, rp, "nginx"), _ok(rows, rp, "authgate")
    nginx_plain, direct = _ok(rows, "noauth", "nginx"), _ok(rows, "direct", "upstream")
    t_fa, t_ng, t_ag, t_dir = _us(mine), _us(nginx_plain), _us(authgate), _us(direct)
    sides = ((f"{FORWARD_AUTH} in {scenario}", t_fa), ("nginx in noauth", t_ng),
             (f"authgate in {rp}", t_ag), ("upstream in direct", t_dir))
    budget = t_ng + t_ag - t_dir if t_ng and t_ag and t_dir else None
    return {
        "reverse_proxy": rp,
        "rps": mine.rps if mine else None,
        "vs_nginx_auth_basic": mine.rps / nginx_auth.rps if mine and nginx_auth else None,
        "vs_authgate_reverse_proxy": mine.rps / authgate.rps if mine and authgate else None,
        "t_forward_auth_us": t_fa, "t_nginx_noauth_us": t_ng, "t_authgate_reverse_proxy_us": t_ag,
        "t_direct_us": t_dir,
        "decision_us": t_fa - t_ng if t_fa and t_ng else None,
        "hop_us": t_ag - t_dir if t_ag and t_dir else None,
        "budget_us": budget,
        "vs_budget": t_fa / budget if t_fa and budget and budget > 0 else None,
        "vs_sum": t_fa / (t_ng + t_ag) if t_fa and t_ng and t_ag else None,
        "cpu_nginx_us": _cpu(mine, "nginx"), "cpu_authgate_us": _cpu(mine, "authgate"),
        "cpu_nginx_noauth_us": _cpu(nginx_plain, "nginx"),
        "cpu_authgate_reverse_proxy_us": _cpu(authgate, "authgate"),
        "missing": [name for name, t in sides if not t],
    }


def _forward_auth_target(rows, scenario):
    s = BY_ID[scenario]
    r = forward_auth_ratios(rows, scenario)
    name = (f"{s.id}: per request ≤ nginx plain + authgate {s.forward_auth} − direct "
            "(decision path ≤ one loopback hop)")
    return _verdict(name, r["vs_budget"], 1.0, False, "no clean rate for " + " and ".join(r["missing"])
                    if r["missing"] else "budget not positive")


def throttle_ratios(rows, scenario):
    """A throttle scenario against its unthrottled twin (authgate in both), None where a side did not run
    clean: {unthrottled, rps, rps_unthrottled, vs_unthrottled, p99_ms, p99_unthrottled_ms,
    p99_vs_unthrottled, cpu_authgate_us, cpu_authgate_unthrottled_us, cpu_redis_us, redis_per_request}."""
    base = BY_ID[scenario].unthrottled
    mine, without = _ok(rows, scenario, "authgate"), _ok(rows, base, "authgate")
    return {
        "unthrottled": base,
        "rps": mine.rps if mine else None,
        "rps_unthrottled": without.rps if without else None,
        "vs_unthrottled": mine.rps / without.rps if mine and without else None,
        "p99_ms": mine.p99_ms if mine else None,
        "p99_unthrottled_ms": without.p99_ms if without else None,
        "p99_vs_unthrottled": mine.p99_ms / without.p99_ms if mine and without and without.p99_ms else None,
        "cpu_authgate_us": _cpu(mine, "authgate"),
        "cpu_authgate_unthrottled_us": _cpu(without, "authgate"),
        "cpu_redis_us": _cpu(mine, REDIS),
        "redis_per_request": mine.extra.get("redis_per_request") if mine else None,
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
    ("Basic bcrypt-10, throttle in memory ≥ 0.9× without throttle", ("basic-bcrypt-throttle", "authgate"),
     ("basic-bcrypt", "authgate"), 0.9),
    ("Bearer RS256, throttle in memory ≥ 0.9× without throttle", ("bearer-rs256-throttle", "authgate"),
     ("bearer-rs256", "authgate"), 0.9),
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
    out += [_forward_auth_target(rows, s.id) for s in SCENARIOS if s.forward_auth]
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
