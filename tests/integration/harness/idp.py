"""A fake identity provider on 127.0.0.1 for key-source and introspection tests: OpenID Connect discovery,
a JWKS endpoint, an RFC 7662 introspection endpoint, and misbehaving paths (redirect, big, slow). The
introspection and JWKS endpoints can be stalled (`introspection_delay`, `jwks_delay`): each request is
read, then held that long before it is answered, on its own thread, so the other endpoints still answer.

Used in-process by tests/integration/test_bearer_remote.py (IdentityProvider) and as a subprocess by the
C++ unit tests (`python3 idp.py [--cert CHAIN --key KEY] [--wrong-cert CHAIN --wrong-key KEY]` prints
`http PORT`, `https PORT`, `wrong PORT` lines and serves until its stdin closes). Tests change its
behaviour with POST /_control/set (a JSON object merged into the state) and read GET /_control/stats.

Connections are kept alive (HTTP/1.1) unless the client says close; `connections` in the stats counts
those that carried at least one request outside /_control, by the path of their first such request,
so tests can tell reuse from reconnecting.
"""
import base64
import json
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)  # notified on every update (ends or shortens stalls)
        self.values = {
            "issuer": None,           # discovery "issuer"; None = the server's own base URL
            "jwks_uri": None,         # discovery "jwks_uri"; None = base + /jwks
            "jwks": {"keys": []},
            "jwks_status": 200,
            "cache_control": None,
            "client_id": "gateway",
            "client_secret": "s3cret",
            "introspection": {},      # token → response object; unknown tokens are {"active": false}
            "introspection_status": 200,
            "introspection_raw": None,  # a literal response body (for broken answers)
            "slow_seconds": 3,
            # Seconds each introspection (JWKS) request is held before it is answered; re-read while
            # waiting, so lowering it ends the stalls in progress. A client that gave up is no error.
            "introspection_delay": 0,
            "jwks_delay": 0,
            "jwks_gone": [],          # JWKS paths answering 404 (a jwks_uri that moved away)
            "connection_close": False,  # answer with "Connection: close" and close
            "close_silently": False,  # close every connection after its response, without saying so
            "drop_requests": 0,       # this many requests get no answer at all: the connection just closes
        }
        self.counts = {}
        self.last = {}
        self.connections = {}  # path of the first request → connections

    def get(self, name):
        with self.lock:
            return self.values[name]

    def update(self, changes):
        with self.lock:
            self.values.update(changes)
            self.changed.notify_all()

    def stall(self, knob):
        """Waits until `knob` seconds have passed since the call (re-read on every update)."""
        start = time.monotonic()
        with self.lock:
            while True:
                left = start + self.values[knob] - time.monotonic()
                if left <= 0:
                    return
                self.changed.wait(left)

    def count(self, path, record):
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            self.last[path] = record

    def connection(self, path):
        with self.lock:
            self.connections[path] = self.connections.get(path, 0) + 1

    def take_drop(self):
        """True when the current request is to be dropped (drop_requests counts down)."""
        with self.lock:
            if self.values["drop_requests"] > 0:
                self.values["drop_requests"] -= 1
                return True
            return False

    def stats(self):
        with self.lock:
            return {"counts": dict(self.counts), "last": dict(self.last), "connections": dict(self.connections)}


