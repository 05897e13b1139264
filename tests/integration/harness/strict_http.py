"""A strict HTTP/1.1 message parser over bytes (RFC 9112), for checking what crossed a connection.

parse_stream() splits everything one connection carried into requests and names the first byte that is not
part of a well-formed one: a stray last-chunk after a message, obs-fold, Content-Length next to
Transfer-Encoding, a bad chunk size, a missing CRLF, an unfinished message at the end. It is stricter than a
server has to be (no leading empty lines, no bare LF, HTTP/1.1 only, exactly one Host): it judges what a
gateway writes, and a gateway has no excuse for anything but the plain form. parse_response() reads one
response the same way, for the client side. Pure functions: no sockets, no state.
"""
import re
from dataclasses import dataclass, field

_TCHAR = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
TOKEN = re.compile(_TCHAR + rb"+")
_QUOTED = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_EXT = rb"[ \t]*;[ \t]*" + _TCHAR + rb"+(?:[ \t]*=[ \t]*(?:" + _TCHAR + rb"+|" + _QUOTED + rb"))?"
REQUEST_LINE = re.compile(rb"(" + _TCHAR + rb"+) ([\x21-\x7e]+) HTTP/1\.1")
STATUS_LINE = re.compile(rb"HTTP/1\.1 ([0-9]{3}) ([\t \x21-\x7e\x80-\xff]*)")
FIELD_LINE = re.compile(rb"(" + _TCHAR + rb"+):[ \t]*(.*?)[ \t]*", re.S)
CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]+)((?:" + _EXT + rb")*)")
FIELD_CTL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # CTLs other than HTAB (RFC 9110 §5.5)
EXCERPT = 48


class Violation(Exception):
    """The bytes at `offset` break the grammar: `reason` says how."""

    def __init__(self, offset: int, reason: str, data=b""):
        self.offset = offset
        self.reason = reason
        super().__init__(f"byte {offset}: {reason}: {bytes(data[offset:offset + EXCERPT])!r}")


class Incomplete(Exception):
    """The data ends before the message does."""


@dataclass
class Message:
    """One parsed message. `body` is decoded (chunk framing removed); the wire bytes are data[start:end]."""

    start: int
    end: int = 0
    method: str = ""  # requests
    target: str = ""
    status: int = 0  # responses
    reason: str = ""
    fields: list = field(default_factory=list)  # [(name, value)] as latin-1 text, in wire order
    framing: str = "none"  # "none", "content-length", "chunked" or (responses only) "close"
    chunk_sizes: list = field(default_factory=list)  # the size of every chunk, the last-chunk's 0 included
    chunk_extensions: list = field(default_factory=list)  # every non-empty chunk-ext, as bytes
    trailers: list = field(default_factory=list)  # [(name, value)]
    spans: list = field(default_factory=list, repr=False)  # [(start, end)] of the body's bytes in data
    data: object = field(default=b"", repr=False)

    def header(self, name: str) -> list:
        """Every value of the fields called `name` (case-insensitive), in wire order."""
        return [v for k, v in self.fields if k.lower() == name.lower()]

    @property
    def body(self) -> bytes:
        return b"".join(bytes(self.data[a:b]) for a, b in self.spans)

    @property
    def body_length(self) -> int:
        return sum(b - a for a, b in self.spans)


@dataclass
class StreamCheck:
    """What parse_stream found: the complete messages, then at most one problem."""

    messages: list
    violation: str = None  # the first byte outside a well-formed message, described
    incomplete: str = None  # the stream ends inside an unfinished message, described
    end: int = 0  # where the last complete message ends


def _line(data, pos: int) -> tuple:
    """(line without CRLF, offset after it). A line is ended by CRLF only: a bare LF is a violation."""
    end = data.find(b"\r\n", pos)
    if end < 0:
        if data.find(b"\n", pos) >= 0:
            raise Violation(data.find(b"\n", pos), "a bare LF (lines end with CRLF)", data)
        raise Incomplete()
    if (bare := data.find(b"\n", pos, end)) >= 0:
        raise Violation(bare, "a bare LF (lines end with CRLF)", data)
    return data[pos:end], end + 2


def _fields(data, pos: int) -> tuple:
    """Field lines up to and including the empty line: ([(name, value)], offset after it)."""
    fields = []
    while True:
        line, after = _line(data, pos)
        if not line:
            return fields, after
        if line[:1] in (b" ", b"\t"):
            raise Violation(pos, "obs-fold: a field line starts with whitespace (RFC 9112 §5.2)", data)
        match = FIELD_LINE.fullmatch(line)
        if not match:
            why = ("whitespace between the field name and the colon (RFC 9112 §5.1)"
                   if re.match(_TCHAR + rb"+[ \t]+:", line) else "not a field line `token \":\" value`")
            raise Violation(pos, why, data)
        if ctl := FIELD_CTL.search(match[2]):
            raise Violation(pos + match.start(2) + ctl.start(), "a control character in a field value", data)
        fields.append((match[1].decode("latin-1"), match[2].decode("latin-1")))
        pos = after


