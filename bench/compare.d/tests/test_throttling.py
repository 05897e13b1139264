"""Tests of bench/compare's throttle scenarios (issue 16): their configs, the ban probe, Redis's counters,
the ratios to the same request without throttling and their report lines.

    /usr/bin/python3 -m pytest bench/compare.d/tests
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

from loadbench import (load, processes, report, runner, scenarios, servers, targets,  # noqa: E402
                       throttling)

THROTTLED = [s for s in scenarios.SCENARIOS if s.throttle]


def test_each_throttle_scenario_is_its_unthrottled_twin_with_a_throttle():
    assert {s.id for s in THROTTLED} == {"basic-bcrypt-throttle", "basic-bcrypt-throttle-redis",
                                         "bearer-rs256-throttle", "bearer-rs256-throttle-redis"}
    for s in THROTTLED:
        twin = scenarios.BY_ID[s.unthrottled]
        assert (s.path, s.credentials, s.fragment, s.expect) == (twin.path, twin.credentials, twin.fragment,
                                                                  twin.expect), s.id
        assert s.servers == ("authgate",) and s.throttle in ("memory", "redis"), "authgate only"
        order = [x.id for x in scenarios.SCENARIOS]
        assert 0 < order.index(s.id) - order.index(twin.id) <= 2, "run right after its twin: same minute"


def test_throttle_scenarios_need_their_twin_in_the_run():
    chosen = scenarios.select("basic-bcrypt-throttle,basic-bcrypt-throttle-redis,bearer-rs256-throttle")
    assert scenarios.companions(chosen) == ["basic-bcrypt", "bearer-rs256"]
    assert scenarios.companions(scenarios.select("basic-bcrypt,basic-bcrypt-throttle")) == []


def _config(throttle, fragment="basic", redis_port=0):
    ctx = servers.Context(run_dir="/r", upstream_port=2, fx=None)
    return servers.authgate_config(ctx, 4321, fragment, throttle, redis_port)


@pytest.mark.parametrize("name, throttle, fragment, has_throttle, redis_url, why", [
    ("unthrottled_basic", "", "basic", False, None, "the twin: no section at all"),
    ("memory_basic", "memory", "basic", True, None, "counts in the process: no state section"),
    ("redis_basic", "redis", "basic", True, "redis://127.0.0.1:6390/0", "names the bench's own Redis"),
    ("redis_bearer", "redis", "bearer", True, "redis://127.0.0.1:6390/0", "Bearer counts addresses only"),
])
def test_throttle_config(name, throttle, fragment, has_throttle, redis_url, why):
    text = _config(throttle, fragment, 6390)
    assert ("\nthrottle:\n" in text) == has_throttle, why
    assert text.count("\nroutes:\n") == 1 and "port: 4321" in text
    if has_throttle:
        assert f"    max_failures: {throttling.USER_FAILURES}\n" in text, "what the ban probe relies on"
    assert ("\nstate:\n" in text) == (redis_url is not None), why
    if redis_url:
        assert f'    url: "{redis_url}"\n' in text and "    timeout: 250ms\n" in text


def _authgate_binary():
    for path in (os.environ.get("AUTHGATE_BIN", ""), os.path.join(REPO, "build", "release", "authgate"),
                 os.path.join(REPO, "build", "bench", "authgate")):
        if path and os.access(path, os.X_OK):
            return path
    return None


@pytest.mark.skipif(_authgate_binary() is None,
                    reason="no authgate binary (AUTHGATE_BIN, build/release or build/bench)")
@pytest.mark.parametrize("throttle, fragment", [("memory", "basic"), ("redis", "bearer")])
def test_throttle_config_passes_authgate_check(tmp_path, throttle, fragment):
    pytest.importorskip("jwt")
    from loadbench import fixtures
    fx = fixtures.prepare(str(tmp_path), 1, 0)
    ctx = servers.Context(run_dir=str(tmp_path), upstream_port=2, fx=fx)
    conf = tmp_path / "authgate.yaml"
    conf.write_text(servers.authgate_config(ctx, 4321, fragment, throttle, 6390))
    done = subprocess.run([_authgate_binary(), "check", "--config", str(conf)], capture_output=True,
                          text=True, timeout=60)
    if "state" in done.stderr and "unknown" in done.stderr:
        pytest.skip("this authgate binary predates state.redis")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name, statuses, note, why", [
    ("banned_after_the_limit", [401] * 5 + [429], "", "five wrong passwords, then the ban"),
    ("never_banned", [401] * 6, "throttle not in force", "throttle off, or Redis not answering (fails open)"),
    ("banned_too_early", [401] * 4 + [429, 429], "throttle not in force", "not the configured limit"),
    ("gateway_down", [0] * 6, "throttle not in force", "no answers at all"),
])
def test_ban_probe(monkeypatch, name, statuses, note, why):
    answers, sent = iter(statuses), []

    def probe(port, path, authorization=None, **_):
        sent.append((path, authorization))
        return next(answers), []

    monkeypatch.setattr(throttling.http_probe, "probe", probe)
    assert throttling.ban_probe(1234).startswith(note) if note else throttling.ban_probe(1234) == "", why
    assert len(sent) == 6 and len(set(sent)) == 6, "six distinct guesses"
    assert all(path == throttling.BAN_PROBE_PATH for path, _ in sent)


COMMANDSTATS = ("# Commandstats\r\n"
                "cmdstat_evalsha:calls=2000,usec=6000,usec_per_call=3.00,rejected_calls=0,failed_calls=0\r\n"
                "cmdstat_info:calls=3,usec=90,usec_per_call=30.00,rejected_calls=0,failed_calls=0\r\n"
                "cmdstat_ping:calls=1,usec=1,usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n")


def test_commandstats_per_request_leave_info_and_idle_commands_out():
    after = throttling.parse_commandstats(COMMANDSTATS)
    assert after["evalsha"] == (2000, 6000) and after["ping"] == (1, 1)
    before = {"evalsha": (0, 0), "info": (2, 60), "ping": (1, 1)}
    assert throttling.per_request(before, after, 1000) == {"evalsha": {"calls": 2.0, "usec": 6.0}}
    assert throttling.per_request(before, {}, 1000) == {}, "Redis could not be asked"
    assert throttling.per_request(before, after, 0) == {}, "nothing completed"


@pytest.mark.skipif(shutil.which(throttling.REDIS) is None, reason="no redis-server")
def test_a_real_redis_server_starts_counts_and_stops_by_pid():
    with tempfile.TemporaryDirectory() as workdir:
        redis = throttling.redis_process(processes.free_port(), workdir, os.path.join(workdir, "log"))
        redis.start()
        try:
            redis.wait_ready(10)
            before = throttling.commandstats(redis.port)
            for _ in range(3):
                with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as sock:
                    sock.sendall(b"PING\r\n")
                    assert sock.recv(16) == b"+PONG\r\n"
            counts = throttling.per_request(before, throttling.commandstats(redis.port), 3)
            assert counts["ping"]["calls"] == 1.0
        finally:
            redis.stop()
        assert redis.popen.poll() is not None and redis not in processes.REGISTRY._live


def _row(scenario, rps, p99_ms=2.0, outcome="ok", extra=None):
    requests = int(rps * 10)
    result = load.Result(requests=requests, duration_s=10.0, statuses={200: requests}, errors={}, p50_ms=1,
                         p99_ms=p99_ms, extra=extra or {})
    return runner.Row(scenario, "authgate", outcome, "", result)


def _rows(memory_rps, flagged=False):
    redis_extra = {"cpu_us_per_request": {"authgate": 30.0, throttling.REDIS: 12.0},
                   "redis_per_request": {"evalsha": {"calls": 2.0, "usec": 5.0}}}
    return [_row("basic-bcrypt", 40_000, extra={"cpu_us_per_request": {"authgate": 20.0}}),
            _row("basic-bcrypt-throttle", memory_rps, outcome="flagged" if flagged else "ok",
                 extra={"cpu_us_per_request": {"authgate": 21.0}}),
            _row("basic-bcrypt-throttle-redis", 20_000, p99_ms=5.0, extra=redis_extra)]


def _target(rows, start):
    return next(t for t in targets.evaluate(rows, None, None) if t["target"].startswith(start))


@pytest.mark.parametrize("name, memory_rps, flagged, verdict, why", [
    ("within_a_tenth", 38_000, False, "met", "0.95× the unthrottled rate"),
    ("exactly_nine_tenths", 36_000, False, "met", "the bar itself"),
    ("slower", 30_000, False, "MISSED", "0.75×"),
    ("flagged", 38_000, True, "n/a (no clean rate for authgate in basic-bcrypt-throttle)",
     "a throttle that is not in force measures nothing"),
])
def test_in_memory_throttle_target(name, memory_rps, flagged, verdict, why):
    target = _target(_rows(memory_rps, flagged), "Basic bcrypt-10, throttle in memory")
    assert target["verdict"] == verdict, why


def test_redis_ratio_is_reported_without_a_target():
    rows = _rows(38_000)
    r = targets.throttle_ratios(rows, "basic-bcrypt-throttle-redis")
    assert r["vs_unthrottled"] == pytest.approx(0.5) and r["p99_vs_unthrottled"] == pytest.approx(2.5)
    assert r["cpu_authgate_us"] == 30.0 and r["cpu_redis_us"] == 12.0
    assert r["cpu_authgate_unthrottled_us"] == 20.0
    assert not any("Redis" in t["target"] for t in targets.evaluate(rows, None, None))


def test_throttle_report_lines():
    rows = _rows(38_000)
    chosen = scenarios.select("basic-bcrypt,basic-bcrypt-throttle,basic-bcrypt-throttle-redis")
    ratios = report.table(chosen, rows).split("| authgate ratios |")[1]
    assert "| 0.95× without throttle (basic-bcrypt); p99 1.00× its |" in ratios
    assert "| 0.50× without throttle (basic-bcrypt); p99 2.50× its |" in ratios
    lines = report.throttle_table(chosen, rows).splitlines()
    assert len(lines) == 4
    assert lines[2] == ("| basic-bcrypt-throttle | memory | 38,000 (40,000) | 0.95 | 2.00 (2.00) | 1.00 "
                        "| 21.0 (20.0) | – | – |")
    assert lines[3] == ("| basic-bcrypt-throttle-redis | redis | 20,000 (40,000) | 0.50 | 5.00 (2.00) | 2.50 "
                        "| 30.0 (20.0) | 12.0 | 2.00 evalsha 5.0 µs |")
    assert report.throttle_table(scenarios.select("basic-bcrypt"), rows) == ""
    alone = report.table(scenarios.select("basic-bcrypt-throttle"), rows[1:2])
    assert "authgate in basic-bcrypt: not in this run" in alone, "says which twin to add"
