"""Direct messages to the bot, answered with chat.postMessage."""

from __future__ import annotations

import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncSetStatus
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.agent import AgentStatus
from bot.slack.ask import reply_in_conversation
from bot.slack.deps import deps_of

SLACKBOT = "USLACKBOT"
PERSON_SUBTYPES = frozenset({None, "", "file_share", "thread_broadcast"})
"""Subtypes a person types: a message with a file, a thread reply also sent to the conversation
(bolt's `app.message()` counts them too). Edits, deletes, joins and bot posts are not questions."""


def is_from_person(event: dict, bot_user_id: str | None) -> bool:
    """A fresh message typed by a person: no bots (Slackbot included), no edits or deletes, not the bot."""
    return (event.get("subtype") in PERSON_SUBTYPES and not event.get("bot_id") and not event.get("bot_profile")
            and bool(event.get("user")) and event.get("user") not in (bot_user_id, SLACKBOT))


async def handle_message(event: dict, client: AsyncWebClient, context: AsyncBoltContext,
                         set_status: AsyncSetStatus | None = None) -> None:
    started = time.perf_counter()
    if event.get("channel_type") != "im" or not is_from_person(event, context.bot_user_id):
        return  # channel messages that mention the bot arrive as app_mention too
    await reply_in_conversation(deps_of(context), client, event, context, surface="dm",
                                thread_ts=event.get("thread_ts"), started=started,
                                status=AgentStatus(set_status, context.team_id))


def register(app: AsyncApp) -> None:
    app.event("message")(handle_message)
