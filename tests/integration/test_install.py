"""Getting authgate onto a machine (issue 18, docs/install.md), from the build directory of $AUTHGATE_BIN:
`cmake --install` makes a prefix that examples/embed builds against with find_package(authgate) alone, and a
one-file program with pkg-config alone; `cpack -G DEB` makes a package whose binary, unit, conffiles and
maintainer scripts are what docs/install.md says and whose config passes the unpacked binary's `authgate
check`; packaging/Containerfile is a two-stage build whose last stage holds no compiler and runs as a user
(built only where a container runtime answers and AUTHGATE_CONTAINER_BUILD=1: it compiles everything, ~20 min);
every authgate config under examples/ passes `authgate check`, here or in the test named for it."""
import filecmp
import fnmatch
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from harness.gateway import REPO, Launcher, authgate_bin, run_cli, wait_accepting
from harness.ports import free_port

BUILD = Path(authgate_bin()).resolve().parent
VERSION = re.search(r"project\(authgate VERSION (\S+)", (REPO / "CMakeLists.txt").read_text())[1]
CONFFILES = ["/etc/authgate/authgate.yaml", "/etc/authgate/users.htpasswd"]


def run(args, timeout=300, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, **kwargs)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.fixture(scope="module")
def build_dir():
    """The build directory of the binary under test; what installing and packing add to it is removed after."""
    assert (BUILD / "CMakeCache.txt").is_file(), f"{BUILD} is not a CMake build directory ($AUTHGATE_BIN)"
    before = set(BUILD.glob("install_manifest*.txt")) | set(BUILD.glob("pkgconfig"))
    yield BUILD
    for path in set(BUILD.glob("install_manifest*.txt")) | set(BUILD.glob("pkgconfig")):
        if path not in before and path.is_dir():
            shutil.rmtree(path)
        elif path not in before:
            path.unlink()


# --- cmake --install, find_package and pkg-config -----------------------------------------------------

@pytest.fixture(scope="module")
def prefix(tmp_path_factory, build_dir):
    prefix = tmp_path_factory.mktemp("prefix")
    run(["cmake", "--install", build_dir, "--prefix", prefix])
    return prefix


def test_install_puts_the_binary_headers_libraries_and_package_files_under_the_prefix(prefix):
    assert os.access(prefix / "bin" / "authgate", os.X_OK)
    headers = sorted(p.relative_to(REPO / "include").as_posix() for p in (REPO / "include").rglob("*.hpp"))
    installed = sorted(p.relative_to(prefix / "include").as_posix() for p in (prefix / "include").rglob("*.hpp"))
    assert installed == sorted(headers + ["authgate/version.hpp"])
    assert f'version[] = "{VERSION}"' in (prefix / "include" / "authgate" / "version.hpp").read_text()
    for header in (prefix / "include").rglob("*.hpp"):  # the public headers need nothing from src/
        for included in re.findall(r'#include "(authgate/[^"]+)"', header.read_text()):
            assert (prefix / "include" / included).is_file(), f"{header.name} includes {included}"
    layers = sorted(p.name for p in (prefix / "lib").glob("libauthgate_*.a"))
    assert len(layers) >= 9 and "libauthgate_grammar.a" in layers and "libauthgate_echo_upstream.a" not in layers
    cmake_dir = prefix / "lib" / "cmake" / "authgate"
    assert {p.name for p in cmake_dir.glob("authgate-config*.cmake")} == {"authgate-config.cmake",
                                                                          "authgate-config-version.cmake"}
    assert str(REPO) not in (cmake_dir / "authgate-targets.cmake").read_text(), "no path into the source tree"
    assert not (prefix / "etc").exists() and not (prefix / "lib" / "systemd").exists(), "system files: .deb only"


