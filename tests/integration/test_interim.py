"""An upstream's interim 1xx responses (RFC 9110 §15.2): passed on to an HTTP/1.1 client with their fields,
never to an HTTP/1.0 one, an unrequested 100 Continue dropped; and an upstream that sends them without end
gets a 502 after 16, since each is parsed into the request's header arena."""
import json

import pytest

from harness.fixtures import basic
from harness.passwords import ALICE
from harness.raw_http import RawConnection

AUTH = ("Authorization", basic(ALICE.name, ALICE.password))


def heads_until_final(conn: RawConnection) -> tuple:
    """(the interim heads in order, the final response with its body)."""
    interim = []
    while True:
        head = conn.read_response(allow_interim=True)
        if head.status >= 200:
            return interim, head
        interim.append(head)


def test_early_hints_reach_an_http11_client_with_their_fields_then_the_response(gateway, upstream):
    with RawConnection(gateway.port) as conn:
        conn.send(b"GET /interim?n=2 HTTP/1.1\r\nHost: app\r\nAuthorization: " + AUTH[1].encode() + b"\r\n\r\n")
        interim, final = heads_until_final(conn)
        assert [h.status for h in interim] == [103, 103]
        assert [h.header("Link") for h in interim] == ["</style-0.css>; rel=preload", "</style-1.css>; rel=preload"]
        assert final.status == 200
        assert json.loads(final.body)["path"] == "/interim"
        again = conn.request("GET", "/status/204", [AUTH])  # the connection carries on
        assert again.status == 204


@pytest.mark.parametrize("status, sent, relayed", [(103, "none", "Early Hints"), (102, "none", "Processing"),
                                                   (199, "none", "Informational"), (103, "", "Interim")],
                         ids=["103 without a reason", "102 without a reason", "199 without a reason",
                              "103 with the upstream's reason"])
def test_an_interim_status_keeps_its_number_and_gets_a_reason(gateway, status, sent, relayed):
    with RawConnection(gateway.port) as conn:
        conn.send(f"GET /interim?status={status}&reason={sent} HTTP/1.1\r\nHost: app\r\n"
                  f"Authorization: {AUTH[1]}\r\n\r\n".encode())
        interim, final = heads_until_final(conn)
        assert [(h.status, h.reason) for h in interim] == [(status, relayed)] and final.status == 200


def test_an_unrequested_100_continue_from_the_upstream_is_dropped(gateway):
    with RawConnection(gateway.port) as conn:
        conn.send(b"GET /interim?n=3&status=100 HTTP/1.1\r\nHost: app\r\nAuthorization: " + AUTH[1].encode()
                  + b"\r\n\r\n")
        interim, final = heads_until_final(conn)
        assert interim == [] and final.status == 200


def test_an_http10_client_gets_no_interim_response(gateway):
    with RawConnection(gateway.port) as conn:
        conn.send(b"GET /interim?n=2 HTTP/1.0\r\nHost: app\r\nAuthorization: " + AUTH[1].encode() + b"\r\n\r\n")
        interim, final = heads_until_final(conn)
        assert interim == [] and final.status == 200


@pytest.mark.parametrize("count, status", [(16, 200), (17, 502)],
                         ids=["16 interim heads then the response", "the 17th interim head gets a 502"])
def test_interim_heads_are_bounded(gateway, upstream, count, status):
    with RawConnection(gateway.port) as conn:
        conn.send(f"GET /interim?n={count} HTTP/1.1\r\nHost: app\r\nAuthorization: {AUTH[1]}\r\n\r\n".encode())
        interim, final = heads_until_final(conn)
        assert len(interim) == 16 and final.status == status
    if status == 502:
        upstream.expect_incomplete()  # the gateway closed that upstream connection mid-response
    (entry,) = [e for e in gateway.wait_for_access_log(1) if e.get("status") == status]
    assert entry["reason"] == ("ok" if status == 200 else "upstream_error")
