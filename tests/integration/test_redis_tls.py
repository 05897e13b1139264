"""TLS to Redis (issue 16, docs/configuration.md#state): real redis-servers that speak TLS only (`--port 0`,
`--tls-port`), with a throwaway CA and server certificate made here, and gateways whose `state.redis` reaches
them over TLS.

Two gateways over `rediss://` share throttling and Digest nonce counts exactly as over plain TCP (the server
has no plain port: sharing at all is sharing over TLS). A certificate the gateway must not trust — signed by
another CA, or for another name — is a failed connection, never a conversation: /readyz answers 503 with the
reason, throttling fails open and Digest closed (docs/operations.md). Against a Redis that demands client
certificates (`--tls-auth-clients yes`) a gateway with `cert_file` and `key_file` works and one without is
down. Settings that cannot work are refused before serving: `authgate check` names a missing `ca_file` at its
file:line, and `serve` will not start with a ca_file that holds no certificate.

The helpers (gateway config, requests, degraded-mode assertions) are test_shared_state.py's."""
import socket
import ssl
import time
import uuid

import pytest

from harness import certs, configs, digest, passwords, yaml_text
from harness.gateway import run_cli
from test_cli import line_of
from harness.redis_server import RedisServer
from test_shared_state import (ALICE, DIGEST_REALM, assert_degraded, instance_config, readyz,
                               store_up, wait_ready)
# The sharing checks of the plain-TCP pair, run here against the TLS pair (renamed: not collected twice).
from test_shared_state import (
    test_a_digest_header_accepted_on_a_is_refused_when_replayed_on_b as assert_nonces_shared,
    test_failures_from_an_address_on_a_throttle_it_on_b as assert_address_bans_shared,
    test_failures_of_a_user_name_on_a_throttle_it_on_b as assert_user_bans_shared)


class TlsRedisServer(RedisServer):
    """/usr/bin/redis-server speaking TLS only on 127.0.0.1:port (and 127.0.0.2, an address its certificate
    does not name), with `server` (a harness.certs.Leaf) as its certificate; client certificates signed by
    `ca` are required when `auth_clients`."""

    def __init__(self, workdir, ca, server, auth_clients: bool = False, client=None):
        super().__init__(workdir)
        self.ca, self.server, self.auth_clients, self.client = ca, server, auth_clients, client

    def listen_arguments(self) -> list:
        return ["--port", "0", "--tls-port", str(self.port), "--bind", "127.0.0.1", "127.0.0.2",
                "--tls-cert-file", str(self.server.cert), "--tls-key-file", str(self.server.key),
                "--tls-ca-cert-file", str(self.ca), "--tls-auth-clients", "yes" if self.auth_clients else "no"]

    def ping(self) -> bytes:
        context = ssl.create_default_context(cafile=str(self.ca))
        if self.client is not None:
            context.load_cert_chain(str(self.client.cert), str(self.client.key))
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(64)
        except OSError:  # ssl.SSLError included
            return b""

    def plain_ping(self) -> bytes:
        """PING in plain text to the TLS port: Redis answers nothing a RESP client could read."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64)
        except OSError:
            return b""


# --- the PKI and the servers --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, Redis's certificate (127.0.0.1 and localhost) and a client certificate, both from that CA; and a
    second CA that signed neither."""
    directory = tmp_path_factory.mktemp("pki")
    ca = certs.make_ca(directory, "ca")
    return {
        "ca": ca,
        "server": certs.make_leaf(directory, ca, "redis", serial=1),
        "client": certs.make_leaf(directory, ca, "gateway", serial=2, usage="clientAuth"),
        "other_ca": certs.make_ca(directory, "other-ca"),
    }


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory, pki):
    server = TlsRedisServer(tmp_path_factory.mktemp("redis-tls"), pki["ca"], pki["server"])
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def mtls_redis(tmp_path_factory, pki):
    server = TlsRedisServer(tmp_path_factory.mktemp("redis-mtls"), pki["ca"], pki["server"], auth_clients=True,
                            client=pki["client"])
    server.start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """Stores and the nonce secret, as test_shared_state.py's pair has them."""
    directory = tmp_path_factory.mktemp("shared-tls")
    passwords.write_default_store(directory)
    digest.write_lines(directory / "users.htdigest", [digest.ha1_line(ALICE.name, DIGEST_REALM, ALICE.password)])
    (directory / "nonce.secret").write_text(uuid.uuid4().hex + uuid.uuid4().hex + "\n")
    return directory