def test_the_embed_example_builds_against_the_prefix_alone_and_finds_what_its_data_promises(prefix, tmp_path):
    build = tmp_path / "embed"
    run(["cmake", "-S", REPO / "examples" / "embed", "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
         "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"])
    assert f"authgate_DIR:PATH={prefix}/lib/cmake/authgate" in (build / "CMakeCache.txt").read_text()
    run(["cmake", "--build", build, "-j", "2"])
    commands = (build / "compile_commands.json").read_text()
    assert f"{REPO}/include" not in commands and str(BUILD) not in commands, "only the installed headers"
    output = run([build / "embed_example"], timeout=60).stdout
    for line in ('ok    parse WWW-Authenticate: Basic realm=simple | Newauth realm=apps type=1 title=Login to "apps"',
                 "ok    Basic alice: Authenticated alice groups=staff",
                 "ok    Basic alice, wrong password: Rejected wrong_password",
                 "ok    JWT (RS256): Authenticated alice groups=staff",
                 "ok    JWT, signature altered: Rejected bad_signature",
                 "ok    decide /admin for alice: 403 user_not_allowed",
                 "ok    decide /reports for the JWT: 200 ok",
                 "ok    decide /admin without credentials: 401 no_credentials, "
                 'WWW-Authenticate: Basic realm="Example area", charset="UTF-8"'):
        assert line in output, output
    assert "FAIL" not in output and f"authgate {VERSION} embedded: 10 of 10 as expected" in output


PKG_CONFIG_PROGRAM = r"""
#include <authgate/grammar/parse.hpp>
#include <authgate/jose/alg.hpp>
#include <authgate/stores/password_hash.hpp>
#include <authgate/version.hpp>
#include <iostream>
int main() {
  const auto challenges = authgate::grammar::parse_challenges(R"(Bearer realm="api", error="invalid_token")");
  const auto hash = authgate::stores::hash_bcrypt("example-only", 4);
  using authgate::stores::VerifyResult;
  const bool match = authgate::stores::verify_password("example-only", *hash) == VerifyResult::match;
  std::cout << authgate::version << ' ' << (*challenges)[0].scheme << ' ' << (match ? "match" : "mismatch") << ' '
            << authgate::jose::to_string(*authgate::jose::parse_alg("RS256")) << '\n';
}
"""


def test_a_one_file_program_compiles_and_links_with_pkg_config_alone(prefix, tmp_path):
    env = {**os.environ, "PKG_CONFIG_PATH": str(prefix / "lib" / "pkgconfig")}
    assert run(["pkg-config", "--modversion", "authgate"], env=env).stdout.strip() == VERSION
    flags = run(["pkg-config", "--cflags", "--libs", "authgate"], env=env).stdout.split()
    assert f"-I{prefix}/include" in flags and f"-L{prefix}/lib" in flags
    (tmp_path / "program.cpp").write_text(PKG_CONFIG_PROGRAM)
    run(["g++", "-std=c++20", tmp_path / "program.cpp", "-o", tmp_path / "program", *flags])
    assert run([tmp_path / "program"], timeout=30).stdout == f"{VERSION} Bearer match RS256\n"


# --- the Debian package ----------------------------------------------------------------------------

class Package:
    """One .deb made by cpack, unpacked into `root`, its control files in `control`."""

    def __init__(self, deb: Path, root: Path, control: Path):
        self.deb, self.root, self.control = deb, root, control
        self.listing = run(["dpkg-deb", "-c", deb]).stdout
        self.info = run(["dpkg-deb", "-I", deb]).stdout

    def field(self, name: str) -> str:
        return run(["dpkg-deb", "-f", self.deb, name]).stdout.strip()


@pytest.fixture(scope="module")
def package(tmp_path_factory, build_dir):
    out = tmp_path_factory.mktemp("packages")
    run(["cpack", "-G", "DEB", "-B", out, "--config", build_dir / "CPackConfig.cmake"])
    debs = list(out.glob("*.deb"))
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    assert [d.name for d in debs] == [f"authgate_{VERSION}_{arch}.deb"]
    root, control = out / "root", out / "control"
    run(["dpkg-deb", "-x", debs[0], root])
    run(["dpkg-deb", "-e", debs[0], control])
    return Package(debs[0], root, control)


def test_the_package_holds_a_stripped_binary_the_unit_and_the_config_and_nothing_to_build_with(package):
    for path in ("./usr/bin/authgate", "./lib/systemd/system/authgate.service", "./etc/authgate/authgate.yaml",
                 "./etc/authgate/users.htpasswd", "./usr/share/doc/authgate/install.md"):
        assert re.search(rf" {re.escape(path)}$", package.listing, re.M), path
    assert re.search(r"^-rwxr-xr-x root/root .* \./usr/bin/authgate$", package.listing, re.M)
    assert not re.search(r"\.(a|hpp|cmake|pc)$|/include/", package.listing, re.M), "no development files"
    sections = run(["readelf", "-S", package.root / "usr/bin/authgate"]).stdout
    assert ".symtab" not in sections and ".debug_info" not in sections, "stripped"


