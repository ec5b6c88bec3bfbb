"""The one path every surface takes: clean the text, ask the core, record, log one line.

In a Slack thread the core also gets the thread's last answer (kept in storage, so any replica
can read it), and a follow-up without a subject of its own is answered in that context.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot import smalltalk
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
    matched = "-" if answer is None else smalltalk.KIND if answer.kind == smalltalk.KIND else answer_key(answer)
    score = answer.score if answer is not None else 0.0
    fields = " ".join(f"{k}={v}" for k, v in extra.items() if v is not None)
    log.info("request surface=%s matched=%s score=%.1f latency_ms=%d%s", surface, matched, score,
             (time.perf_counter() - started) * 1000, f" {fields}" if fields else "")


async def ask(deps: Deps, question: str, *, surface: str, user_id: str | None,
              team_id: str | None, started: float | None = None,
              previous: tuple[str, str] | None = None) -> Answer:
    """Answer and record; with `previous` (the thread's last answer) follow-ups are read in context.

    Small talk is not a question: it is never recorded (nor counted as unanswered).
    """
    started = time.perf_counter() if started is None else started
    await deps.fresh_people()
    answerer = deps.knowledge.answerer  # read per request: reloads swap it
    answer = answerer.ask_in_thread(question, previous) if previous else answerer.ask(question)
    if answer.kind != smalltalk.KIND:
        try:
            await deps.store.record_question(text=question[:1000], surface=surface, user_id=user_id,
                                             answered=answer.answered,
                                             answer_id=answer_key(answer) if answer.answered else None,
                                             score=float(answer.score), team_id=team_id)
        except Exception:  # storage is optional: the person still gets an answer
            log.exception("could not record a question (surface=%s)", surface)
    log_request(surface, answer, started, user=user_id, chars=len(question),
                in_thread=f"{previous[0]}:{previous[1]}" if previous else None)
    return answer


def examples_for(deps: Deps, answer: Answer) -> list[Answer]:
    """For a small-talk reply: the example questions' answers, shown as buttons that open them."""
    if answer.kind != smalltalk.KIND:
        return []
    answerer = deps.knowledge.answerer
    return [a for a in (answerer.ask(q) for q in smalltalk.EXAMPLES) if a.answered]


# -- thread context: where a conversation's last answer is kept for follow-ups -----------------

async def thread_context(deps: Deps, team_id: str, channel: str, thread_ts: str | None) -> tuple[str, str] | None:
    """The last answer in this thread, or None: not in a thread, nothing answered there, or expired."""
    if not thread_ts:
        return None
    try:
        return await deps.store.thread_context(team_id=team_id, channel_id=channel, thread_ts=thread_ts)
    except Exception:  # follow-ups then read as questions of their own
        log.exception("could not read the context of a thread")
        return None


async def remember_answer(deps: Deps, answer: Answer, team_id: str, channel: str, *threads: str | None) -> None:
    """Keep an answered entry as the context of each thread it may be continued in."""
    if not answer.answered or not answer.kind or not answer.id:
        return  # "don't know" and small talk leave the thread's context as it was
    for thread_ts in dict.fromkeys(t for t in threads if t):
        try:
            await deps.store.remember_thread(team_id=team_id, channel_id=channel, thread_ts=thread_ts,
                                             kind=answer.kind, entry_id=answer.id)
        except Exception:
            log.exception("could not remember the context of a thread")


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
                                thread_ts: str | None, started: float, status: Any = None) -> None:
    """Answer a message event (DM or mention) in its conversation: help, or the answer card.

    Claims `channel:ts` first, so a message that arrives both as `message` and `app_mention`
    (or is retried to another replica) gets one reply. `status` (bot.slack.agent.AgentStatus), when
    given, shows "Looking up who owns that…" in the Messages tab while the answer is built. A
    message in a thread is read in the context of the thread's last answer; the answer becomes the
    context of the question's thread (`thread_ts or ts`) and, for a top-level reply, of the reply's
    own thread too.
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
        if status is not None:
            await status.show()
        team = context.team_id or event.get("team") or ""
        previous = await thread_context(deps, team, channel, event.get("thread_ts"))
        answer = await ask(deps, question, surface=surface, user_id=event.get("user"),
                           team_id=event.get("team") or context.team_id, started=started, previous=previous)
        card = blocks.answer_blocks(answer, escalate=bool(deps.settings.triage_channel),
                                    examples=examples_for(deps, answer))
        posted = await client.chat_postMessage(channel=channel, thread_ts=thread_ts, blocks=card,
                                               text=blocks.fallback_text(answer))
        if status is not None:
            await status.clear()
        # the answer first, then its context: the question's thread and, for a top-level reply, the
        # reply's own thread (someone may reply to the bot's message rather than to their own)
        await remember_answer(deps, answer, team, channel, event.get("thread_ts") or ts,
                              None if thread_ts else posted.get("ts"))
    except Exception:
        log.exception("could not answer a message (surface=%s)", surface)
