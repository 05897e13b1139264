"""Tests of bench/cost's pure parts: the callgrind parser, the HTTP response reader, the request kinds,
the templates and the targets. Run: /usr/bin/python3 -m pytest bench/cost.d/test_cost.py"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from costbench import callgrind, fixtures, httpclient, kinds, report, servers  # noqa: E402

SAMPLE = os.path.join(HERE, "testdata", "sample.callgrind")


# --- callgrind ------------------------------------------------------------------------------------------

def test_totals_and_summary():
    prof = callgrind.parse_file(SAMPLE)
    assert prof.events == ["Ir"]
    assert prof.event("Ir") == 1140                       # the totals: line
    assert prof.event("Ir", source="summary") == 1100
    assert prof.self_cost == [1140]                       # call cost lines are inclusive, not summed
    assert prof.header["trigger"] == "dump noauth"
    assert prof.header["pid"] == "4242"


def test_allocation_calls_with_name_compression():
    prof = callgrind.parse_file(SAMPLE)
    # main: malloc 3 + __libc_malloc 5, operator new → malloc 2 (via the reused ids (3) and (2));
    # _mid_memalign → malloc 3 and realloc → malloc 1 are inside the allocator and not counted.
    assert dict(prof.alloc_calls) == {"malloc": 10, "posix_memalign": 4, "realloc": 1, "calloc": 2}
    assert prof.allocations == 17
    assert prof.alloc_callers["main → malloc"] == 8
    assert prof.alloc_callers["operator new(unsigned long) → malloc"] == 2
    assert not any(k.startswith(("_mid_memalign", "realloc →")) for k in prof.alloc_callers)
    # who allocates: operator new's own call into malloc is shown as its callers' calls into it
    callers = prof.allocating_callers()
    assert callers["main → operator new(unsigned long)"] == 2
    assert "operator new(unsigned long) → malloc" not in callers
    assert sum(callers.values()) == prof.allocations


def test_uncompressed_names():
    text = """events: Ir
