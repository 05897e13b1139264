"""The request kinds: one fixed request each, sent N times on one keep-alive connection.

Every kind starts with the same browser-like head (Host, User-Agent, Accept, Accept-Encoding,
Connection: keep-alive; 275 bytes with the request line of `noauth`) and adds its own fields after it."""

from . import httpclient

COMMON_HEADERS = (
    ("Host", "app.example.com"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Connection", "keep-alive"),
)

POST_BODY_BYTES = 4096


class Kind:
    """One request kind: what is sent, what must come back, and which servers can answer it."""

    def __init__(self, name, method, path, status, servers, auth=None, body=b"", proxied=True,
                 description=""):
        self.name, self.method, self.path, self.status = name, method, path, status
        self.servers, self.auth, self.body, self.proxied = servers, auth, body, proxied
        self.description = description

    def request_bytes(self, credentials):
        """The request, with the Authorization field the kind needs (from credentials: basic, bearer)."""
        headers = list(COMMON_HEADERS)
        if self.auth == "basic":
            headers.append(("Authorization", "Basic " + credentials["basic"]))
        elif self.auth == "bearer":
            headers.append(("Authorization", "Bearer " + credentials["bearer"]))
        if self.body:
            headers += [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(self.body)))]
        return httpclient.build_request(self.method, self.path, headers, self.body)

    def check(self, response):
        """'' when the response is the one expected, else what is wrong with it."""
        if response.status != self.status:
            return f"status {response.status} (expected {self.status}): {response.body[:200]!r}"
        if self.proxied and response.body != b"ok\n":
            return f"body {response.body[:200]!r} is not the upstream's 'ok\\n'"
        if self.status == 401:
            challenges = response.header_all("WWW-Authenticate")
            if not any(c.lower().startswith("basic ") for c in challenges):
                return f"401 without a Basic challenge (WWW-Authenticate: {challenges})"
        if response.closes:
            return "the server closes the connection (Connection: close)"
        return ""


def _post_body():
    """4 KiB of fixed printable bytes."""
    pattern = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_\n"
    return (pattern * (POST_BODY_BYTES // len(pattern) + 1))[:POST_BODY_BYTES]


KINDS = {
    k.name: k for k in (
        Kind("noauth", "GET", "/public/item", 200, ("authgate", "nginx"),
             description="anonymous route, proxied"),
        Kind("401", "GET", "/private/item", 401, ("authgate", "nginx"), proxied=False,
             description="Basic route, no credentials: 401 + challenge"),
        Kind("basic-cached", "GET", "/private/item", 200, ("authgate",), auth="basic",
             description="Basic (bcrypt cost 10), verify cache hit, proxied"),
        Kind("bearer-rs256-cached", "GET", "/api/item", 200, ("authgate",), auth="bearer",
             description="Bearer RS256 JWT, verify cache hit, proxied"),
        Kind("post-4k", "POST", "/public/upload", 200, ("authgate",), body=_post_body(),
             description="anonymous route, 4 KiB body (Content-Length), proxied"),
    )
}

SERVERS = ("authgate", "nginx")
