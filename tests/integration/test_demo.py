"""`authgate demo`: no files, a built-in echo upstream behind /public (anonymous), /private (any user) and
/admin (group admins), and a forward-proxy listener to that echo origin only; it prints ready-to-paste curl
lines, which we run as printed."""
import json
import os
import re
import shlex
import subprocess
import time

import pytest
import requests

from harness.gateway import authgate_bin
from harness.ports import free_port


@pytest.fixture
def demo(launcher):
    """`authgate demo` on free ports: (process, listener port, admin port, forward-proxy port), once every
    listener is ready and the curl lines are printed. The decision listener's port is process.decide_port."""
    port, admin, proxy, decide = free_port(), free_port(), free_port(), free_port()
    process = launcher.spawn(["demo", "--listen", f"127.0.0.1:{port}", "--admin", f"127.0.0.1:{admin}",
                              "--proxy", f"127.0.0.1:{proxy}", "--decide", f"127.0.0.1:{decide}"],
                             label="demo")
    process.wait_ready([port, proxy, decide])
    process.decide_port = decide
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not curl_lines(process):
        time.sleep(0.05)
    return process, port, admin, proxy


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


def proxy_lines(lines: list) -> list:
    """The printed curl lines that go through a proxy (`-x`)."""
    return [line for line in lines if "-x" in shlex.split(line)]


def decision_lines(lines: list) -> list:
    """The printed curl lines that ask the forward-auth decision endpoint (as Traefik does)."""
    return [line for line in lines if "X-Forwarded-Uri:" in line]


def test_demo_prints_curl_lines_for_its_own_port(demo):
    """Every printed line names the port the demo was given: the listener's, or for the proxy lines the
    proxy's (after -x) and the echo origin's port (the only destination the demo's proxy allows)."""
    process, port, _, proxy = demo
    lines = curl_lines(process)
    assert len(lines) >= 3, process.stdout_text()
    direct = [line for line in lines if line not in proxy_lines(lines) and line not in decision_lines(lines)]
    assert all(f"127.0.0.1:{port}" in line or f"localhost:{port}" in line for line in direct), direct
    assert len(decision_lines(lines)) == 3, lines
    for line in decision_lines(lines):
        assert shlex.split(line)[-1] == f"http://127.0.0.1:{process.decide_port}/", line
    assert len(proxy_lines(lines)) == 2, lines
    for line in proxy_lines(lines):
        words = shlex.split(line)
        assert words[words.index("-x") + 1] == f"http://127.0.0.1:{proxy}", line
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/hello", words[-1]), line


def run_curl_line(line: str, *extra) -> subprocess.CompletedProcess:
    """Runs a printed curl line as printed (plus `extra` options), with no proxy from the environment;
    stdout ends with the status code."""
    words = shlex.split(line)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return subprocess.run([words[0], "-sS", "--max-time", "20", *extra, "-w", "%{http_code}", *words[1:]],
                          capture_output=True, text=True, timeout=60, env=env)


def test_every_printed_curl_line_works(demo):
    """Each line runs and gets one of the answers the banner promises: 200, 401, 403, or 407 from the proxy."""
    process, _, _, _ = demo
    for line in curl_lines(process):
        result = run_curl_line(line, "-o", "/dev/null")
        assert result.returncode == 0, f"{line}: {result.stderr}"
        assert int(result.stdout) in (200, 401, 403, 407), f"{line} answered {result.stdout}"


