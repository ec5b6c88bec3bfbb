"""The one path every surface takes: clean the text, ask the core, record, log one line."""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.answers import Answer
from bot.slack import blocks
from bot.slack.blocks import answer_key
from bot.slack.deps import Deps
from bot.slack.limits import T_SLOW_DOWN, Verdict
from bot.text import clean_user_text, strip_slack_markup

log = logging.getLogger("mlrole.slack")

MAX_RAW_CHARS = 4000
"""Slack text beyond this is never looked at (the core reads 500 characters anyway)."""


def question_from(raw: Any, bot_user_id: str | None = None) -> str:
    text = raw if isinstance(raw, str) else ""
    return clean_user_text(strip_slack_markup(text[:MAX_RAW_CHARS], bot_user_id), limit=1000)


def log_request(surface: str, answer: Answer | None, started: float, **extra: Any) -> None:
    matched = answer_key(answer) if answer is not None else "-"
    score = answer.score if answer is not None else 0.0
    fields = " ".join(f"{k}={v}" for k, v in extra.items() if v is not None)
    log.info("request surface=%s matched=%s score=%.1f latency_ms=%d%s", surface, matched, score,
             (time.perf_counter() - started) * 1000, f" {fields}" if fields else "")


async def ask(deps: Deps, question: str, *, surface: str, user_id: str | None,
              team_id: str | None, started: float | None = None) -> Answer:
    started = time.perf_counter() if started is None else started
    answer = deps.knowledge.answerer.ask(question)  # read per request: reloads swap it
    try:
        await deps.store.record_question(text=question[:1000], surface=surface, user_id=user_id,
                                         answered=answer.answered,
                                         answer_id=answer_key(answer) if answer.answered else None,
                                         score=float(answer.score), team_id=team_id)
    except Exception:  # storage is optional: the person still gets an answer
        log.exception("could not record a question (surface=%s)", surface)
    log_request(surface, answer, started, user=user_id, chars=len(question))
    return answer


def open_entry(deps: Deps, kind: str, entry_id: str, question: str | None = None) -> Answer:
    return deps.knowledge.answerer.answer_entry(kind, entry_id, question)


async def claim(deps: Deps, key: str, ttl_seconds: int | None = None) -> bool:
    """True the first time `key` is seen; True as well when storage fails (answer rather than go silent)."""
    try:
        if ttl_seconds is not None:
            return bool(await deps.store.claim_event(key, ttl_seconds))
        return bool(await deps.store.claim_event(key))
    except Exception:
        log.exception("could not check for a duplicate delivery; answering anyway")
        return True


HELP_WORDS = frozenset({"", "help", "?", "-h", "--help"})


async def reply_in_conversation(deps: Deps, client: Any, event: dict, context: Any, *, surface: str,
                                thread_ts: str | None, started: float) -> None:
    """Answer a message event (DM or mention) in its conversation: help, or the answer card.

    Claims `channel:ts` first, so a message that arrives both as `message` and `app_mention`
    (or is retried to another replica) gets one reply.
    """
    channel, ts = event.get("channel"), event.get("ts")
    if not channel or not await claim(deps, f"message:{channel}:{ts}"):
        return
    question = question_from(event.get("text"), context.bot_user_id)
    try:
        verdict = deps.limit.check(event.get("user"))
        if verdict is not Verdict.ANSWER:
            log_request(surface, None, started, user=event.get("user"), limited=verdict.value)
            if verdict is Verdict.SLOW_DOWN and surface == "dm":
                await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=T_SLOW_DOWN)
            elif verdict is Verdict.SLOW_DOWN:  # in a channel, only the asker sees it
                await client.chat_postEphemeral(channel=channel, user=event.get("user"), thread_ts=thread_ts,
                                                text=T_SLOW_DOWN)
            return
        if question.lower() in HELP_WORDS:
            answerer = deps.knowledge.answerer
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                          blocks=blocks.help_blocks(answerer), text=blocks.help_text(answerer))
            log_request(surface, None, started, help=True)
            return
        answer = await ask(deps, question, surface=surface, user_id=event.get("user"),
                           team_id=event.get("team") or context.team_id, started=started)
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=blocks.answer_blocks(answer),
                                      text=blocks.fallback_text(answer))
    except Exception:
        log.exception("could not answer a message (surface=%s)", surface)
