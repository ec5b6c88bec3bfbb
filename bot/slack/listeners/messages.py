"""Direct messages to the bot, answered with chat.postMessage."""

from __future__ import annotations

import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.ask import reply_in_conversation
from bot.slack.deps import deps_of


PERSON_SUBTYPES = frozenset({"", "thread_broadcast"})
"""A thread reply also sent to the conversation is still a person's message in that thread."""


def is_from_person(event: dict, bot_user_id: str | None) -> bool:
    """A fresh message typed by a person: no bots, no edits or deletes, not the bot itself."""
    return ((event.get("subtype") or "") in PERSON_SUBTYPES and not event.get("bot_id")
            and not event.get("bot_profile") and bool(event.get("user")) and event.get("user") != bot_user_id)


async def handle_message(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    if event.get("channel_type") != "im" or not is_from_person(event, context.bot_user_id):
        return  # channel messages that mention the bot arrive as app_mention too
    await reply_in_conversation(deps_of(context), client, event, context, surface="dm",
                                thread_ts=event.get("thread_ts"), started=started)


def register(app: AsyncApp) -> None:
    app.event("message")(handle_message)
