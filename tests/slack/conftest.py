"""Fixtures for the Slack tests; the harness itself lives in tests/slack/harness.py."""

from tests.slack.harness import bot, knowledge, make_settings, stub  # noqa: F401  (pytest fixtures)
