"""Argument types and help text for the `mlrole` command: values checked by argparse, one line each."""

from __future__ import annotations

import argparse
import re
import time
from datetime import datetime, timezone

SERVE_ENVIRONMENT = """\
environment:
  SLACK_BOT_TOKEN        bot token xoxb-… (required unless OAuth is configured)
  SLACK_SIGNING_SECRET   verifies requests come from Slack (required for HTTP)
  SLACK_APP_TOKEN        xapp-…: Socket Mode instead of HTTP (/healthz still served on $PORT)
  SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET
                         all three: multi-workspace OAuth install
  SLACK_API_URL          Web API base (default https://slack.com/api/)
  PORT                   HTTP port (default 3000)
  DATABASE_URL           postgresql://…[?sslmode=require], sqlite:///relative.db,
                         sqlite:////absolute/path.db or memory:// (default: SQLite in $XDG_DATA_HOME/mlrole/)
  MLROLE_RETENTION_DAYS  days stored data is kept (default 90; 0 keeps everything)
  MLROLE_KNOWLEDGE       knowledge base folder (default: the bundled one)
  MLROLE_ORG             organisation overlay YAML
  MLROLE_ONBOARDING_CHANNELS  comma-separated channel IDs or names to welcome new members in
  LOG_LEVEL              DEBUG, INFO, WARNING, ERROR (default INFO)
"""


def version_string() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mlrole {version('mlrole')}"
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "mlrole (not installed)"


def positive_int(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def since_date(value: str) -> float:
    """YYYY-MM-DD (UTC midnight) or Nd (N days ago) → Unix seconds."""
    text = value.strip()
    days = re.fullmatch(r"(\d+)d", text)
    if days:
        return time.time() - int(days.group(1)) * 86400
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD or a number of days "
                                         "like 30d") from None
