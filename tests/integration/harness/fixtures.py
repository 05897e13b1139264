"""pytest fixtures and the report hook, shared by tests/integration and tests/browser (their conftest.py
files import everything from here)."""
import base64

import pytest

from . import configs, passwords
from .gateway import LIVE, Launcher
from .upstream import EchoUpstream


def basic(user: str, password: str) -> str:
    """An Authorization value for Basic: base64 of the UTF-8 user-pass (RFC 7617 §2, §2.1)."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the output of every authgate process still alive to the report."""
    if call.excinfo is not None and call.when in ("setup", "call"):
        for process in list(LIVE):
            item.add_report_section(call.when, f"{process.label} stderr", process.stderr_text()[-8000:])
            item.add_report_section(call.when, f"{process.label} stdout", process.stdout_text()[-8000:])
    yield


@pytest.fixture(scope="module")
def ring():
    """Signing keys of every kind (harness/tokens.py), one set per test module."""
    from .tokens import KeyRing  # here: PyJWT is imported only by the modules that sign tokens
    return KeyRing()


def _checked(server: EchoUpstream):
    """Stops the upstream, lets its connections end (the gateways were stopped first: the launchers depend
    on the upstreams), then fails the test if any connection carried a byte outside a well-formed request."""
    server.stop()
    server.wait_closed(timeout=5)
    server.assert_clean()


@pytest.fixture
def upstream():
    """The strict echo upstream (harness/upstream.py), fresh for each test, checked at the end."""
    server = EchoUpstream().start()
    yield server
    _checked(server)


@pytest.fixture
def store_files(tmp_path):
    """(users.htpasswd, groups.txt) for alice, bob and jürgen, written by Debian's htpasswd."""
    return passwords.write_default_store(tmp_path)


@pytest.fixture
def config(upstream, store_files):
    """The default gateway config (harness/configs.py) on fresh ports; tests may change it before launch."""
    return configs.gateway_config(upstream.url, *store_files)


@pytest.fixture
def launcher(tmp_path, upstream):
    """Starts authgate processes in this test's temp dir and stops every one of them afterwards — before
    `upstream` is checked, so every upstream connection has ended by then."""
    launch = Launcher(tmp_path)
    yield launch
    launch.stop_all()


@pytest.fixture
def gateway(launcher, config):
    """`authgate serve` running the default config."""
    return launcher.serve(config)


@pytest.fixture(scope="module")
def module_launcher(tmp_path_factory, module_upstream):
    """Like `launcher`, shared by the tests of one module (stopped before `module_upstream` is checked)."""
    launch = Launcher(tmp_path_factory.mktemp("authgate"))
    yield launch
    launch.stop_all()


@pytest.fixture(scope="module")
def module_upstream():
    """Like `upstream`, shared by the tests of one module and checked after the last of them."""
    server = EchoUpstream().start()
    yield server
    _checked(server)