def test_the_control_fields_come_from_the_project_and_dpkg_shlibdeps(package):
    assert package.field("Package") == "authgate" and package.field("Version") == VERSION
    depends = [d.strip().split(" ")[0] for d in package.field("Depends").split(",")]
    assert "adduser" in depends, "postinst runs adduser"
    for library in ("libc6", "libssl3", "libboost-json1.81.0", "libyaml-cpp0.7", "libargon2-1", "libhiredis0.14"):
        assert library in depends, f"{library} (dpkg-shlibdeps) not in {depends}"


def test_the_conffiles_are_the_config_and_the_password_file(package):
    assert (package.control / "conffiles").read_text().split() == CONFFILES
    for script in ("postinst", "prerm", "postrm"):
        assert re.search(rf"^ .* \* +{script} +#!/bin/sh$", package.info, re.M), f"{script} in dpkg-deb -I"
        path = package.control / script
        assert os.access(path, os.X_OK), script
        run(["sh", "-n", path])


def test_the_packaged_config_passes_the_packaged_binary_check(package):
    """Its store path is relative, so it resolves next to the config inside the unpacked root: no rewriting."""
    config = package.root / "etc/authgate/authgate.yaml"
    assert "path: users.htpasswd" in config.read_text()
    done = run([package.root / "usr/bin/authgate", "check", "--config", config], cwd="/")
    assert "0 warning(s)" in done.stdout and "127.0.0.1:8080" in done.stdout
    users = [line for line in (package.root / "etc/authgate/users.htpasswd").read_text().splitlines()
             if line and not line.startswith("#")]
    assert [u.split(":")[0] for u in users] == ["example"] and users[0].split(":")[1].startswith("$2y$")


def unit_settings(text: str) -> dict:
    """{"Section.Key": [values…]} of a systemd unit (keys may repeat)."""
    settings, section = {}, ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(f"{section}.{key}", []).append(value)
    return settings


UNIT = {"User": "authgate", "DynamicUser": "no", "ExecStart": "/usr/bin/authgate serve --config " + CONFFILES[0],
        "ExecReload": "/bin/kill -HUP $MAINPID", "ProtectSystem": "strict", "ProtectHome": "yes",
        "PrivateTmp": "yes", "NoNewPrivileges": "yes", "CapabilityBoundingSet": "CAP_NET_BIND_SERVICE",
        "AmbientCapabilities": "CAP_NET_BIND_SERVICE", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "ReadOnlyPaths": "/etc/authgate", "LogsDirectory": "authgate"}


def test_the_unit_runs_the_binary_as_authgate_in_a_sandbox(package, tmp_path):
    unit = (package.root / "lib/systemd/system/authgate.service").read_text()
    settings = unit_settings(unit)
    for key, value in UNIT.items():
        assert settings.get(f"Service.{key}") == [value], key
    assert "@system-service" in settings["Service.SystemCallFilter"]
    assert settings["Install.WantedBy"] == ["multi-user.target"]
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("no systemd-analyze here: the unit's syntax was not verified")
    # The one change: the binary is where it was unpacked (verify insists that ExecStart exists).
    relocated = tmp_path / "authgate.service"
    relocated.write_text(unit.replace("/usr/bin/authgate", str(package.root / "usr/bin/authgate")))
    verified = subprocess.run([analyze, "verify", relocated], capture_output=True, text=True, timeout=60)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")
    # systemd's own exposure score (0 safe … 10 unsafe, 1.5 when written), times ten for --threshold.
    security = subprocess.run([analyze, "security", "--offline=yes", "--threshold=25", relocated],
                              capture_output=True, text=True, timeout=60)
    assert security.returncode == 0, security.stdout[-3000:]


def fake_commands(folder: Path, installed_before: bool) -> dict:
    """PATH stand-ins for what the maintainer scripts call; each appends its arguments to calls.log. `getent`
    and `dpkg-statoverride --list` answer as they would before a first install, or after one."""
    folder.mkdir()
    lookup = {"getent": "passwd", "dpkg-statoverride": "--list"}
    for name in ("adduser", "dpkg-statoverride", "systemctl", "getent"):
        missing = f'$([ "$1" = {lookup.get(name)} ] && echo 1 || echo 0)'
        status = 0 if installed_before or name not in lookup else missing
        script = folder / name
        script.write_text(f'#!/bin/sh\necho "{name} $*" >>"{folder}/calls.log"\nexit {status}\n')
        script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:{os.environ['PATH']}"}


