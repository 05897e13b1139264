"""The same GET done by each real client a user might point at the gateway. Every function takes
(url, user, password) — password may be None for no credentials — and returns (status, body bytes, headers)."""
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import requests


def _curl(url: str, user, password, *flags) -> tuple:
    with tempfile.TemporaryDirectory() as tmp:
        body, head = Path(tmp) / "body", Path(tmp) / "head"
        args = ["curl", "-sS", "--max-time", "30", "-o", body, "-D", head, "-w", "%{http_code}", *flags]
        if password is not None:
            args += ["-u", f"{user}:{password}"]
        result = subprocess.run([*args, url], capture_output=True, text=True, timeout=60, check=True)
        headers = _last_head(head.read_bytes().decode("latin-1"))
        return int(result.stdout), body.read_bytes(), headers


def _last_head(text: str) -> dict:
    """The fields of the last response in a curl -D dump (--anyauth dumps the 401 first)."""
    block = [b for b in text.split("\r\n\r\n") if b.strip()][-1]
    fields = {}
    for line in block.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        fields.setdefault(name.strip().lower(), value.strip())
    return fields


def curl_u(url, user, password):
    return _curl(url, user, password)


def curl_basic(url, user, password):
    return _curl(url, user, password, "--basic")


def curl_anyauth(url, user, password):
    """curl --anyauth first asks without credentials and picks the scheme from the 401's challenge."""
    return _curl(url, user, password, "--anyauth")


def python_requests(url, user, password):
    # requests encodes str credentials as Latin-1; bytes go as they are, so UTF-8 works (RFC 7617 §2.1).
    auth = (user.encode("utf-8"), password.encode("utf-8")) if password is not None else None
    response = requests.get(url, auth=auth, timeout=30)
    return response.status_code, response.content, {k.lower(): v for k, v in response.headers.items()}


def python_httpx(url, user, password):
    auth = httpx.BasicAuth(user, password) if password is not None else None
    response = httpx.get(url, auth=auth, timeout=30)
    return response.status_code, response.content, {k.lower(): v for k, v in response.headers.items()}


def urllib_handler(url, user, password, realm="Staff area"):
    """HTTPBasicAuthHandler + HTTPPasswordMgr: credentials only go out after a 401 whose realm it knows."""
    manager = urllib.request.HTTPPasswordMgr()
    if password is not None:
        manager.add_password(realm, url, user, password)
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager))
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read(), {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, error.read(), {k.lower(): v for k, v in error.headers.items()}


ALL = {
    "curl -u": curl_u,
    "curl --basic": curl_basic,
    "curl --anyauth": curl_anyauth,
    "python requests auth=": python_requests,
    "httpx BasicAuth": python_httpx,
    "urllib HTTPBasicAuthHandler": urllib_handler,
}
