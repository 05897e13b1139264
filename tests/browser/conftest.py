"""The browser test reuses the integration harness (gateway launcher, echo upstream, Debian-made users)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from harness.fixtures import *  # noqa: E402,F401,F403  (fixtures and the report hook)