@pytest.mark.parametrize("installed_before", [False, True], ids=["first install", "reinstall"])
def test_postinst_makes_the_user_and_the_override_once_and_reloads_systemd_only_when_it_runs(
        package, tmp_path, installed_before):
    """Run against stand-ins for adduser, getent, dpkg-statoverride and systemctl, so nothing on this machine
    changes. (postrm purge is not run: it removes /var/log/authgate, which might be real here.)"""
    env = fake_commands(tmp_path / "bin", installed_before)
    run([package.control / "postinst", "configure", ""], env=env)
    calls = (tmp_path / "bin" / "calls.log").read_text()
    assert ("adduser --system --group" in calls) != installed_before
    assert ("dpkg-statoverride --update --add root authgate 0640 /etc/authgate/users.htpasswd" in calls) != \
        installed_before
    assert ("systemctl daemon-reload" in calls) == Path("/run/systemd/system").is_dir()
    assert "enable" not in calls and "start" not in calls, "the packaged config is a starting point: not started"
    run([package.control / "prerm", "remove"], env=env)
    run([package.control / "postrm", "remove"], env=env)
    assert "systemctl --no-reload disable authgate.service" in (tmp_path / "bin" / "calls.log").read_text()
    assert re.findall(r"rm -\S+ (\S+)", (package.control / "postrm").read_text()) == ["/var/log/authgate"]


# --- the container ---------------------------------------------------------------------------------

CONTAINERFILE = REPO / "packaging" / "Containerfile"