def tls_config(upstream, workdir, redis, tls: dict, url: str = None, prefix: str = None) -> dict:
    """test_shared_state.py's instance config, its Redis reached over TLS with these `tls` settings."""
    config = instance_config(upstream, workdir, redis.port)
    state = config["state"]["redis"]
    state["url"] = url or f"rediss://127.0.0.1:{redis.port}/0"
    state["tls"] = tls
    if prefix:
        state["key_prefix"] = prefix
    return config


def wait_down_because(gateway, reason: str, timeout: float = 15.0) -> str:
    """/readyz's 503 body once it names `reason` (the first answers may still say "connecting")."""
    deadline = time.monotonic() + timeout
    while True:
        response = readyz(gateway)
        if response.status_code == 503 and reason in response.text:
            return response.text
        assert time.monotonic() < deadline, (response.status_code, response.text)
        time.sleep(0.05)


@pytest.fixture(scope="module")
def tls_pair(module_launcher, module_upstream, workdir, tls_redis, pki):
    """Instances A and B over rediss:// with the test CA, one key prefix: A by IP address, B by host name
    (`localhost` is in the certificate; the name is also sent as SNI)."""
    tls = {"ca_file": str(pki["ca"])}
    first = tls_config(module_upstream, workdir, tls_redis, tls)
    second = tls_config(module_upstream, workdir, tls_redis, tls, url=f"rediss://localhost:{tls_redis.port}/0",
                        prefix=first["state"]["redis"]["key_prefix"])
    a = module_launcher.serve(first, name="tls-a.yaml")
    b = module_launcher.serve(second, name="tls-b.yaml")
    wait_ready(a), wait_ready(b)
    return a, b


# --- sharing over TLS ----------------------------------------------------------------------------------

def test_the_redis_under_test_speaks_tls_only(tls_redis):
    assert tls_redis.ping() == b"+PONG\r\n"
    assert tls_redis.plain_ping() != b"+PONG\r\n", "no plain-text port: what works below works over TLS"


def test_two_gateways_over_tls_share_bans_and_nonce_counts(tls_pair):
    a, b = tls_pair
    assert (readyz(a).text, store_up(a)) == ("ready\n", "authgate_state_store_up 1")
    assert_user_bans_shared(tls_pair)
    assert_address_bans_shared(tls_pair)
    assert_nonces_shared(tls_pair)


def test_a_server_name_setting_verifies_that_name_instead_of_the_urls_address(
        module_launcher, module_upstream, workdir, tls_redis, pki):
    config = tls_config(module_upstream, workdir, tls_redis, {"ca_file": str(pki["ca"]), "server_name": "localhost"})
    gateway = module_launcher.serve(config, name="tls-named.yaml")
    wait_ready(gateway)
    assert (readyz(gateway).text, store_up(gateway)) == ("ready\n", "authgate_state_store_up 1")


# --- certificates that must not be trusted --------------------------------------------------------------

def test_a_certificate_from_another_ca_leaves_the_store_down_and_each_feature_degraded(
        module_launcher, module_upstream, workdir, tls_redis, pki):
    config = tls_config(module_upstream, workdir, tls_redis, {"ca_file": str(pki["other_ca"])})
    gateway = module_launcher.serve(config, name="tls-wrong-ca.yaml")
    body = wait_down_because(gateway, "certificate")
    assert body.startswith("not ready: state store redis "), body
    # Redis sends its chain, our CA included: OpenSSL finds a self-signed certificate it does not trust.
    assert "TLS handshake with redis failed: the server's certificate was not accepted: " in body, body
    assert store_up(gateway) == "authgate_state_store_up 0"
    # Throttling fails open (a wrong password 401, the right one 200), Digest closed (503): bounded waits.
    assert_degraded(gateway, "127.0.5.1")


def test_a_certificate_for_another_name_is_refused(module_launcher, module_upstream, workdir, tls_redis, pki):
    """The CA is right, the name is not: RFC 6125 checks the name as strictly as the chain."""
    config = tls_config(module_upstream, workdir, tls_redis,
                        {"ca_file": str(pki["ca"]), "server_name": "redis.elsewhere.example"})
    gateway = module_launcher.serve(config, name="tls-wrong-name.yaml")
    body = wait_down_because(gateway, "hostname mismatch")
    assert "TLS handshake with redis failed" in body, body
    assert store_up(gateway) == "authgate_state_store_up 0"