def _chunked(data, pos: int, message: Message) -> int:
    """Reads a chunked body and its trailer section (RFC 9112 §7.1); returns the offset after it."""
    while True:
        line, after = _line(data, pos)
        match = CHUNK_LINE.fullmatch(line)
        if not match:
            raise Violation(pos, "not a chunk-size line `HEX [;ext] CRLF`", data)
        size = int(match[1], 16)
        message.chunk_sizes.append(size)
        if match[2]:
            message.chunk_extensions.append(bytes(match[2]))
        if size == 0:
            message.trailers, end = _fields(data, after)
            return end
        if len(data) < after + size + 2:
            raise Incomplete()
        message.spans.append((after, after + size))
        if data[after + size:after + size + 2] != b"\r\n":
            raise Violation(after + size, f"chunk data of {size} bytes not followed by CRLF", data)
        pos = after + size + 2


def body_framing(fields) -> str:
    """The body framing `fields` ([(name, value)]) declare: "content-length" for one Content-Length of
    digits, "chunked" for `Transfer-Encoding: chunked` alone, "none" for neither (RFC 9112 §6.1, §6.3).
    Anything else, both included, raises ValueError."""
    lengths = [v for k, v in fields if k.lower() == "content-length"]
    codings = [v for k, v in fields if k.lower() == "transfer-encoding"]
    if lengths and codings:
        raise ValueError("both Content-Length and Transfer-Encoding")
    if codings:
        if len(codings) != 1 or codings[0].lower() != "chunked":
            raise ValueError(f"Transfer-Encoding other than one `chunked`: {codings}")
        return "chunked"
    if lengths:
        if len(lengths) != 1 or not re.fullmatch(r"[0-9]+", lengths[0]):
            raise ValueError(f"Content-Length other than one run of digits: {lengths}")
        return "content-length"
    return "none"


def _framing(message: Message, head_at: int, data) -> str:
    try:
        return body_framing(message.fields)
    except ValueError as error:
        raise Violation(head_at, str(error), data) from None


def _body(data, pos: int, message: Message) -> int:
    if message.framing == "chunked":
        return _chunked(data, pos, message)
    size = int(message.header("Content-Length")[0]) if message.framing == "content-length" else 0
    if message.framing == "close":
        size = len(data) - pos
    if len(data) < pos + size:
        raise Incomplete()
    if size:
        message.spans.append((pos, pos + size))
    return pos + size


def parse_request(data, pos: int = 0) -> Message:
    """The request that starts at `pos`. Raises Violation or Incomplete."""
    message = Message(start=pos, data=data)
    line, after = _line(data, pos)
    match = REQUEST_LINE.fullmatch(line)
    if not match:
        raise Violation(pos, "not a request line `method SP request-target SP HTTP/1.1`", data)
    message.method, message.target = match[1].decode("ascii"), match[2].decode("ascii")
    message.fields, body_at = _fields(data, after)
    if len(message.header("Host")) != 1:
        raise Violation(after, f"{len(message.header('Host'))} Host fields, not one (RFC 9112 §3.2)", data)
    message.framing = _framing(message, after, data)
    message.end = _body(data, body_at, message)
    return message


def parse_response(data, pos: int = 0, method: str = "GET") -> Message:
    """The response to a `method` request that starts at `pos`; a body delimited by the connection's close
    runs to the end of `data`. Raises Violation or Incomplete."""
    message = Message(start=pos, data=data)
    line, after = _line(data, pos)
    match = STATUS_LINE.fullmatch(line)
    if not match:
        raise Violation(pos, "not a status line `HTTP/1.1 SP 3DIGIT SP reason`", data)
    message.status, message.reason = int(match[1]), match[2].decode("latin-1")
    message.fields, body_at = _fields(data, after)
    message.framing = _framing(message, after, data)
    if method == "HEAD" or message.status in (204, 304) or message.status < 200:
        message.framing, message.spans = "none", []
        message.end = body_at
        return message
    if message.framing == "none":
        message.framing = "close"
    message.end = _body(data, body_at, message)
    return message


def parse_stream(data, limit: int = None) -> StreamCheck:
    """Splits the bytes one connection carried into requests. Stops at the first violation, at an
    unfinished message, at the end of the data, or after `limit` messages (what follows them, such as a
    WebSocket tunnel after a 101, is then not HTTP)."""
    check, pos = StreamCheck(messages=[]), 0
    while pos < len(data) and (limit is None or len(check.messages) < limit):
        where = f"after {len(check.messages)} complete message(s)"
        try:
            message = parse_request(data, pos)
        except Violation as error:
            check.violation = f"{where}, {error}"
            break
        except Incomplete:
            check.incomplete = (f"{where}, an unfinished message from byte {pos} ({len(data) - pos} bytes): "
                                f"{bytes(data[pos:pos + EXCERPT])!r}")
            break
        check.messages.append(message)
        pos = check.end = message.end
    return check