fn=caller
1 10
cfn=aligned_alloc
calls=2 5
1 20
cfn=valloc
calls=1 5
1 20
cfn=memalign
calls=3 5
1 20
fn=aligned_alloc
5 7
totals: 17
"""
    prof = callgrind.parse_lines(text.splitlines())
    assert prof.event("Ir") == 17
    assert dict(prof.alloc_calls) == {"aligned_alloc": 2, "valloc": 1, "memalign": 3}


def test_summary_only_and_multiple_events():
    text = "events: Ir Dr\nsummary: 30 4\nfn=f\n1 30 4\n"
    prof = callgrind.parse_lines(text.splitlines())
    assert prof.event("Ir") == 30 and prof.event("Dr") == 4
    with pytest.raises(callgrind.CallgrindError):
        prof.event("Dw")


def test_undefined_id_and_not_callgrind():
    with pytest.raises(callgrind.CallgrindError):
        callgrind.parse_lines(["events: Ir", "fn=(7)", "1 1"])
    with pytest.raises(callgrind.CallgrindError):
        callgrind.parse_lines(["hello", "world"])


@pytest.mark.parametrize("name,expected", [
    ("malloc", "malloc"), ("malloc'2", "malloc"), ("__libc_malloc", "malloc"),
    ("realloc@@GLIBC_2.2.5", "realloc"), ("__posix_memalign", "posix_memalign"),
    ("malloc_consolidate", None), ("CRYPTO_malloc", None), ("operator new(unsigned long)", None),
    ("_mid_memalign.constprop.0", None),
])
def test_canonical_function(name, expected):
    assert callgrind.canonical_function(name) == expected


def test_find_dump(tmp_path):
    def dump(n, reason):
        (tmp_path / f"authgate-noauth.77.out.{n}").write_text(
            f"# callgrind format\npart: {n}\ndesc: Trigger: dump {reason}\nevents: Ir\ntotals: 1\n")

    (tmp_path / "authgate-noauth.77.out").write_text("")      # the dump at exit: ignored
    dump(1, "first")
    dump(2, "noauth")
    out_file = str(tmp_path / "authgate-noauth.%p.out")
    assert callgrind.find_dump(out_file, 77, "noauth").endswith(".out.2")
    with pytest.raises(callgrind.CallgrindError):
        callgrind.find_dump(out_file, 77, "first")             # not the newest dump
    with pytest.raises(callgrind.CallgrindError):
        callgrind.find_dump(out_file, 78, "noauth")            # no dump of that pid


# --- HTTP response reader ------------------------------------------------------------------------------

def feeder(data, sizes=(1,)):
    """recv(n) over data in fragments of the given sizes (cycled), then b"" (end of the connection)."""
    state = {"pos": 0, "i": 0}

    def recv(n):
        size = min(n, sizes[state["i"] % len(sizes)])
        state["i"] += 1
        chunk = data[state["pos"]:state["pos"] + size]
        state["pos"] += len(chunk)
        return chunk
    return recv


@pytest.mark.parametrize("sizes", [(1,), (3, 7), (65536,)])
def test_content_length_back_to_back(sizes):
    data = (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"bench\"\r\ncontent-length: 5\r\n\r\nnope!")
    reader = httpclient.ResponseReader(feeder(data, sizes))
    first = reader.read_response()
    assert (first.status, first.body, first.header("content-type")) == (200, b"ok\n", "text/plain")
    second = reader.read_response()
    assert (second.status, second.body) == (401, b"nope!")
    assert second.header("WWW-Authenticate") == 'Basic realm="bench"'
    assert reader.buffered == 0 and not second.closes


@pytest.mark.parametrize("sizes", [(1,), (4, 9), (65536,)])
def test_chunked_with_extensions_and_trailers(sizes):
    data = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3;ext=1\r\nok\n\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n")
    reader = httpclient.ResponseReader(feeder(data, sizes))
    assert reader.read_response().body == b"ok\n0123456789"
    assert reader.read_response().body == b""
    assert reader.buffered == 0


def test_interim_no_body_and_head():
    data = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
    reader = httpclient.ResponseReader(feeder(data, (5,)))
    assert reader.read_response().status == 204
    head = reader.read_response("HEAD")
    assert head.status == 200 and head.body == b""


def test_body_to_close_and_connection_close():
    data = b"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it"
    response = httpclient.ResponseReader(feeder(data, (4,))).read_response()
    assert response.body == b"all of it" and response.closes
    closing = b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n"
    assert httpclient.ResponseReader(feeder(closing)).read_response().closes


@pytest.mark.parametrize("data", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",           # body cut short
    b"HTTP/1.1 200 OK\r\nContent-Le",                                 # head cut short
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",   # bad chunk size
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n",  # no CRLF after data
    b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",      # conflicting lengths
    b"SSH-2.0-OpenSSH\r\n\r\n",                                        # not HTTP
    b"",                                                               # closed before anything
])
def test_protocol_errors(data):
    with pytest.raises(httpclient.ProtocolError):
        httpclient.ResponseReader(feeder(data, (3,))).read_response()


# --- request kinds, templates, targets ------------------------------------------------------------------

CREDS = {"basic": "YWxpY2U6cHc=", "bearer": "aaa.bbb.ccc"}


def test_request_heads():
    noauth = kinds.KINDS["noauth"].request_bytes(CREDS)
    assert noauth.startswith(b"GET /public/item HTTP/1.1\r\nHost: app.example.com\r\n")
    assert noauth.endswith(b"Connection: keep-alive\r\n\r\n")
    assert 200 <= len(noauth) <= 300
    assert b"Authorization: Basic YWxpY2U6cHc=\r\n" in kinds.KINDS["basic-cached"].request_bytes(CREDS)
    assert b"Authorization: Bearer aaa.bbb.ccc\r\n" in kinds.KINDS["bearer-rs256-cached"].request_bytes(CREDS)
    assert b"Authorization" not in kinds.KINDS["401"].request_bytes(CREDS)
    post = kinds.KINDS["post-4k"].request_bytes(CREDS)
    head, body = post.split(b"\r\n\r\n", 1)
    assert b"Content-Length: 4096" in head and len(body) == 4096
    assert set(kinds.KINDS["noauth"].servers) == {"authgate", "nginx"}
    assert kinds.KINDS["post-4k"].servers == ("authgate",)


def test_kind_check():
    ok = httpclient.Response("HTTP/1.1", 200, "OK", [("Content-Length", "3")], b"ok\n")
    assert kinds.KINDS["noauth"].check(ok) == ""
    assert "status 200" in kinds.KINDS["401"].check(ok)
    challenge = httpclient.Response("HTTP/1.1", 401, "Unauthorized",
                                    [("WWW-Authenticate", 'Basic realm="bench"')], b"")
    assert kinds.KINDS["401"].check(challenge) == ""
    bearer_only = httpclient.Response("HTTP/1.1", 401, "Unauthorized", [("WWW-Authenticate", "Bearer")], b"")
    assert "Basic" in kinds.KINDS["401"].check(bearer_only)
    wrong_body = httpclient.Response("HTTP/1.1", 200, "OK", [], b"other")
    assert "upstream" in kinds.KINDS["noauth"].check(wrong_body)
    closing = httpclient.Response("HTTP/1.1", 200, "OK", [("Connection", "close")], b"ok\n")
    assert "close" in kinds.KINDS["noauth"].check(closing)


def test_templates_fill_every_placeholder():
    values = {"run_dir": "/r", "port": 1, "upstream_port": 2, "access_log": "/r/a.log",
              "issuer": fixtures.ISSUER, "audience": fixtures.AUDIENCE}
    for name in ("authgate.yaml", "nginx.conf", "upstream.nginx.conf"):
        assert "{{" not in servers.render(name, values)
    with pytest.raises(KeyError):
        servers.render("authgate.yaml", {"port": 1})


def test_b64url():
    assert fixtures.b64url(b"\xfb\xff") == "-_8"


def _result(server, kind, ir, allocs):
    return {"server": server, "kind": kind, "ir_per_request": ir, "allocations_per_request": allocs}


def test_targets_and_ratios():
    results = [_result("authgate", "noauth", 900, 4), _result("nginx", "noauth", 1000, 5),
               _result("authgate", "401", 1200, 3), _result("nginx", "401", 1000, 2),
               _result("authgate", "basic-cached", 990, 5)]
    assert report.ratios(results)["noauth"]["ir"] == pytest.approx(0.9)
    verdicts = [(t["kind"], t["met"]) for t in report.targets(results)]
    assert verdicts == [("noauth", True), ("401", False), ("basic-cached", True),
                        ("bearer-rs256-cached", None), ("noauth", True), ("401", False),
                        ("basic-cached", True), ("bearer-rs256-cached", None), ("post-4k", None)]
    text = report.table(results) + report.targets_table(report.targets(results))
    assert "0.90×" in text and "MISSED" in text and "not measured" in text
