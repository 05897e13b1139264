"""TLS: a listener that terminates TLS 1.2/1.3 (certificates re-read on reload), and https upstreams with
certificate verification on by default."""
import signal
import socket
import ssl
import subprocess
import time

import pytest
import requests

from harness import certs
from harness.configs import CHALLENGE
from harness.passwords import ALICE
from harness.raw_http import RawConnection
from harness.upstream import EchoUpstream


@pytest.fixture
def pki(tmp_path):
    ca = certs.make_ca(tmp_path)
    return ca, certs.make_leaf(tmp_path, ca, "server", serial=1)


def serve_tls(launcher, config, leaf, **tls):
    config["listeners"][0]["tls"] = {"cert": str(leaf.cert), "key": str(leaf.key), **tls}
    return launcher.serve(config)


def curl(url: str, ca, *flags) -> tuple:
    """(exit status, HTTP status or 0) of curl against `url` trusting only `ca`."""
    result = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", str(ca), "-o", "/dev/null", "-w",
                             "%{http_code}", *flags, url], capture_output=True, text=True, timeout=60)
    return result.returncode, int(result.stdout or 0)


def served_serial(port: int, ca) -> int:
    context = ssl.create_default_context(cafile=str(ca))
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                             server_hostname="127.0.0.1") as sock:
        return int(sock.getpeercert()["serialNumber"], 16)


def test_tls_listener_challenges_and_admits(launcher, config, pki):
    ca, leaf = pki
    gateway = serve_tls(launcher, config, leaf)
    url = f"https://127.0.0.1:{gateway.port}/"
    denied = requests.get(url, verify=str(ca), timeout=20)
    assert (denied.status_code, denied.headers["WWW-Authenticate"]) == (401, CHALLENGE)
    admitted = requests.get(url, verify=str(ca), auth=(ALICE.name, ALICE.password), timeout=20)
    assert admitted.status_code == 200
    assert [v for k, v in admitted.json()["headers"] if k.lower() == "x-forwarded-proto"] == ["https"]


# (id, listener min_version, curl flags, whether the handshake succeeds)
VERSIONS = [
    ("TLS 1.2 is accepted by default", "1.2", ["--tlsv1.2", "--tls-max", "1.2"], True),
    ("TLS 1.3 is accepted by default", "1.2", ["--tlsv1.3"], True),
    ("TLS 1.1 is refused", "1.2", ["--tlsv1.1", "--tls-max", "1.1"], False),
    ("TLS 1.2 is refused with min_version 1.3", "1.3", ["--tlsv1.2", "--tls-max", "1.2"], False),
    ("TLS 1.3 is accepted with min_version 1.3", "1.3", ["--tlsv1.3"], True),
]


@pytest.mark.parametrize("minimum, flags, ok", [v[1:] for v in VERSIONS], ids=[v[0] for v in VERSIONS])
def test_tls_versions(launcher, config, pki, minimum, flags, ok):
    ca, leaf = pki
    gateway = serve_tls(launcher, config, leaf, min_version=minimum)
    code, status = curl(f"https://127.0.0.1:{gateway.port}/public", ca, *flags)
    assert (code == 0 and status == 200) == ok, f"curl exit {code}, status {status}"


def test_plain_http_on_a_tls_listener_is_not_served(launcher, config, pki, upstream):
    _, leaf = pki
    gateway = serve_tls(launcher, config, leaf)
    with RawConnection(gateway.port, timeout=10) as conn:
        conn.send(b"GET /public HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert conn.peer_closed(wait=5) or not conn.buffer.startswith(b"HTTP/1.1 200")
    assert upstream.requests == []


def test_certificates_are_re_read_on_reload(launcher, config, pki, tmp_path):
    ca, leaf = pki
    gateway = serve_tls(launcher, config, leaf)
    assert served_serial(gateway.port, ca) == 1
    renewed = certs.make_leaf(tmp_path, ca, "renewed", serial=2)
    leaf.cert.write_text(renewed.cert.read_text())
    leaf.key.write_text(renewed.key.read_text())
    gateway.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while served_serial(gateway.port, ca) != 2:
        assert time.monotonic() < deadline, "the renewed certificate was not served after SIGHUP"
        time.sleep(0.2)


@pytest.fixture
def tls_upstream(pki):
    _, leaf = pki
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(leaf.cert, leaf.key)
    server = EchoUpstream(tls=context).start()
    yield server
    server.stop()


def https_upstream_status(launcher, config, tls_upstream, tls: dict) -> int:
    config["upstreams"]["app"] = {"url": tls_upstream.url, "connect_timeout": "2s", "response_timeout": "10s",
                                  **({"tls": tls} if tls is not None else {})}
    gateway = launcher.serve(config)
    return requests.get(gateway.url("/public/x"), timeout=20).status_code


def test_https_upstream_verified_against_its_ca(launcher, config, pki, tls_upstream):
    ca, _ = pki
    assert https_upstream_status(launcher, config, tls_upstream, {"ca": str(ca)}) == 200
    assert tls_upstream.requests[0]["path"] == "/public/x"


@pytest.mark.parametrize("tls", [None, {"server_name": "wrong.example"}],
                         ids=["an https upstream with an untrusted certificate gets 502",
                              "an https upstream whose name does not match gets 502"])
def test_https_upstream_failing_verification_gets_502(launcher, config, pki, tls_upstream, tls):
    ca, _ = pki
    if tls is not None:
        tls = {"ca": str(ca), **tls}
    assert https_upstream_status(launcher, config, tls_upstream, tls) == 502
    assert tls_upstream.requests == []


def test_https_upstream_with_verification_off(launcher, config, tls_upstream):
    assert https_upstream_status(launcher, config, tls_upstream, {"verify": False}) == 200


def test_certificate_expiry_is_a_metric_per_tls_listener(launcher, config, pki):
    from cryptography import x509
    ca, leaf = pki
    gateway = serve_tls(launcher, config, leaf)
    not_after = x509.load_pem_x509_certificate(leaf.cert.read_bytes()).not_valid_after
    expected = int(not_after.replace(tzinfo=__import__("datetime").timezone.utc).timestamp())
    listener = config["listeners"][0]["name"]
    text = requests.get(gateway.admin_url("/metrics"), timeout=10).text
    assert f'authgate_tls_certificate_expiry_timestamp_seconds{{listener="{listener}"}} {expected}\n' in text
