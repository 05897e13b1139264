"""Bodies are streamed, never buffered: 100 MiB each way through the gateway while its peak resident set
stays flat, and Expect: 100-continue decided on the head (RFC 9110 §10.1.1)."""
import hashlib
import http.client
import json

import pytest
import requests

from harness.fixtures import basic
from harness.passwords import ALICE
from harness.raw_http import RawConnection, request_bytes
from harness.upstream import MIB, PATTERN, pattern_sha256

SIZE_MIB = 100
GROWTH_LIMIT_KIB = 32 * 1024  # far below the 100 MiB that buffering a body would cost
AUTH = {"Authorization": basic(ALICE.name, ALICE.password)}


@pytest.fixture(scope="module")
def expected_sha256():
    return pattern_sha256(SIZE_MIB)


def warmed_up_peak(gateway) -> int:
    """VmHWM after one authenticated round trip, so threads, pools and the verify cache exist."""
    response = requests.get(gateway.url("/warm-up"), headers=AUTH, timeout=30)
    assert response.status_code == 200
    return gateway.process.memory_kib("VmHWM")


def assert_flat(gateway, before_kib: int):
    grown = gateway.process.memory_kib("VmHWM") - before_kib
    assert grown < GROWTH_LIMIT_KIB, f"peak RSS grew by {grown // 1024} MiB while streaming {SIZE_MIB} MiB"


@pytest.mark.parametrize("chunked", [False, True], ids=["a 100 MiB download with Content-Length streams through",
                                                         "a 100 MiB chunked download streams through"])
def test_download_streams(gateway, expected_sha256, chunked):
    before = warmed_up_peak(gateway)
    digest, total = hashlib.sha256(), 0
    url = gateway.url(f"/big?mb={SIZE_MIB}&chunked={int(chunked)}")
    with requests.get(url, headers=AUTH, stream=True, timeout=60) as response:
        assert response.status_code == 200
        for piece in response.iter_content(chunk_size=1 << 16):
            digest.update(piece)
            total += len(piece)
    assert (total, digest.hexdigest()) == (SIZE_MIB * MIB, expected_sha256)
    assert_flat(gateway, before)


def pattern_body(mib: int):
    for _ in range(mib):
        yield PATTERN


class PatternReader:
    """A file-like body of `mib` MiB that is produced as it is read (http.client streams it)."""

    def __init__(self, mib: int):
        self.pieces = pattern_body(mib)

    def read(self, _size=-1) -> bytes:
        return next(self.pieces, b"")


@pytest.mark.parametrize("chunked", [False, True], ids=["a 100 MiB upload with Content-Length streams through",
                                                         "a 100 MiB chunked upload streams through"])
def test_upload_streams(gateway, upstream, expected_sha256, chunked):
    before = warmed_up_peak(gateway)
    conn = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=60)
    conn.blocksize = MIB
    try:
        if chunked:
            conn.request("PUT", "/upload", body=pattern_body(SIZE_MIB), headers=AUTH, encode_chunked=True)
        else:
            headers = {**AUTH, "Content-Length": str(SIZE_MIB * MIB)}
            conn.request("PUT", "/upload", body=PatternReader(SIZE_MIB), headers=headers)
        response = conn.getresponse()
        record = json.loads(response.read())
    finally:
        conn.close()
    assert response.status == 200
    assert (record["body_length"], record["body_sha256"]) == (SIZE_MIB * MIB, expected_sha256)
    assert_flat(gateway, before)


def test_expect_continue_without_credentials_gets_401_and_no_100(gateway, upstream):
    """The gateway decides on the head: no 100 is sent for a request it will refuse anyway."""
    head = request_bytes("POST", "/", [("Expect", "100-continue"), ("Content-Length", "10")])
    with RawConnection(gateway.port) as conn:
        conn.send(head)
        response = conn.read_head()
    assert response.status == 401
    assert upstream.requests == []


def test_expect_continue_with_credentials_gets_100_then_200(gateway, upstream):
    head = request_bytes("POST", "/form", [("Expect", "100-continue"), ("Content-Length", "10"),
                                           ("Authorization", AUTH["Authorization"])])
    with RawConnection(gateway.port) as conn:
        conn.send(head)
        interim = conn.read_head()
        assert interim.status == 100, f"expected 100 Continue before the body, got {interim.status}"
        conn.send(b"0123456789")
        final = conn.read_response("POST")
    assert final.status == 200
    assert json.loads(final.body)["body_length"] == 10


def test_expect_continue_client_that_does_not_wait_still_works(gateway):
    """RFC 9110 §10.1.1: a client may send the body without waiting for 100."""
    message = request_bytes("POST", "/form", [("Expect", "100-continue"), ("Content-Length", "4"),
                                              ("Authorization", AUTH["Authorization"])], b"abcd")
    with RawConnection(gateway.port) as conn:
        conn.send(message)
        final = conn.read_response("POST")
    assert final.status == 200
    assert json.loads(final.body)["body_length"] == 4
