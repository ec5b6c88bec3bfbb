"""Every surface the bot answers on; only this module knows the full list."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import (
    actions,
    agent,
    commands,
    home,
    matrix,
    mentions,
    messages,
    onboarding,
    shortcut,
    triage,
    workflow,
)

# `agent` (Messages tab) before `home`: bolt runs the first listener that matches app_home_opened
SURFACES = (commands, messages, mentions, onboarding, agent, home, actions, triage, shortcut, workflow, matrix)


def register_all(app: AsyncApp) -> None:
    for surface in SURFACES:
        surface.register(app)