def instructions() -> list:
    """[(INSTRUCTION, arguments)] of the Containerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", "\n".join(line for line in CONTAINERFILE.read_text().splitlines()
                                            if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in text.splitlines() if line.strip()]


def stages() -> list:
    found = []
    for name, args in instructions():
        if name == "FROM":
            found.append([])
        found[-1].append((name, args))
    return found


def test_the_containerfile_builds_in_debian_12_and_runs_in_slim_without_a_compiler_as_a_user():
    build, runtime = stages()[0], stages()[-1]
    assert len(stages()) == 2 and build[0][1] == "debian:12 AS build" and runtime[0][1] == "debian:12-slim"
    assert any("scripts/install-deps.sh --package" in args for _, args in build), "build deps, not test deps"
    final = " ".join(args for _, args in runtime)
    for tool in ("g++", "gcc", "clang", "cmake", "ninja", "-dev", "build-essential", "install-deps"):
        assert tool not in final, f"{tool} in the final stage"
    users = [args for name, args in runtime if name == "USER"]
    assert users and users[-1] not in ("root", "0") and runtime.index(("USER", users[-1])) > max(
        i for i, (name, _) in enumerate(runtime) if name in ("RUN", "COPY"))
    assert ("EXPOSE", "8080") in runtime
    assert any(name == "HEALTHCHECK" and "authgate-healthcheck" in args for name, args in runtime)


def test_every_file_the_containerfile_copies_is_in_the_build_context():
    ignore = [line for line in (REPO / ".containerignore").read_text().splitlines() if line and line[0] != "#"]
    assert filecmp.cmp(REPO / ".containerignore", REPO / ".dockerignore", shallow=False), "podman and docker alike"
    assert {"build", ".git"} <= set(ignore)
    needed = ["CMakeLists.txt", "cmake/install.cmake", "src/grammar", "include/authgate", "apps/authgate",
              "packaging/authgate.yaml", "docs/install.md", "scripts/install-deps.sh"]
    copied = [args.split()[0] for name, args in instructions() if name == "COPY" and not args.startswith("--")]
    for path in needed + [c for c in copied if c != "."]:
        assert (REPO / path).exists(), path
        assert not any(fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/") for pattern in ignore), path


def test_the_image_gets_the_runtime_libraries_the_package_depends_on(package, tmp_path):
    """The build stage's pipeline from `dpkg-deb -f … Depends` to the runtime stage's apt-get list, run here."""
    pipeline = re.search(r"(dpkg-deb -f \S+ Depends .*?)>/out/runtime-packages", CONTAINERFILE.read_text(), re.S)[1]
    pipeline = re.sub(r"\\\n", " ", pipeline).replace("/build/packages/authgate_*.deb", str(package.deb))
    listed = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, timeout=60).stdout.split()
    assert "libssl3" in listed and "libboost-json1.81.0" in listed and "adduser" not in listed
    for name in listed:  # real package names, each installed here (the binary runs here)
        run(["dpkg-query", "-W", name])


def test_the_image_config_passes_check_and_its_healthcheck_accepts_a_live_admin_listener(package, tmp_path):
    """The Containerfile's sed, applied to the packaged config, gives a listener on 0.0.0.0 that `check`
    accepts. The HEALTHCHECK script, run here against the packaged config served on free loopback ports,
    says healthy, and unhealthy once it stopped."""
    sed = re.search(r"sed -i '([^']+)'", CONTAINERFILE.read_text())[1]
    shutil.copytree(package.root / "etc/authgate", tmp_path / "etc")
    image_config = tmp_path / "etc" / "image.yaml"
    image_config.write_text(run(["sed", "-e", sed, tmp_path / "etc/authgate.yaml"]).stdout)
    assert "0.0.0.0:8080" in run_cli(["check", "--config", image_config]).stdout
    port, admin = free_port(), free_port()
    served = tmp_path / "etc" / "served.yaml"
    served.write_text((tmp_path / "etc/authgate.yaml").read_text().replace("port: 8080", f"port: {port}")
                      .replace("port: 9199", f"port: {admin}"))
    launcher = Launcher(tmp_path)
    try:
        process = launcher.spawn(["serve", "--config", served])
        process.wait_ready([port])
        wait_accepting(admin, process)
        run(["bash", REPO / "packaging/container-healthcheck.sh", admin], timeout=30)
    finally:
        launcher.stop_all()
    assert subprocess.run(["bash", REPO / "packaging/container-healthcheck.sh", str(admin)],
                          capture_output=True, timeout=30).returncode != 0


def container_runtime():
    for tool in ("podman", "docker"):
        if shutil.which(tool) and subprocess.run([tool, "info"], capture_output=True, timeout=30).returncode == 0:
            return tool
    return None


def test_the_image_builds_and_checks_its_config():
    runtime = container_runtime()
    if not runtime or os.environ.get("AUTHGATE_CONTAINER_BUILD") != "1":
        pytest.skip(f"container runtime: {runtime or 'none answers'}; building needs AUTHGATE_CONTAINER_BUILD=1")
    tag = f"authgate-test:{os.getpid()}"
    try:
        run([runtime, "build", "-f", CONTAINERFILE, "-t", tag, REPO], timeout=3600)
        assert "0 warning(s)" in run([runtime, "run", "--rm", tag, "check", "--config", CONFFILES[0]]).stdout
        assert run([runtime, "run", "--rm", "--entrypoint", "id", tag, "-u"]).stdout.strip() != "0"
    finally:
        subprocess.run([runtime, "rmi", "-f", tag], capture_output=True, timeout=120)


# --- every example config ----------------------------------------------------------------------------

# Examples whose `authgate check` lives with the feature they show (test file, test function).
CHECKED_ELSEWHERE = {
    "reverse-proxy.yaml": ("test_cli.py", "test_check_accepts_the_shipped_example"),
    "bearer.yaml": ("test_bearer.py", "test_bearer_example_is_accepted_by_check"),
    "forward-proxy.yaml": ("test_forward_proxy.py",
                           "test_the_example_config_passes_check_and_behaves_as_its_comments_say"),
    "forward-auth/*/authgate.yaml": ("test_examples_forward_auth.py",
                                     "test_authgate_check_accepts_the_example_without_warnings"),
}


def example_configs() -> list:
    """Every YAML file under examples/ with a top-level `listeners:` (front proxies' own files have none)."""
    found = []
    for path in sorted((REPO / "examples").rglob("*.y*ml")):
        document = yaml.safe_load(path.read_text())
        if isinstance(document, dict) and "listeners" in document:
            found.append(path.relative_to(REPO / "examples").as_posix())
    return found


@pytest.mark.parametrize("example", example_configs())
def test_every_example_config_passes_check(example):
    """Checked here, in place and from another directory, unless a test of its feature checks it (with the
    key files it needs, which the repository does not ship): then that test must exist and read it."""
    for pattern, (test_file, test_name) in CHECKED_ELSEWHERE.items():
        if fnmatch.fnmatch(example, pattern):
            source = (REPO / "tests" / "integration" / test_file).read_text()
            assert f"def {test_name}(" in source, f"{test_file}::{test_name} is gone"
            assert example.split("/")[0] in source, f"{test_file} does not read {example}"
            return
    done = run_cli(["check", "--config", REPO / "examples" / example], cwd="/")
    assert done.returncode == 0 and "0 warning(s)" in done.stdout, done.stdout + done.stderr