def make_handler(state: State, base_url):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # a kept-alive answer is written in two parts: no 40 ms ACK wait

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            self.counted = False

        def served(self, path):
            """Counts this connection once it carries a request outside /_control; False when the
            request is to be dropped unanswered (drop_requests)."""
            if path.startswith("/_control"):
                return True
            if not self.counted:
                self.counted = True
                state.connection(path)
            if state.take_drop():
                self.close_connection = True
                return False
            return True

        def reply(self, status, body, content_type="application/json", headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            if state.get("connection_close"):
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            if state.get("close_silently"):
                self.close_connection = True

        def reply_late(self, *args, **kwargs):
            """reply() after a stall: the caller may have given up and closed the connection meanwhile."""
            try:
                self.reply(*args, **kwargs)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            state.count(path, {"headers": dict(self.headers.items())})
            if not self.served(path):
                return
            base = base_url()
            if path == "/.well-known/openid-configuration":
                self.reply(200, {"issuer": state.get("issuer") or base,
                                 "jwks_uri": state.get("jwks_uri") or base + "/jwks"})
            elif path in state.get("jwks_gone"):
                self.reply(404, {"error": "not found"})
            elif path in ("/jwks", "/jwks2"):
                state.stall("jwks_delay")
                headers = [("Cache-Control", state.get("cache_control"))] if state.get("cache_control") else []
                status = state.get("jwks_status")
                self.reply_late(status, state.get("jwks") if status == 200 else {"error": "down"},
                                headers=headers)
            elif path == "/redirect":
                self.reply(302, b"", headers=[("Location", base + "/jwks")])
            elif path == "/big":
                self.reply(200, b"[" + b"0," * (1 << 20) + b"0]")
            elif path == "/slow":
                time.sleep(state.get("slow_seconds"))
                self.reply(200, {"slow": True})
            elif path == "/echo":
                self.reply(200, {"method": "GET", "target": self.path, "headers": dict(self.headers.items())})
            elif path == "/_control/stats":
                self.reply(200, state.stats())
            else:
                self.reply(404, {"error": "not found"})

        def do_POST(self):
            path = urllib.parse.urlsplit(self.path).path
            body = self.read_body()
            if path == "/_control/set":
                state.update(json.loads(body))
                self.reply(200, {"ok": True})
                return
            state.count(path, {"headers": dict(self.headers.items()), "body": body.decode("latin-1")})
            if not self.served(path):
                return
            if path == "/echo":
                self.reply(200, {"method": "POST", "target": self.path, "headers": dict(self.headers.items()),
                                 "body": body.decode("latin-1")})
            elif path == "/introspect":
                state.stall("introspection_delay")
                try:
                    self.introspect(body)
                except (BrokenPipeError, ConnectionResetError):  # the caller gave up during a stall
                    self.close_connection = True
            else:
                self.reply(404, {"error": "not found"})

        def introspect(self, body):
            # RFC 7662 §2.1: the caller authenticates as a client (here HTTP Basic, RFC 6749 §2.3.1).
            expected = urllib.parse.quote_plus(state.get("client_id")) + ":" + \
                urllib.parse.quote_plus(state.get("client_secret"))
            given = self.headers.get("Authorization", "")
            if given != "Basic " + base64.b64encode(expected.encode()).decode():
                self.reply(401, {"error": "invalid_client"}, headers=[("WWW-Authenticate", 'Basic realm="as"')])
                return
            if state.get("introspection_status") != 200:
                self.reply(state.get("introspection_status"), {"error": "down"})
                return
            if state.get("introspection_raw") is not None:
                self.reply(200, state.get("introspection_raw").encode())
                return
            form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
            token = form.get("token", [""])[0]
            self.reply(200, state.get("introspection").get(token, {"active": False}))

    return Handler


class Server(ThreadingHTTPServer):
    # Why a longer listen queue than socketserver's 5: a gateway calling a stalled endpoint opens many
    # connections at once, and SYNs dropped on a full queue would be retried only a second later.
    request_queue_size = 256


class IdentityProvider:
    """One fake IdP on a free 127.0.0.1 port, plain HTTP or TLS (`tls=(chain, key)`)."""

    def __init__(self, tls=None, state=None):
        self.state = state or State()
        self.server = Server(("127.0.0.1", 0), make_handler(self.state, lambda: self.url))
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    def count(self, path):
        return self.state.stats()["counts"].get(path, 0)

    def connections(self, path):
        """Connections whose first request went to `path`."""
        return self.state.stats()["connections"].get(path, 0)


def main(argv):
    args = dict(zip(argv[1::2], argv[2::2]))
    state = State()
    servers = [("http", IdentityProvider(state=state))]
    if "--cert" in args:
        servers.append(("https", IdentityProvider((args["--cert"], args["--key"]), state)))
    if "--wrong-cert" in args:
        servers.append(("wrong", IdentityProvider((args["--wrong-cert"], args["--wrong-key"]), state)))
    for name, server in servers:
        server.start()
        print(name, server.port, flush=True)
    print("ready", flush=True)
    sys.stdin.read()  # the parent test closes our stdin (or dies): stop
    for _, server in servers:
        server.stop()


if __name__ == "__main__":
    main(sys.argv)
