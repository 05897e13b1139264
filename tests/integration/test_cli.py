"""The command line: `authgate check` (exit status, routes, file:line:col errors), `authgate passwd`
(compatible both ways with Apache's htpasswd) and `authgate header parse` (JSON, issue 2)."""
import json
import re

import pytest

from harness import configs, passwords, yaml_text
from harness.gateway import REPO, run_cli


@pytest.fixture
def good_config(tmp_path, store_files):
    config = configs.gateway_config("http://127.0.0.1:9", *store_files)
    path = tmp_path / "authgate.yaml"
    path.write_text(yaml_text.dump(config))
    return path


def test_check_accepts_a_good_config_and_prints_its_routes(good_config):
    result = run_cli(["check", "--config", good_config])
    assert result.returncode == 0, result.stderr
    listed = result.stdout + result.stderr
    for name in ("public", "admin", "bob-only", "limited", "pass", "app"):
        assert name in listed
    assert listed.index("public") < listed.index("admin") < listed.index("limited"), "routes in match order"


def test_check_accepts_the_shipped_example(tmp_path):
    """examples/reverse-proxy.yaml is the format contract; its store files are resolved next to it."""
    example = (REPO / "examples" / "reverse-proxy.yaml").read_text()
    (tmp_path / "users.htpasswd").write_text(passwords.htpasswd_line("alice", "pw", "B -C 4") + "\n")
    (tmp_path / "groups.txt").write_text("admins: alice\n")
    path = tmp_path / "reverse-proxy.yaml"
    path.write_text(example)
    result = run_cli(["check", "--config", path])
    assert result.returncode == 0, result.stdout + result.stderr


# (id, edit of the good YAML text, the text on the line the error must point at)
BROKEN = [
    ("a YAML syntax error", lambda t: t.replace('  io_threads: 2', '  io_threads: 2: 3', 1), "io_threads"),
    ("a route naming an unknown upstream", lambda t: t.replace('upstream: "app"', 'upstream: "nowhere"', 1),
     '"nowhere"'),
    ("a route naming an unknown realm", lambda t: t.replace('realms: ["staff"]', 'realms: ["nobody"]', 1),
     '"nobody"'),
    ("a duration that is not one", lambda t: t.replace('header_timeout: "10s"', 'header_timeout: "ten"'),
     '"ten"'),
    ("a size that is not one", lambda t: t.replace('max_body_bytes: "1KiB"', 'max_body_bytes: "lots"'),
     '"lots"'),
    ("a port out of range", lambda t: re.sub(r"port: \d+", "port: 70000", t, count=1), "70000"),
    ("a misspelt key", lambda t: t.replace("  io_threads: 2", "  io_thread: 2", 1), "io_thread:"),
    ("an htpasswd file that does not exist", lambda t: re.sub(r'path: "[^"]*users.htpasswd"',
                                                              'path: "/nonexistent/users.htpasswd"', t),
     "/nonexistent/users.htpasswd"),
    ("an unmatched status other than 403 or 404", lambda t: t.replace("server:\n", "server:\n  unmatched: 500\n"),
     "unmatched: 500"),
]


def line_of(text: str, needle: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert lines, f"{needle!r} not in the config"
    return lines[0]


@pytest.mark.parametrize("edit, needle", [b[1:] for b in BROKEN], ids=[f"check reports {b[0]} at file:line:col" for b in BROKEN])
def test_check_reports_the_position(good_config, edit, needle):
    text = edit(good_config.read_text())
    good_config.write_text(text)
    result = run_cli(["check", "--config", good_config])
    assert result.returncode != 0
    output = result.stdout + result.stderr
    positions = re.findall(re.escape(str(good_config)) + r":(\d+):(\d+):", output)
    assert positions, f"no {good_config}:line:col in {output!r}"
    assert line_of(text, needle) in [int(line) for line, _ in positions], output
    assert all(int(col) >= 1 for _, col in positions)


def test_check_reports_every_problem_at_once(good_config):
    text = good_config.read_text().replace('upstream: "app"', 'upstream: "nowhere"', 1)
    text = text.replace('realms: ["staff"]', 'realms: ["nobody"]', 1)
    good_config.write_text(text)
    result = run_cli(["check", "--config", good_config])
    assert result.returncode != 0
    lines = {int(m) for m in re.findall(re.escape(str(good_config)) + r":(\d+):\d+:", result.stdout + result.stderr)}
    assert {line_of(text, '"nowhere"'), line_of(text, '"nobody"')} <= lines


def test_check_on_a_missing_file_fails(tmp_path):
    result = run_cli(["check", "--config", tmp_path / "absent.yaml"])
    assert result.returncode != 0
    assert "absent.yaml" in result.stdout + result.stderr


def header_parse(field: str, value: str):
    result = run_cli(["header", "parse", field, value])
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith(("{", "[")) else None)


def challenges_of(parsed):
    """The list of challenges, whether printed bare or under a "challenges" key."""
    return parsed if isinstance(parsed, list) else parsed.get("challenges")


def params_of(item) -> dict:
    params = item.get("params", item.get("auth_params", []))
    if isinstance(params, dict):
        return {k.lower(): v for k, v in params.items()}
    return {p["name"].lower(): p["value"] for p in params}


def test_header_parse_shows_two_challenges():
    result, parsed = header_parse("www-authenticate", 'Basic realm="a", Bearer error="invalid_token"')
    assert result.returncode == 0, result.stderr
    basic, bearer = challenges_of(parsed)
    assert (basic["scheme"].lower(), params_of(basic)) == ("basic", {"realm": "a"})
    assert (bearer["scheme"].lower(), params_of(bearer)) == ("bearer", {"error": "invalid_token"})


def test_header_parse_shows_credentials_with_token68():
    result, parsed = header_parse("authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")
    assert result.returncode == 0, result.stderr
    credentials = parsed.get("credentials", parsed) if isinstance(parsed, dict) else parsed
    assert credentials["scheme"].lower() == "basic"
    assert credentials["token68"] == "YWxhZGRpbjpvcGVuc2VzYW1l"


@pytest.mark.parametrize("field, value", [("www-authenticate", 'Basic realm="unterminated'),
                                          ("authorization", "Basic a b c"),
                                          ("www-authenticate", 'Basic realm="a", realm="b"')],
                         ids=["an unterminated quoted-string is an error with an offset",
                              "credentials with stray words are an error with an offset",
                              "a duplicate parameter is an error with an offset"])
def test_header_parse_reports_errors(field, value):
    result, _ = header_parse(field, value)
    assert result.returncode == 1
    assert re.search(r"offset\D{0,4}\d+", result.stdout + result.stderr), result.stdout + result.stderr