def test_a_url_by_ip_address_is_checked_against_the_certificates_addresses(
        module_launcher, module_upstream, workdir, tls_redis, pki):
    """The certificate names 127.0.0.1 and localhost; the same server reached as 127.0.0.2 is not the one named."""
    config = tls_config(module_upstream, workdir, tls_redis, {"ca_file": str(pki["ca"])},
                        url=f"rediss://127.0.0.2:{tls_redis.port}/0")
    gateway = module_launcher.serve(config, name="tls-wrong-ip.yaml")
    body = wait_down_because(gateway, "IP address mismatch")
    assert "TLS handshake with redis failed" in body, body


def test_a_plain_redis_url_to_a_tls_port_is_down_not_confused(module_launcher, module_upstream, workdir, tls_redis):
    config = instance_config(module_upstream, workdir, tls_redis.port)  # redis://, no tls block
    gateway = module_launcher.serve(config, name="plain-to-tls.yaml")
    wait_ready(gateway, status=503)
    assert store_up(gateway) == "authgate_state_store_up 0"


# --- mutual TLS ------------------------------------------------------------------------------------------

def test_mutual_tls_with_a_client_certificate_shares_state(module_launcher, module_upstream, workdir, mtls_redis,
                                                            pki):
    tls = {"ca_file": str(pki["ca"]), "cert_file": str(pki["client"].cert), "key_file": str(pki["client"].key)}
    first = tls_config(module_upstream, workdir, mtls_redis, tls)
    second = tls_config(module_upstream, workdir, mtls_redis, tls, prefix=first["state"]["redis"]["key_prefix"])
    pair = (module_launcher.serve(first, name="mtls-a.yaml"), module_launcher.serve(second, name="mtls-b.yaml"))
    wait_ready(pair[0]), wait_ready(pair[1])
    assert_user_bans_shared(pair)
    assert_nonces_shared(pair)


def test_without_a_client_certificate_a_redis_that_wants_one_is_down(module_launcher, module_upstream, workdir,
                                                                     mtls_redis, pki):
    config = tls_config(module_upstream, workdir, mtls_redis, {"ca_file": str(pki["ca"])})
    gateway = module_launcher.serve(config, name="mtls-no-cert.yaml")
    # TLS 1.3: the client's handshake completes, then Redis sends its alert; either way the link is down.
    body = wait_down_because(gateway, "certificate")
    assert body.startswith("not ready: state store redis "), body
    assert store_up(gateway) == "authgate_state_store_up 0"


def test_a_tls_redis_restarted_is_reconnected_to(module_launcher, module_upstream, workdir, tls_redis, pki):
    config = tls_config(module_upstream, workdir, tls_redis, {"ca_file": str(pki["ca"])})
    gateway = module_launcher.serve(config, name="tls-restart.yaml")
    wait_ready(gateway)
    tls_redis.kill()
    try:
        wait_ready(gateway, status=503)
    finally:
        tls_redis.start()
    wait_ready(gateway)
    assert store_up(gateway) == "authgate_state_store_up 1"


# --- settings refused before serving -------------------------------------------------------------------

def test_check_names_a_missing_ca_file_at_its_line(tmp_path, module_upstream, workdir):
    config = instance_config(module_upstream, workdir, 6380)
    config["state"]["redis"]["url"] = "rediss://127.0.0.1:6380/0"
    config["state"]["redis"]["tls"] = {"ca_file": "/nonexistent/redis-ca.pem"}
    path = tmp_path / "authgate.yaml"
    text = yaml_text.dump(config)
    path.write_text(text)
    result = run_cli(["check", "--config", path])
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{path}:{line_of(text, '/nonexistent/redis-ca.pem')}:" in output, output
    assert "state.redis.tls.ca_file" in output, output


def test_serve_refuses_a_ca_file_without_a_certificate(tmp_path, module_launcher, module_upstream, workdir):
    bogus = tmp_path / "not-a-ca.pem"
    bogus.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")
    config = instance_config(module_upstream, workdir, 6380)
    config["state"]["redis"]["tls"] = {"ca_file": str(bogus)}
    gateway = module_launcher.serve(config, name="tls-bogus-ca.yaml", wait=False)
    assert gateway.process.wait_exit(timeout=30) != 0
    stderr = gateway.process.stderr_text()
    assert "redis tls: cannot use ca_file" in stderr and str(bogus) in stderr, stderr
    assert "tls-bogus-ca.yaml:" in stderr, "located in the file: " + stderr


def test_pool_is_accepted_and_a_pooled_tls_store_works(module_launcher, module_upstream, workdir, tls_redis, pki):
    config = tls_config(module_upstream, workdir, tls_redis, {"ca_file": str(pki["ca"])})
    config["state"]["redis"]["pool"] = 4
    gateway = module_launcher.serve(config, name="tls-pool.yaml")
    wait_ready(gateway)
    assert_user_bans_shared((gateway, gateway))
