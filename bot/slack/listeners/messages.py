"""Direct messages to the bot, answered with chat.postMessage."""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.ask import ask, claim, log_request, question_from
from bot.slack.deps import deps_of

log = logging.getLogger("mlrole.slack")


def is_from_person(event: dict, bot_user_id: str | None) -> bool:
    """A fresh message typed by a person: no bots, no edits or deletes, not the bot itself."""
    return (not event.get("subtype") and not event.get("bot_id") and not event.get("bot_profile")
            and bool(event.get("user")) and event.get("user") != bot_user_id)


async def handle_message(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    if event.get("channel_type") != "im" or not is_from_person(event, context.bot_user_id):
        return  # channel messages that mention the bot arrive as app_mention too
    deps = deps_of(context)
    channel, ts = event.get("channel"), event.get("ts")
    if not channel or not await claim(deps, f"message:{channel}:{ts}"):
        return
    question = question_from(event.get("text"), context.bot_user_id)
    thread_ts = event.get("thread_ts")
    try:
        if not question or question.lower() in {"help", "?"}:
            answerer = deps.knowledge.answerer
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=blocks.help_blocks(answerer),
                                          text=blocks.help_text(answerer))
            log_request("dm", None, started, help=True)
            return
        answer = await ask(deps, question, surface="dm", user_id=event.get("user"),
                           team_id=event.get("team") or context.team_id, started=started)
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=blocks.answer_blocks(answer),
                                      text=blocks.fallback_text(answer))
    except Exception:
        log.exception("could not answer a direct message")


def register(app: AsyncApp) -> None:
    app.event("message")(handle_message)
