"""Command-line options of bench/compare and the two profiles (full and --quick)."""

import argparse
import datetime
import os
import socket
from dataclasses import dataclass

from .scenarios import SCENARIOS, SERVERS

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


@dataclass(frozen=True)
class Profile:
    connections: int
    duration_s: int
    warmup_s: int
    many_users: int        # users in the Basic rotation
    unique_tokens: int     # distinct RS256 tokens
    idle_connections: int
    openssl_seconds: int


FULL = Profile(connections=32, duration_s=10, warmup_s=2, many_users=1000, unique_tokens=100_000,
               idle_connections=10_000, openssl_seconds=3)
# Quick: 4 connections so that servers hashing bcrypt on their event loop (nginx, HAProxy: ~50 ms per
# request, the whole queue blocked meanwhile) still complete requests within 2 s on a busy machine.
QUICK = Profile(connections=4, duration_s=2, warmup_s=0, many_users=50, unique_tokens=5_000,
                idle_connections=1_000, openssl_seconds=1)


def _parser():
    p = argparse.ArgumentParser(
        prog="bench/compare",
        description="Side-by-side load comparison of authgate against nginx, HAProxy and lighttpd "
                    "(and Squid as a forward proxy, nginx auth_request in front of authgate; one worker each, wrk "
                    "with 1 thread, same load for "
                    "everyone). Full run: under 10 minutes on 2 cores; --quick: about a minute.")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 4 connections, 2 s per server, no warm-up, 50 users")
    p.add_argument("--scenarios", default="", help="comma-separated scenario ids (default: all; see --list)")
    p.add_argument("--servers", default=",".join(SERVERS),
                   help="comma-separated subset of " + ",".join(SERVERS))
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--authgate", default="", help="authgate binary (default: build build/bench/authgate)")
    p.add_argument("--no-build", action="store_true", help="do not run cmake; use the binary as it is")
    p.add_argument("--no-install", action="store_true",
                   help="fail instead of installing missing packages with apt-get")
    p.add_argument("--no-idle", action="store_true",
                   help="skip the RSS measurement with idle keep-alive connections")
    p.add_argument("--connections", type=int, help="override the connection count")
    p.add_argument("--duration", type=int, help="override the measured seconds per server")
    p.add_argument("--warmup", type=int, help="override the warm-up seconds per server")
    p.add_argument("--output", default="", help="JSON path (default: bench/results/<date>-<host>.json; "
                                                "--quick: /tmp/authgate-bench-quick.json)")
    p.add_argument("--keep", action="store_true", help="keep the run directory (configs, logs) under /tmp")
    return p


def parse(argv):
    """(options, profile) with overrides applied and server names checked."""
    opts = _parser().parse_args(argv)
    base = QUICK if opts.quick else FULL
    profile = Profile(connections=opts.connections or base.connections,
                      duration_s=opts.duration or base.duration_s,
                      warmup_s=base.warmup_s if opts.warmup is None else opts.warmup,
                      many_users=base.many_users, unique_tokens=base.unique_tokens,
                      idle_connections=base.idle_connections, openssl_seconds=base.openssl_seconds)
    opts.server_list = [s.strip() for s in opts.servers.split(",") if s.strip()]
    unknown = [s for s in opts.server_list if s not in SERVERS]
    if unknown:
        raise SystemExit(f"compare: unknown server(s) {', '.join(unknown)}; known: {', '.join(SERVERS)}")
    if not opts.output:
        stamp = datetime.date.today().isoformat()
        opts.output = ("/tmp/authgate-bench-quick.json" if opts.quick else
                       os.path.join(REPO, "bench", "results", f"{stamp}-{socket.gethostname()}.json"))
    return opts, profile


def describe_scenarios():
    return "\n".join(f"  {s.id:28} {s.title}" for s in SCENARIOS)
