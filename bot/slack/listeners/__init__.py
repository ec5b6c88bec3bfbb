"""Every surface the bot answers on; only this module knows the full list."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, home, mentions, messages, onboarding, triage

SURFACES = (commands, messages, mentions, onboarding, home, actions, triage)


def register_all(app: AsyncApp) -> None:
    for surface in SURFACES:
        surface.register(app)
