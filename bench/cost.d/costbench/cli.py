"""Command line of bench/cost: options, the run (upstream, then one fresh server per kind), the report."""

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time

from . import env, fixtures, kinds, measure, procs, report, servers


def _log(message):
    print(f"cost: {message}", file=sys.stderr, flush=True)


def _csv(allowed, what):
    def parse(text):
        items = [x.strip() for x in text.split(",") if x.strip()]
        unknown = [x for x in items if x not in allowed]
        if unknown or not items:
            raise argparse.ArgumentTypeError(f"unknown {what} {', '.join(unknown) or '(none)'}; "
                                             f"choose from {', '.join(allowed)}")
        return items
    return parse


def parse_args(argv, repo):
    p = argparse.ArgumentParser(
        prog="bench/cost",
        description="Instructions (callgrind Ir) and heap allocations per request, authgate and nginx. "
                    "See bench/cost.d/README.md.")
    p.add_argument("--authgate", default=os.path.join(repo, "build", "release", "authgate"),
                   help="authgate binary (default: build/release/authgate; never built by this tool)")
    p.add_argument("--kinds", type=_csv(list(kinds.KINDS), "kind"), default=list(kinds.KINDS),
                   help=f"comma-separated request kinds (default: {','.join(kinds.KINDS)})")
    p.add_argument("--servers", type=_csv(list(kinds.SERVERS), "server"), default=list(kinds.SERVERS),
                   help="comma-separated servers (default: authgate,nginx; nginx runs noauth and 401 only)")
    p.add_argument("--requests", type=int, default=1000, help="measured requests per kind (default 1000)")
    p.add_argument("--out", default="", help="JSON path (default: bench/results/<date>-<host>-<sha>-cost.json)")
    p.add_argument("--keep", action="store_true", help="keep the run directory (configs, logs, callgrind dumps)")
    args = p.parse_args(argv)
    if args.requests < 1:
        p.error("--requests must be at least 1")
    args.authgate = os.path.abspath(args.authgate)
    if "authgate" in args.servers and not os.access(args.authgate, os.X_OK):
        p.error(f"{args.authgate} is not an executable (build it, or pass --authgate PATH)")
    return args


def plan(args):
    """[(server, Kind)] in run order: authgate's kinds, then nginx's."""
    return [(server, kinds.KINDS[name]) for server in kinds.SERVERS if server in args.servers
            for name in args.kinds if server in kinds.KINDS[name].servers]


def run(args, repo):
    started = time.monotonic()
    steps = plan(args)
    if not steps:
        _log("nothing to measure: nginx answers only noauth and 401")
        return 2
    tools = env.ensure_tools(_log)
    tools["authgate"] = args.authgate
    binary = env.binary_identity(args.authgate) if "authgate" in args.servers else None
    run_dir = tempfile.mkdtemp(prefix="authgate-cost-")
    _log(f"run directory {run_dir}" + (" (kept)" if args.keep else ""))
    results, ok = [], False
    try:
        credentials = fixtures.make_all(run_dir, args.authgate)
        upstream = servers.start_upstream(run_dir, tools["nginx"])
        _log(f"upstream nginx on 127.0.0.1:{upstream.port}")
        for server, kind in steps:
            _log(f"{server} {kind.name}: starting under callgrind, {measure.WARMUP_REQUESTS} warm-up + "
                 f"{args.requests} measured requests")
            r = measure.measure(server, kind, args.requests, run_dir, tools, upstream.port, credentials)
            _log(f"{server} {kind.name}: {r['ir_per_request']:,.0f} Ir/request, "
                 f"{r['allocations_per_request']:.2f} allocations/request ({r['seconds']['total']} s)")
            results.append(r)
        ok = True
    finally:
        procs.stop_all()
        if args.keep or not ok:
            _log(f"run directory kept: {run_dir}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)

    elapsed = time.monotonic() - started
    if binary and _stat_key(args.authgate) != (binary["bytes"], binary["mtime"]):
        binary["changed_during_run"] = True
        _log(f"WARNING: {args.authgate} was replaced during the run (rebuilt?): the kinds may have measured "
             f"different builds")
    target_rows = report.targets(results)
    print(report.table(results))
    print()
    print(report.targets_table(target_rows), flush=True)
    git = env.git_revision(repo)
    document = {
        "tool": "bench/cost",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git": git,
        "machine": env.machine(),
        "versions": env.versions(tools),
        "authgate_binary": binary,
        "method": {
            "requests": args.requests, "warmup_requests": measure.WARMUP_REQUESTS,
            "connection": "one keep-alive TCP connection per kind, one request in flight",
            "process": "a fresh server process under callgrind per (server, kind); "
                       "callgrind_control --zero after the warm-up, --dump after the measured requests",
            "callgrind": "valgrind --tool=callgrind --dump-instr=no --compress-strings=no (threads combined)",
            "ir": "the dump's totals: line (sum of all self costs), every thread, user space only",
            "allocations": "calls= into malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign, "
                           "valloc, except from those functions and glibc's malloc internals (_mid_memalign …)",
            "htpasswd": credentials["htpasswd_tool"],
            "bcrypt_cost": fixtures.BCRYPT_COST,
        },
        "results": results,
        "ratios_authgate_over_nginx": report.ratios(results),
        "targets": target_rows,
        "seconds_total": round(elapsed, 1),
    }
    out = args.out or report.result_path(repo, datetime.date.today().isoformat(),
                                         socket_host(), git["short"])
    report.save_json(out, document)
    shown = os.path.relpath(out, repo) if os.path.abspath(out).startswith(repo + os.sep) else out
    print()
    print(f"total time {elapsed:.0f} s; JSON: {shown}", flush=True)
    return 0


def _stat_key(path):
    try:
        b = os.stat(path)
    except OSError:
        return None
    return (b.st_size, datetime.datetime.fromtimestamp(b.st_mtime).astimezone().isoformat(timespec="seconds"))


def socket_host():
    return env.machine()["host"].split(".")[0]


def main(argv, repo):
    procs.install_signal_handlers()
    args = parse_args(argv, repo)
    try:
        return run(args, repo)
    except (measure.MeasureError, procs.StartError, RuntimeError, OSError) as e:
        _log(f"FAILED: {e}")
        return 1
