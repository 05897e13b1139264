"""Runs one of this directory's Node scripts (playwright-core driving Debian's Chromium) and returns the JSON
object of its last output line. Node and every Chromium it starts share one process group, killed at the end,
so nothing outlives a hung run."""
import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_node_script(script: str, args: list, env: dict = None) -> dict:
    assert shutil.which("node"), "node is missing: run scripts/install-deps.sh --test"
    assert Path("/usr/bin/chromium").exists(), "Debian's chromium is missing: run scripts/install-deps.sh --test"
    assert (HERE / "node_modules" / "playwright-core").is_dir(), "run `npm install` in tests/browser"
    node = subprocess.Popen(["node", str(HERE / script), *map(str, args)], cwd=HERE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    try:
        stdout, stderr = node.communicate(timeout=180)
    finally:
        try:
            os.killpg(node.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        node.wait()
    assert node.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])
