"""`@mlrole …` in a channel: answered in a thread, with the mention stripped before matching."""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.ask import ask, claim, log_request, question_from
from bot.slack.deps import deps_of
from bot.slack.listeners.messages import is_from_person

log = logging.getLogger("mlrole.slack")


async def handle_mention(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    if not is_from_person(event, context.bot_user_id):
        return
    deps = deps_of(context)
    channel, ts = event.get("channel"), event.get("ts")
    # the same mention can also arrive as a `message` event: answer it once
    if not channel or not await claim(deps, f"message:{channel}:{ts}"):
        return
    thread_ts = event.get("thread_ts") or ts
    question = question_from(event.get("text"), context.bot_user_id)
    try:
        if not question or question.lower() in {"help", "?"}:
            answerer = deps.knowledge.answerer
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=blocks.help_blocks(answerer),
                                          text=blocks.help_text(answerer))
            log_request("mention", None, started, help=True)
            return
        answer = await ask(deps, question, surface="mention", user_id=event.get("user"),
                           team_id=event.get("team") or context.team_id, started=started)
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=blocks.answer_blocks(answer),
                                      text=blocks.fallback_text(answer))
    except Exception:
        log.exception("could not answer a mention")


def register(app: AsyncApp) -> None:
    app.event("app_mention")(handle_mention)
