"""Every htpasswd format Apache's and Debian's tools write verifies, and a wrong password does not
(nginx-tests auth_basic.t style: one line per format). The lines are made by `htpasswd`, `mkpasswd` and
Debian's `argon2` CLI, never by authgate. Plaintext and DES-crypt are refused unless the realm opts in."""
import signal
import time

import pytest
import requests

from harness import configs, passwords, yaml_text
from harness.passwords import argon2_line, htpasswd_line, mkpasswd_line

# (id, user, how the line is made, the prefix the hash must have)
FORMATS = [
    ("bcrypt $2y$ from htpasswd -B", "bcrypt-2y", lambda u, p: htpasswd_line(u, p, "B -C 5"), "$2y$05$"),
    ("bcrypt $2b$ from mkpasswd", "bcrypt-2b", lambda u, p: mkpasswd_line(u, p, "bcrypt"), "$2b$"),
    ("bcrypt $2a$ from mkpasswd", "bcrypt-2a", lambda u, p: mkpasswd_line(u, p, "bcrypt-a"), "$2a$"),
    ("apr1-MD5 from htpasswd -m", "apr1", lambda u, p: htpasswd_line(u, p, "m"), "$apr1$"),
    ("SHA-1 from htpasswd -s", "sha1", lambda u, p: htpasswd_line(u, p, "s"), "{SHA}"),
    ("sha256-crypt from htpasswd -2", "sha256-ht", lambda u, p: htpasswd_line(u, p, "2"), "$5$"),
    ("sha512-crypt from htpasswd -5", "sha512-ht", lambda u, p: htpasswd_line(u, p, "5"), "$6$"),
    ("sha512-crypt with rounds from htpasswd -5 -r 6000", "sha512-rounds",
     lambda u, p: htpasswd_line(u, p, "5 -r 6000"), "$6$rounds=6000$"),
    ("sha256-crypt from mkpasswd", "sha256-mk", lambda u, p: mkpasswd_line(u, p, "sha256crypt"), "$5$"),
    ("sha512-crypt from mkpasswd", "sha512-mk", lambda u, p: mkpasswd_line(u, p, "sha512crypt"), "$6$"),
    ("yescrypt from mkpasswd", "yescrypt", lambda u, p: mkpasswd_line(u, p, "yescrypt"), "$y$"),
    ("argon2id from the argon2 CLI", "argon2id", argon2_line, "$argon2id$v=19$"),
]
# Formats a realm refuses unless allow_plaintext (logged as a warning at start).
WEAK = [
    ("plaintext from htpasswd -p", "plain", lambda u, p: htpasswd_line(u, p, "p"), None),
    ("DES-crypt from htpasswd -d", "des", lambda u, p: htpasswd_line(u, p, "d"), None),
]


def password_for(user: str) -> str:
    """Each user's password: a colon (allowed in passwords, RFC 7617 §2), a space and a non-ASCII letter."""
    return f"{user}:Pa ss-wörd"


def plain_password(user: str) -> str:
    return "Pa ss-wörd-plain"  # no colon: Apache reads an htpasswd hash only up to the next colon


def des_password(user: str) -> str:
    return "d3s-pw:1"  # DES-crypt uses 8 bytes; keep it ASCII and exactly 8


@pytest.fixture(scope="module")
def lines(tmp_path_factory):
    made = {}
    for _, user, make, prefix in FORMATS + WEAK:
        password = {"des": des_password, "plain": plain_password}.get(user, password_for)(user)
        line = make(user, password)
        name, _, hashed = line.partition(":")
        assert name == user and (prefix is None or hashed.startswith(prefix)), line
        made[user] = (line, password)
    return made


