"""What wrk sends to one server in one scenario, and the two probes sent before the run.

The good probe must get the scenario's expected status; the wrong probe (bad password, tampered token
signature, wrong Digest response) must NOT get a 2xx: a server that lets everyone in would otherwise win.
"""

import base64
import hashlib
from dataclasses import dataclass
from typing import Optional

from . import fixtures, http_probe


@dataclass
class Client:
    header: Optional[str]       # fixed Authorization sent by wrk -H, or None
    args: list                  # arguments of the rotation wrk script / of the Digest load client
    offset_arg: bool            # that script takes a start offset as its last argument
    good_auth: Optional[str]    # Authorization of the good probe (None: no credentials)
    wrong_auth: Optional[str]   # Authorization that must be refused (None: nothing to refuse)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _tampered(bearer):
    """The same token with one signature character changed (not the last: it may carry padding bits)."""
    head, sig = bearer.rsplit(".", 1)
    i = len(sig) // 2
    return f"{head}.{sig[:i]}{'A' if sig[i] != 'A' else 'B'}{sig[i + 1:]}"


def _first_line(path):
    with open(path) as f:
        return f.readline().strip()


def _digest(scenario, fx, port):
    """Probes answer one challenge fetched here; the load client (client/digest_load.cpp) fetches a nonce
    of its own per connection, so the probes' nc=1 never collides with its counts."""
    status, challenges = http_probe.probe(port, scenario.path)
    challenge = http_probe.digest_challenge(challenges)
    if status != 401 or challenge is None:
        raise LookupError(f"no Digest SHA-256 challenge (answered {status})")
    args = http_probe.digest_args(challenge, fixtures.USER, fx.digest_ha1, scenario.path)
    wrong_ha1 = hashlib.sha256(f"{fixtures.USER}:{fixtures.REALM}:wrong".encode()).hexdigest()
    good = http_probe.digest_authorization(args, nc=1, cnonce="probe-good")
    wrong = http_probe.digest_authorization(args[:5] + [wrong_ha1] + args[6:], nc=1, cnonce="probe-wrong")
    return Client(None, [fixtures.USER, fx.digest_ha1], False, good, wrong)


def for_scenario(scenario, fx, port):
    """The Client of one server; raises LookupError when the server offers no usable challenge."""
    kind = scenario.credentials
    if kind == "none":
        return Client(None, [], False, None, None)
    if kind == "basic":
        return Client(fx.basic_header, [], False, fx.basic_header, _basic(fixtures.USER, "wrong-password"))
    if kind.startswith("bearer:"):
        token = fx.bearer[kind.split(":", 1)[1]]
        return Client(token, [], False, token, _tampered(token))
    if kind == "basic-many":
        return Client(None, [fx.many_headers_file], True, _first_line(fx.many_headers_file),
                      _basic("user0000", "wrong-password"))
    if kind == "bearer-unique":
        first = _first_line(fx.unique_tokens_file)
        return Client(None, [fx.unique_tokens_file], True, first, _tampered(first))
    if kind == "digest":
        return _digest(scenario, fx, port)
    raise ValueError(f"unknown credentials kind {kind!r}")
