#!/usr/bin/python3
"""A stand-in for the protected app: answers every request with its request line and header fields as
text, so you can see what the front proxy passes on (X-Auth-User, X-Auth-Groups, X-Auth-Scheme, and no
Authorization). Example only; listens on 127.0.0.1:3000 unless given another port.

    python3 examples/forward-auth/echo_app.py [PORT]
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        lines = [self.requestline] + [f"{name}: {value}" for name, value in self.headers.items()]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = answer


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    ThreadingHTTPServer(("127.0.0.1", port), Echo).serve_forever()
