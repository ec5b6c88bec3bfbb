"""The Slack harness (stub Web API, signing, running bot) from tests/slack, shared by these tests."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path

_path = Path(__file__).resolve().parent.parent / "slack" / "conftest.py"
_spec = importlib.util.spec_from_file_location("mlrole_slack_harness", _path)
harness = importlib.util.module_from_spec(_spec)
sys.modules["mlrole_slack_harness"] = harness
_spec.loader.exec_module(harness)

# fixtures, re-exported so pytest registers them for this folder
stub = harness.stub
knowledge = harness.knowledge
make_settings = harness.make_settings
bot = harness.bot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
