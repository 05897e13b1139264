"""`authgate demo`: no files, a built-in echo upstream behind /public (anonymous), /private (any user) and
/admin (group admins); it prints ready-to-paste curl lines, which we run as printed."""
import json
import re
import shlex
import subprocess
import time

import pytest
import requests

from harness.ports import free_port


@pytest.fixture
def demo(launcher):
    port, admin = free_port(), free_port()
    process = launcher.spawn(["demo", "--listen", f"127.0.0.1:{port}", "--admin", f"127.0.0.1:{admin}"],
                             label="demo")
    process.wait_ready([port])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not curl_lines(process):
        time.sleep(0.05)
    return process, port, admin


def curl_lines(process) -> list:
    text = process.stdout_text() + "\n" + process.stderr_text()
    return [line.strip().lstrip("$ ") for line in text.splitlines() if re.match(r"\s*(\$ )?curl\s", line)]


def credentials(lines: list) -> dict:
    """{user: password} from the first `-u user:password` of each user in the printed lines."""
    found = {}
    for line in lines:
        words = shlex.split(line)
        for flag, value in zip(words, words[1:]):
            if flag in ("-u", "--user"):
                user, _, password = value.partition(":")
                found.setdefault(user, password)  # the first line shows the right password; later ones may not
    return found


def test_demo_prints_curl_lines_for_its_own_port(demo):
    process, port, _ = demo
    lines = curl_lines(process)
    assert len(lines) >= 3, process.stdout_text()
    assert all(f"127.0.0.1:{port}" in line or f"localhost:{port}" in line for line in lines), lines


def test_every_printed_curl_line_works(demo):
    process, _, _ = demo
    for line in curl_lines(process):
        words = shlex.split(line)
        result = subprocess.run([words[0], "-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}",
                                 *words[1:]], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{line}: {result.stderr}"
        assert int(result.stdout) in (200, 401, 403), f"{line} answered {result.stdout}"


def test_demo_routes_behave_as_documented(demo):
    process, port, _ = demo
    base = f"http://127.0.0.1:{port}"
    users = credentials(curl_lines(process))
    assert users, "the demo prints users with their passwords"
    public = requests.get(base + "/public", timeout=10)
    assert public.status_code == 200
    assert json.loads(public.text)["method"] == "GET", "the built-in upstream echoes the request as JSON"
    private = requests.get(base + "/private", timeout=10)
    assert private.status_code == 401
    assert re.fullmatch(r'Basic realm="[^"]+", charset="UTF-8"', private.headers["WWW-Authenticate"])
    statuses = {user: requests.get(base + "/admin", auth=(user, pw), timeout=10).status_code
                for user, pw in users.items()}
    assert 200 in statuses.values(), f"some demo user must be an admin: {statuses}"
    for user, password in users.items():
        assert requests.get(base + "/private", auth=(user, password), timeout=10).status_code == 200
        assert requests.get(base + "/private", auth=(user, password + "x"), timeout=10).status_code == 401


def test_demo_admin_listener_answers(demo):
    _, _, admin = demo
    deadline = time.monotonic() + 15
    while True:
        try:
            assert requests.get(f"http://127.0.0.1:{admin}/healthz", timeout=5).status_code == 200
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_demo_digest_route_takes_every_client_with_the_printed_password(demo):
    """The demo's Digest route (RFC 7616): SHA-256 offered first, MD5 after it for old clients; the printed
    `curl --digest` line gets 200, and so does python requests' HTTPDigestAuth with the same user."""
    process, port, _ = demo
    base = f"http://127.0.0.1:{port}"
    digest_lines = [line for line in curl_lines(process) if "--digest" in line]
    assert digest_lines, "the demo prints a curl --digest line"
    words = shlex.split(digest_lines[0])
    result = subprocess.run([words[0], "-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}",
                             *words[1:]], capture_output=True, text=True, timeout=60)
    assert result.stdout == "200", f"{digest_lines[0]} answered {result.stdout}: {result.stderr}"
    challenge = requests.get(base + "/digest", timeout=10)
    assert challenge.status_code == 401
    lines = challenge.raw.headers.getlist("WWW-Authenticate")
    assert [re.search(r"algorithm=([\w-]+)", line).group(1) for line in lines] == ["SHA-256", "MD5"]
    user, password = re.search(r"-u (\S+):(\S+)", digest_lines[0]).groups()
    answered = requests.get(base + "/digest", auth=requests.auth.HTTPDigestAuth(user, password), timeout=10)
    assert answered.status_code == 200
    assert [v for k, v in json.loads(answered.text)["headers"] if k == "X-Auth-User"] == [user]
    assert answered.headers["Authentication-Info"].startswith("qop=auth, rspauth=")
