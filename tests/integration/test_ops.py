"""Operations: the admin listener (/healthz, Prometheus /metrics), the JSON access log without credentials,
graceful SIGTERM, and the clear-text warning."""
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

from harness.fixtures import basic
from harness.passwords import ALICE
from harness.ports import free_port


def metric(text: str, name: str, labels: str = "") -> float:
    """The value of one Prometheus sample, 0 when absent."""
    pattern = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" ([0-9.e+]+)$"
    match = re.search(pattern, text, re.MULTILINE)
    return float(match[1]) if match else 0.0


def test_healthz_answers_on_the_admin_listener(gateway):
    response = requests.get(gateway.admin_url("/healthz"), timeout=10)
    assert response.status_code == 200


def test_metrics_are_prometheus_text(gateway):
    response = requests.get(gateway.admin_url("/metrics"), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "version=0.0.4" in response.headers["Content-Type"]
    assert "# TYPE authgate_requests_total counter" in response.text


def test_metrics_parse_as_the_text_format_with_process_and_route_families(gateway):
    """The whole exposition parses with the Prometheus client's own text-format parser (and promtool's
    lint where it is installed); the standard process families, the per-route histogram, the `code` label
    and the last-reload time are there with sane values."""
    from prometheus_client.parser import text_string_to_metric_families
    requests.get(gateway.url("/public"), timeout=10)
    deadline = time.monotonic() + 10
    while True:
        text = requests.get(gateway.admin_url("/metrics"), timeout=10).text
        if metric(text, "authgate_requests_total", 'route="public",code="200"') or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    families = {family.name: family for family in text_string_to_metric_families(text)}
    value = lambda name: families[name].samples[0].value  # noqa: E731
    assert 1 << 20 < value("process_resident_memory_bytes") < 1 << 30
    assert value("process_virtual_memory_bytes") > value("process_resident_memory_bytes")
    assert 3 < value("process_open_fds") < value("process_max_fds")
    assert 0 <= value("process_cpu_seconds") < 600  # the parser names counter families without _total
    assert time.time() - 600 < value("process_start_time_seconds") <= time.time() + 1
    assert time.time() - 600 < value("authgate_config_last_reload_success_timestamp_seconds") <= time.time() + 1
    assert families["process_cpu_seconds"].type == "counter"
    route_buckets = [s for s in families["authgate_route_request_duration_seconds"].samples
                     if s.name.endswith("_count") and s.labels == {"route": "public"}]
    assert [s.value for s in route_buckets] == [1.0]
    codes = {s.labels.get("code") for s in families["authgate_requests"].samples}
    assert "200" in codes
    assert all("status" not in s.labels for s in families["authgate_requests"].samples)
    promtool = shutil.which("promtool")
    if promtool:
        lint = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout + lint.stderr


def test_metrics_count_requests_by_route_status_and_reason(gateway):
    requests.get(gateway.url("/"), auth=(ALICE.name, ALICE.password), timeout=10)
    requests.get(gateway.url("/"), auth=(ALICE.name, "wrong"), timeout=10)
    requests.get(gateway.url("/public"), timeout=10)
    # The request record lands just after the response bytes: a fast client can ask /metrics first.
    deadline = time.monotonic() + 10
    while True:
        text = requests.get(gateway.admin_url("/metrics"), timeout=10).text
        if metric(text, "authgate_requests_total", 'route="public",code="200"') == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert metric(text, "authgate_requests_total", 'route="app",code="200"') == 1
    assert metric(text, "authgate_requests_total", 'route="app",code="401"') == 1
    assert metric(text, "authgate_requests_total", 'route="public",code="200"') == 1
    assert metric(text, "authgate_auth_outcomes_total", 'reason="wrong_password"') == 1


def test_ten_requests_cost_one_hash(gateway):
    """The verify cache: the same credentials ten times are hashed once (DESIGN.md)."""
    with requests.Session() as session:
        for _ in range(10):
            assert session.get(gateway.url("/"), auth=(ALICE.name, ALICE.password), timeout=10).status_code == 200
    text = requests.get(gateway.admin_url("/metrics"), timeout=10).text
    assert metric(text, "authgate_verify_cache_total", 'result="miss"') == 1
    assert metric(text, "authgate_verify_cache_total", 'result="hit"') == 9


def test_metrics_are_not_served_on_the_main_listener(gateway, upstream):
    response = requests.get(gateway.url("/metrics"), auth=(ALICE.name, ALICE.password), timeout=10)
    assert "authgate_requests_total" not in response.text
    assert [r["path"] for r in upstream.requests] == ["/metrics"], "/metrics on the main port is the app's"


# (id, auth, expected status, user, reason)
LOGGED = [
    ("an allowed request is logged with its user and reason ok", (ALICE.name, ALICE.password), 200, "alice", "ok"),
    ("a wrong password is logged as wrong_password without a user", (ALICE.name, "Wr0ng-Pa55"), 401, None,
     "wrong_password"),
    ("an unknown user is logged as unknown_user", ("mallory", "Wr0ng-Pa55"), 401, None, "unknown_user"),
    ("no credentials are logged as no_credentials", None, 401, None, "no_credentials"),
]


@pytest.mark.parametrize("auth, status, user, reason", [c[1:] for c in LOGGED], ids=[c[0] for c in LOGGED])
def test_access_log_line(gateway, auth, status, user, reason):
    assert requests.get(gateway.url("/docs?q=1"), auth=auth, timeout=10).status_code == status
    (entry,) = gateway.wait_for_access_log(1)
    assert {k: entry.get(k) for k in ("method", "path", "route", "status", "reason")} == {
        "method": "GET", "path": "/docs", "route": "app", "status": status, "reason": reason}
    assert (entry.get("user") or None) == user
    assert {"time", "client", "scheme", "upstream_us"} <= entry.keys()


def test_access_log_names_host_agent_protocol_and_the_client_apart(gateway):
    """The fields log pipelines and fail2ban expect: host, user agent, protocol, client address and port."""
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as sock:
        sock.sendall(b"GET /public/x HTTP/1.0\r\nHost: App.Example:8080\r\nUser-Agent: probe/1.0 \"q\"\r\n\r\n")
        while sock.recv(4096):
            pass
        port = sock.getsockname()[1]
    (entry,) = gateway.wait_for_access_log(1)
    assert {k: entry.get(k) for k in ("client", "client_ip", "client_port", "protocol", "host", "user_agent")} == {
        "client": f"127.0.0.1:{port}", "client_ip": "127.0.0.1", "client_port": port, "protocol": "HTTP/1.0",
        "host": "App.Example:8080", "user_agent": 'probe/1.0 "q"'}
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as sock:
        sock.sendall(b"GET /public/y HTTP/1.0\r\n\r\n")  # no Host, no User-Agent: null, not the upstream's
        while sock.recv(4096):
            pass
    (_, second) = gateway.wait_for_access_log(2)
    assert (second["host"], second["user_agent"], second["protocol"]) == (None, None, "HTTP/1.0")
    requests.get(gateway.url("/public/z"), timeout=10)
    (_, _, third) = gateway.wait_for_access_log(3)
    assert third["protocol"] == "HTTP/1.1" and third["user_agent"].startswith("python-requests/")


def test_no_credentials_anywhere_in_the_output(gateway):
    secrets = [ALICE.password, "Wr0ng-Pa55", basic(ALICE.name, ALICE.password).split()[1],
               basic(ALICE.name, "Wr0ng-Pa55").split()[1], basic("mallory", "Wr0ng-Pa55").split()[1]]
    requests.get(gateway.url("/"), auth=(ALICE.name, ALICE.password), timeout=10)
    requests.get(gateway.url("/"), auth=(ALICE.name, "Wr0ng-Pa55"), timeout=10)
    requests.get(gateway.url("/"), auth=("mallory", "Wr0ng-Pa55"), timeout=10)
    requests.get(gateway.url("/"), headers={"Authorization": "Basic !!" + secrets[2]}, timeout=10)
    gateway.wait_for_access_log(4)
    gateway.process.stop()
    output = gateway.process.stdout_text() + gateway.process.stderr_text()
    for secret in secrets:
        assert secret not in output


def test_sigterm_finishes_in_flight_requests_then_exits_zero(gateway):
    result = {}

    def slow_request():
        result["response"] = requests.get(gateway.url("/slow?s=2"), auth=(ALICE.name, ALICE.password),
                                          timeout=30)

    worker = threading.Thread(target=slow_request)
    worker.start()
    time.sleep(0.7)
    gateway.process.send_signal(signal.SIGTERM)
    worker.join(timeout=30)
    assert result["response"].status_code == 200
    assert gateway.process.wait_exit(timeout=15) == 0


def test_sigterm_with_only_idle_connections_exits_promptly(gateway):
    with requests.Session() as session:
        assert session.get(gateway.url("/public"), timeout=10).status_code == 200  # leaves a keep-alive open
        started = time.monotonic()
        gateway.process.send_signal(signal.SIGTERM)
        assert gateway.process.wait_exit(timeout=15) == 0
    assert time.monotonic() - started < 5, "idle keep-alive connections must not hold up shutdown"


def test_basic_on_a_non_loopback_listener_is_warned_about(launcher, config):
    config["listeners"] = [{"name": "exposed", "address": "0.0.0.0", "port": free_port()}]
    gateway = launcher.serve(config)
    stderr = gateway.process.stderr_text().lower()
    assert "warn" in stderr and ("clear" in stderr or "plain" in stderr or "tls" in stderr), stderr
