"""The RFC 6455 pieces the tests need: the handshake key and single-frame encode/decode (no fragmentation,
no extensions), for both the upstream's echo and the client side."""
import base64
import hashlib
import os
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3
OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def new_key() -> str:
    """A fresh Sec-WebSocket-Key: 16 random bytes, base64 (RFC 6455 §4.1)."""
    return base64.b64encode(os.urandom(16)).decode()


def accept_for(key: str) -> str:
    """The Sec-WebSocket-Accept a server must answer to `key` (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def encode_frame(opcode: int, payload: bytes, masked: bool) -> bytes:
    """One final frame; clients must mask, servers must not (RFC 6455 §5.1)."""
    head = bytes([0x80 | opcode])
    mask_bit = 0x80 if masked else 0
    size = len(payload)
    if size < 126:
        head += bytes([mask_bit | size])
    elif size < 1 << 16:
        head += bytes([mask_bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", size)
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def decode_frame(read_exact) -> tuple:
    """Reads one frame with `read_exact(n) -> bytes`; returns (opcode, unmasked payload)."""
    first, second = read_exact(2)
    opcode, size = first & 0x0F, second & 0x7F
    if size == 126:
        size = struct.unpack("!H", read_exact(2))[0]
    elif size == 127:
        size = struct.unpack("!Q", read_exact(8))[0]
    mask = read_exact(4) if second & 0x80 else None
    payload = read_exact(size) if size else b""
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return opcode, payload
