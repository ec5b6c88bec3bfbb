"""The Messages tab opened: suggested prompts drawn from the knowledge base (agent experience)."""

from __future__ import annotations

import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncSetSuggestedPrompts

from bot.slack.agent import (
    T_PROMPTS_TITLE,
    agent_supported,
    note_refusal,
    prompts_payload,
)
from bot.slack.ask import log_request
from bot.slack.deps import deps_of


async def is_messages_tab(event: dict) -> bool:
    return event.get("tab") == "messages"


async def handle_messages_tab(event: dict, context: AsyncBoltContext,
                              set_suggested_prompts: AsyncSetSuggestedPrompts | None = None) -> None:
    started = time.perf_counter()
    if set_suggested_prompts is None or not event.get("channel") or not agent_supported(context.team_id):
        return
    prompts = prompts_payload(deps_of(context).knowledge.answerer.kb, event.get("user"))
    if not prompts:
        return
    try:
        await set_suggested_prompts(prompts=prompts, title=T_PROMPTS_TITLE)
        log_request("messages_tab", None, started, user=event.get("user"), prompts=len(prompts))
    except Exception as e:
        note_refusal(context.team_id, "assistant.threads.setSuggestedPrompts", e)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened", matchers=[is_messages_tab])(handle_messages_tab)
