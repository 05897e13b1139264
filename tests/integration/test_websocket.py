"""WebSocket (RFC 6455) through the gateway: the Upgrade is authenticated like any request, then tunnelled."""
import pytest

from harness import websocket
from harness.fixtures import basic
from harness.passwords import ALICE
from harness.raw_http import RawConnection, request_bytes


def upgrade_request(key: str, extra=()) -> bytes:
    return request_bytes("GET", "/ws", [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                        ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13"), *extra])


def test_upgrade_without_credentials_gets_401(gateway, upstream):
    with RawConnection(gateway.port) as conn:
        conn.send(upgrade_request(websocket.new_key()))
        response = conn.read_response()
    assert response.status == 401
    assert upstream.requests == []


def test_upgrade_with_a_wrong_password_gets_401(gateway, upstream):
    with RawConnection(gateway.port) as conn:
        conn.send(upgrade_request(websocket.new_key(), [("Authorization", basic("alice", "nope"))]))
        assert conn.read_response().status == 401
    assert upstream.requests == []


@pytest.mark.parametrize("payload", [b"hello", b"x" * 300, bytes(range(256)) * 300],
                         ids=["a short text frame echoes", "a 300-byte frame echoes", "a 75 KiB frame echoes"])
def test_authenticated_upgrade_tunnels_frames_both_ways(gateway, upstream, payload):
    key = websocket.new_key()
    with RawConnection(gateway.port) as conn:
        conn.send(upgrade_request(key, [("Authorization", basic(ALICE.name, ALICE.password))]))
        response = conn.read_response()
        assert response.status == 101
        assert response.header("Upgrade").lower() == "websocket"
        assert response.header("Sec-WebSocket-Accept") == websocket.accept_for(key)
        for opcode in (websocket.OP_BINARY, websocket.OP_TEXT if payload.isascii() else websocket.OP_BINARY):
            conn.send(websocket.encode_frame(opcode, payload, masked=True))
            assert websocket.decode_frame(conn.read_exact) == (opcode, payload)
        conn.send(websocket.encode_frame(websocket.OP_CLOSE, b"\x03\xe8", masked=True))
        assert websocket.decode_frame(conn.read_exact) == (websocket.OP_CLOSE, b"\x03\xe8")
    (record,) = upstream.requests
    users = [v for k, v in record["headers"] if k.lower() == "x-auth-user"]
    assert users == ["alice"]
    assert not any(k.lower() == "authorization" for k, _ in record["headers"])
