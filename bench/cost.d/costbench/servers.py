"""Configurations and command lines of the upstream and of the servers under test.

Templates: bench/cost.d/templates/, `{{name}}` placeholders; an unknown or unfilled placeholder is an
error rather than a config that silently differs."""

import os
import re

from . import fixtures, procs

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "templates")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

READY_TIMEOUT_S = 120.0      # valgrind reads debug info first: several seconds for authgate
UPSTREAM_READY_TIMEOUT_S = 15.0


def render(template_name, values):
    with open(os.path.join(TEMPLATE_DIR, template_name)) as f:
        text = f.read()

    def fill(match):
        key = match.group(1)
        if key not in values:
            raise KeyError(f"{template_name}: no value for {{{{{key}}}}}")
        return str(values[key])

    return _PLACEHOLDER.sub(fill, text)


def write_config(run_dir, template_name, out_name, values):
    path = os.path.join(run_dir, out_name)
    with open(path, "w") as f:
        f.write(render(template_name, dict(values, run_dir=run_dir)))
    return path


def _nginx_argv(nginx, run_dir, conf, startup_log):
    # -e: the error log nginx uses before it has read its config (else /var/log/nginx/error.log);
    # master_process/daemon are set in the config files themselves.
    return [nginx, "-p", run_dir + "/", "-c", conf, "-e", startup_log]


def callgrind_prefix(valgrind, out_file):
    # --compress-strings=no: every dump names its own functions, so callgrind_annotate can read one of a
    # run's numbered dumps alone (compressed names are defined once, in whichever dump used them first).
    return [valgrind, "--tool=callgrind", f"--callgrind-out-file={out_file}", "--dump-instr=no",
            "--compress-strings=no"]


def start_upstream(run_dir, nginx):
    """The native nginx every server under test proxies to; returns the running Process."""
    os.makedirs(os.path.join(run_dir, "tmp"), exist_ok=True)
    port = procs.free_port()
    conf = write_config(run_dir, "upstream.nginx.conf", "upstream.nginx.conf", {"port": port})
    proc = procs.Process("upstream nginx", _nginx_argv(nginx, run_dir, conf, os.path.join(run_dir, "upstream.startup.log")),
                         port, os.path.join(run_dir, "upstream.log"), run_dir)
    proc.start().wait_ready(UPSTREAM_READY_TIMEOUT_S)
    return proc


class Measured:
    """A server under callgrind for one kind: its Process and its callgrind --callgrind-out-file."""

    def __init__(self, server, kind, process, out_file):
        self.server, self.kind, self.process, self.out_file = server, kind, process, out_file


def start_under_callgrind(server, kind_name, run_dir, tools, upstream_port):
    """Starts authgate or nginx under callgrind, fresh for this kind, and waits until it accepts."""
    port = procs.free_port()
    tag = f"{server}-{kind_name}"
    access_log = os.path.join(run_dir, f"{tag}.access.log")
    out_file = os.path.join(run_dir, f"{tag}.%p.out")
    values = {"port": port, "upstream_port": upstream_port, "access_log": access_log}
    if server == "authgate":
        values.update(issuer=fixtures.ISSUER, audience=fixtures.AUDIENCE)
        conf = write_config(run_dir, "authgate.yaml", f"{tag}.yaml", values)
        target = [tools["authgate"], "serve", "--config", conf]
    elif server == "nginx":
        conf = write_config(run_dir, "nginx.conf", f"{tag}.nginx.conf", values)
        target = _nginx_argv(tools["nginx"], run_dir, conf, os.path.join(run_dir, f"{tag}.startup.log"))
    else:
        raise ValueError(f"unknown server {server!r}")
    argv = callgrind_prefix(tools["valgrind"], out_file) + target
    proc = procs.Process(f"{server} (callgrind, {kind_name})", argv, port, os.path.join(run_dir, f"{tag}.log"),
                         run_dir)
    proc.start().wait_ready(READY_TIMEOUT_S)
    return Measured(server, kind_name, proc, out_file)