def test_demo_proxy_lines_get_200_with_credentials_and_407_without(demo):
    """The printed proxy line with --proxy-user alice:wonderland reaches the echo origin (200, the echo of
    GET /hello, no Proxy-Authorization in it); the same line without --proxy-user gets 407 with the demo
    realm's Basic challenge in Proxy-Authenticate, never WWW-Authenticate."""
    process, _, _, _ = demo
    lines = proxy_lines(curl_lines(process))
    with_user = [line for line in lines if "--proxy-user" in line]
    without_user = [line for line in lines if "--proxy-user" not in line]
    assert len(with_user) == len(without_user) == 1, lines
    result = run_curl_line(with_user[0], "-s")
    body, status = result.stdout[:-3], result.stdout[-3:]
    assert status == "200", f"{with_user[0]}: {result.stdout} {result.stderr}"
    echoed = json.loads(body[body.index("{"):])
    assert (echoed["method"], echoed["path"]) == ("GET", "/hello")
    assert [k for k, _ in echoed["headers"] if k.lower() == "proxy-authorization"] == []
    refused = run_curl_line(without_user[0], "-s")
    assert refused.stdout.endswith("407"), f"{without_user[0]}: {refused.stdout}"
    head = refused.stdout.split("\n\n", 1)[0].splitlines()  # text mode turned CRLF into LF
    assert head[0] == "HTTP/1.1 407 Proxy Authentication Required"
    assert 'Proxy-Authenticate: Basic realm="authgate demo", charset="UTF-8"' in head
    assert not any(line.lower().startswith("www-authenticate:") for line in head)


def test_demo_routes_behave_as_documented(demo):
    """/public answers anonymously with the echo; /private challenges with the demo's Basic realm and takes
    every printed user's password (and not a wrong one); some printed user is an admin."""
    process, port, _, _ = demo
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
    """The admin listener given with --admin answers /healthz."""
    _, _, admin, _ = demo
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
    process, port, _, _ = demo
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


def test_demo_decision_lines_answer_as_a_front_proxy_expects(demo):
    """The printed forward-auth lines, run as printed: alice on /private → 200 with her identity in the
    X-Auth-* fields for the front proxy to copy; no credentials → 401 with the demo realm's challenge;
    bob on /admin → 403 (he is not in admins)."""
    process, _, _, _ = demo
    lines = decision_lines(curl_lines(process))
    answers = {}
    for line in lines:
        result = run_curl_line(line, "-s")
        head = result.stdout.split("\n\n", 1)[0].splitlines()
        answers[line] = (result.stdout[-3:], head)
    alice = next(line for line in lines if "alice:" in line)
    nobody = next(line for line in lines if " -u " not in line)
    bob = next(line for line in lines if "bob:" in line)
    status, head = answers[alice]
    assert status == "200", answers[alice]
    assert "X-Auth-User: alice" in head and "X-Auth-Groups: admins" in head and "X-Auth-Scheme: Basic" in head
    status, head = answers[nobody]
    assert status == "401", answers[nobody]
    assert 'WWW-Authenticate: Basic realm="authgate demo", charset="UTF-8"' in head
    assert answers[bob][0] == "403", answers[bob]


def test_demo_revoke_line_locks_bob_out_everywhere(demo):
    """The printed `authgate revoke` line, run as printed, makes bob's right password a 401; alice is served."""
    process, port, _, _ = demo
    text = process.stdout_text()
    line = next(l.strip() for l in text.splitlines() if l.strip().startswith("authgate revoke "))
    words = shlex.split(line)
    done = subprocess.run([authgate_bin(), *words[1:]], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["revoked"] == {"user": "bob"}
    base = f"http://127.0.0.1:{port}"
    assert requests.get(f"{base}/private", auth=("bob", "builder"), timeout=10).status_code == 401
    assert requests.get(f"{base}/private", auth=("alice", "wonderland"), timeout=10).status_code == 200


def test_demo_browser_lines_show_the_built_in_401_page_and_the_demos_own_403_page(demo):
    """The two `Accept: text/html` lines, run as printed: the built-in 401 page with its challenge, and the
    demo's own page for /admin's 403 (error_pages)."""
    process, _, _, _ = demo
    lines = [line for line in curl_lines(process) if "Accept: text/html" in line]
    assert len(lines) == 2, lines
    for line, status, heading in ((lines[0], "401", "<h1>401 Unauthorized</h1>"),
                                  (lines[1], "403", "<h1>Admins only</h1>")):
        result = run_curl_line(line)
        assert result.returncode == 0, f"{line}: {result.stderr}"
        assert result.stdout.endswith(status), f"{line} answered {result.stdout[-3:]}"
        head, body = result.stdout[:-3].split("\n\n", 1)  # text mode turned CRLF into LF
        assert "Content-Type: text/html; charset=utf-8" in head, head
        assert heading in body, body
