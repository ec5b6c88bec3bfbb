"""`@mlrole …` in a channel: answered in a thread, with the mention stripped before matching."""

from __future__ import annotations

import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.ask import reply_in_conversation
from bot.slack.deps import deps_of
from bot.slack.listeners.messages import is_from_person


async def handle_mention(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    if not is_from_person(event, context.bot_user_id):
        return
    await reply_in_conversation(deps_of(context), client, event, context, surface="mention",
                                thread_ts=event.get("thread_ts") or event.get("ts"), started=started)


def register(app: AsyncApp) -> None:
    app.event("app_mention")(handle_mention)
