"""bench/compare: the whole run, from installing what is missing to the saved JSON."""

import os
import shutil
import sys
import tempfile
import time

from . import idle_rss, install, machine, processes, report, runner, scenarios, servers, settings, targets
from .load import Load


def _authgate(opts):
    """(binary, '') when `authgate serve` can run, else ('', why authgate rows are n/a)."""
    binary = opts.authgate or os.path.join(settings.REPO, "build", "bench", "authgate")
    if not opts.authgate and not opts.no_build:
        built, why = install.build_authgate(settings.REPO, os.path.dirname(binary))
        if why:
            return "", why
        binary = built
    why = install.authgate_ready(binary)
    return ("", why) if why else (binary, "")


def _plan_text(chosen, opts, profile):
    runs = sum(len(runner.participants(s, opts.server_list, "")[0]) for s in chosen)
    seconds = runs * (profile.duration_s + profile.warmup_s)
    return (f"{len(chosen)} scenarios, up to {runs} load runs of {profile.warmup_s} s warm-up + "
            f"{profile.duration_s} s, {profile.connections} connections, 1 thread (~{seconds // 60} min "
            f"{seconds % 60} s of load, plus cache warming)")


def _meta(opts, profile, authgate_bin, openssl, idle, started):
    return {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "mode": "quick" if opts.quick else "full",
        "machine": dict(opts.machine, loadavg_end=list(os.getloadavg())),
        "versions": machine.versions(settings.REPO, authgate_bin),
        "settings": {"connections": profile.connections, "duration_s": profile.duration_s,
                     "warmup_s": profile.warmup_s, "wrk_threads": 1, "rotation_users": profile.many_users,
                     "unique_tokens": profile.unique_tokens, "server_workers": 1,
                     "digest_load": "compare.d/client/digest_load.cpp, 1 thread, a nonce per connection"},
        "openssl_rsa2048": openssl,
        "idle_rss": idle,
        "elapsed_s": round(time.time() - started, 1),
    }


def _idle(ctx, opts, profile, authgate_missing):
    """RSS with idle keep-alive connections: authgate's (the target), nginx's for reference."""
    print(f"compare: idle keep-alive connections ({profile.idle_connections})")
    idle = {}
    if "authgate" in opts.server_list:
        idle["authgate"] = ({"skipped": authgate_missing} if authgate_missing else
                            idle_rss.measure(ctx, "authgate", profile.idle_connections))
    if "nginx" in opts.server_list:
        idle["nginx"] = idle_rss.measure(ctx, "nginx", profile.idle_connections)
    return idle


def _run_all(ctx, chosen, opts, profile, authgate_missing):
    digest = any(s.credentials == "digest" for s in chosen)
    plan = Load(profile.connections, profile.duration_s, profile.warmup_s,
                digest_client=install.build_digest_client() if digest else "")
    upstream = servers.start(ctx, "upstream", "upstream")
    ctx.upstream_port = upstream.port
    print(f"compare: OpenSSL alone, RSA-2048 on one core ({profile.openssl_seconds} s each for sign, verify)")
    openssl = machine.openssl_rsa2048(profile.openssl_seconds)
    rows = []
    for s in chosen:
        print(f"compare: {s.id}: {s.title}", flush=True)
        names, skipped = runner.participants(s, opts.server_list, authgate_missing)
        for row in skipped:
            print(f"  {runner.summary(row)}")
        rows += skipped
        rows += runner.run(ctx, s, names, plan, upstream)
    idle = None if opts.no_idle else _idle(ctx, opts, profile, authgate_missing)
    upstream.stop()
    return rows, openssl, idle


def _publish(opts, profile, chosen, rows, openssl, idle, authgate_bin, started):
    evaluated = targets.evaluate(rows, openssl, idle)
    meta = _meta(opts, profile, authgate_bin, openssl, idle, started)
    print()
    print(report.table(chosen, rows))
    print()
    for extra in (report.forward_auth_table(chosen, rows), report.throttle_table(chosen, rows)):
        if extra:
            print(extra)
            print()
    if openssl and "verify_per_s" in openssl:
        print(f"OpenSSL alone (one core): RSA-2048 verify {openssl['verify_per_s']:,.0f}/s, "
              f"sign {openssl['sign_per_s']:,.0f}/s")
    for server, data in (idle or {}).items():
        if "rss_kib" in data:
            print(f"Idle keep-alive connections: {server} {data['rss_kib'] / 1024:.1f} MiB with "
                  f"{data['open']} open ({data['baseline_rss_kib'] / 1024:.1f} MiB before)")
    print()
    print(report.targets_table(evaluated))
    report.save(opts.output, meta, chosen, rows, evaluated)
    print(f"\ncompare: saved {opts.output} ({meta['elapsed_s']:.0f} s)")


def _announce(opts, profile, chosen, authgate_missing):
    if authgate_missing:
        print(f"compare: authgate rows will be n/a: {authgate_missing}")
    opts.machine = machine.machine()
    load1 = opts.machine["loadavg_start"][0]
    if load1 > 1.5:
        print(f"compare: warning: load average {load1:.2f} > 1.5; figures will be noisy")
    print(f"compare: {_plan_text(chosen, opts, profile)}")
    missing = scenarios.companions(chosen)
    if missing:
        print(f"compare: note: the forward-auth and throttle ratios and their targets need "
              f"{', '.join(missing)} in the same run; they will be n/a")


def main(argv):
    sys.stdout.reconfigure(line_buffering=True)
    opts, profile = settings.parse(argv)
    if opts.list:
        print(settings.describe_scenarios())
        return 0
    chosen = scenarios.select(opts.scenarios)
    idle_rss.raise_fd_limit()
    processes.install_signal_handlers()
    install.ensure_packages(allowed=not opts.no_install)
    from . import fixtures  # needs python3-jwt and python3-cryptography, just installed if they were missing

    selected = "authgate" in opts.server_list
    authgate_bin, authgate_missing = _authgate(opts) if selected else ("", "not selected")
    _announce(opts, profile, chosen, authgate_missing)
    started = time.time()
    run_dir = tempfile.mkdtemp(prefix="authgate-bench-")
    os.chmod(run_dir, 0o755)  # readable by a server that drops privileges
    ok = False
    try:
        needs = {s.credentials for s in chosen}
        fx = fixtures.prepare(run_dir, profile.many_users,
                              profile.unique_tokens if "bearer-unique" in needs else 0)
        ctx = servers.Context(run_dir=run_dir, upstream_port=0, fx=fx, authgate_bin=authgate_bin)
        rows, openssl, idle = _run_all(ctx, chosen, opts, profile, authgate_missing)
        _publish(opts, profile, chosen, rows, openssl, idle, authgate_bin, started)
        ok = not any(r.outcome == "error" for r in rows)
    finally:
        processes.REGISTRY.stop_all()
        if ok and not opts.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            print(f"compare: configs and logs kept in {run_dir}", file=sys.stderr)
    return 0 if ok else 1
