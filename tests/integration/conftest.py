"""Fixtures for the black-box tests live in harness/fixtures.py (shared with tests/browser)."""
from harness.fixtures import *  # noqa: F401,F403  (fixtures and the report hook)