@pytest.fixture(scope="module")
def formats_gateway(module_launcher, module_upstream, lines, tmp_path_factory):
    directory = tmp_path_factory.mktemp("formats")
    htpasswd = passwords.write_htpasswd(directory / "formats.htpasswd", [line for line, _ in lines.values()])
    groups = directory / "groups.txt"
    groups.write_text("")
    config = configs.gateway_config(module_upstream.url, htpasswd, groups)
    config["realms"] = {
        "strict": {"scheme": "basic", "realm": "Strict", "store": "staff"},
        "lenient": {"scheme": "basic", "realm": "Lenient", "store": "staff", "allow_plaintext": True},
    }
    config["routes"] = [configs.route("lenient", "/lenient", {"realms": ["lenient"]}),
                        configs.route("strict", "/", {"realms": ["strict"]})]
    return module_launcher.serve(config)


def get(gateway, path: str, user: str, password: str) -> requests.Response:
    return requests.get(gateway.url(path), auth=(user.encode(), password.encode("utf-8")), timeout=30)


@pytest.mark.parametrize("user", [f[1] for f in FORMATS], ids=[f"{f[0]} verifies" for f in FORMATS])
def test_format_verifies(formats_gateway, lines, user):
    response = get(formats_gateway, "/strict", user, lines[user][1])
    assert response.status_code == 200, f"{lines[user][0]!r} did not verify"
    users = [v for k, v in response.json()["headers"] if k.lower() == "x-auth-user"]
    assert users == [user]


@pytest.mark.parametrize("user", [f[1] for f in FORMATS], ids=[f"{f[0]} refuses a wrong password" for f in FORMATS])
def test_format_refuses_wrong_password(formats_gateway, lines, user):
    assert get(formats_gateway, "/strict", user, lines[user][1] + "x").status_code == 401
    assert get(formats_gateway, "/strict", user, lines[user][1][:-1]).status_code == 401


@pytest.mark.parametrize("user", [w[1] for w in WEAK], ids=[f"{w[0]} is refused by default" for w in WEAK])
def test_weak_format_refused_by_default(formats_gateway, lines, user):
    assert get(formats_gateway, "/strict", user, lines[user][1]).status_code == 401


@pytest.mark.parametrize("user", [w[1] for w in WEAK], ids=[f"{w[0]} verifies with allow_plaintext" for w in WEAK])
def test_weak_format_allowed_when_opted_in(formats_gateway, lines, user):
    assert get(formats_gateway, "/lenient/x", user, lines[user][1]).status_code == 200
    assert get(formats_gateway, "/lenient/x", user, "wrong-pw").status_code == 401


def test_weak_formats_are_warned_about_at_start(formats_gateway):
    stderr = formats_gateway.process.stderr_text().lower()
    assert "plaintext" in stderr or "plain" in stderr, "allow_plaintext must be logged as a warning"


def test_a_reload_that_withdraws_allow_plaintext_refuses_a_cached_plaintext_login(launcher, upstream, lines, tmp_path):
    """A plaintext login verified (and cached) while the realm allowed it must not outlive a reload that
    withdraws allow_plaintext (a reload reads the store again, whose new generation misses the cache); a
    bcrypt login still verifies after it."""
    htpasswd = passwords.write_htpasswd(tmp_path / "formats.htpasswd", [lines["plain"][0], lines["bcrypt-2y"][0]])
    groups = tmp_path / "groups.txt"
    groups.write_text("")
    config = configs.gateway_config(upstream.url, htpasswd, groups)
    config["realms"] = {"lenient": {"scheme": "basic", "realm": "Lenient", "store": "staff", "allow_plaintext": True}}
    config["routes"] = [configs.route("lenient", "/", {"realms": ["lenient"]})]
    gw = launcher.serve(config)
    assert get(gw, "/x", "plain", lines["plain"][1]).status_code == 200
    assert get(gw, "/x", "bcrypt-2y", lines["bcrypt-2y"][1]).status_code == 200
    config["realms"]["lenient"]["allow_plaintext"] = False
    gw.rewrite_config(yaml_text.dump(config))
    gw.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while "now serving config generation 2" not in gw.process.stderr_text():
        assert time.monotonic() < deadline, "the reload did not land"
        time.sleep(0.05)
    assert get(gw, "/x", "plain", lines["plain"][1]).status_code == 401
    assert get(gw, "/x", "bcrypt-2y", lines["bcrypt-2y"][1]).status_code == 200
