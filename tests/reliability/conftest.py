"""The Slack harness (stub Web API, signing, running bot) from tests/slack, shared by these tests."""

from tests.slack.harness import bot, knowledge, make_settings, stub  # noqa: F401  (pytest fixtures)
