"""Buttons: share in channel, open an entry (did-you-mean, related roles, directory), feedback."""

from __future__ import annotations

import hashlib
import logging
import re
import time

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.ask import claim, log_request, open_entry, remember_answer
from bot.slack.curator_blocks import not_helpful_blocks
from bot.slack.deps import deps_of
from bot.slack.limits import T_SLOW_DOWN, Verdict

log = logging.getLogger("mlrole.slack")
FEEDBACK_WINDOW_SECONDS = 24 * 3600


def _pressed(body: dict) -> tuple[dict, str | None, bool]:
    action = (body.get("actions") or [{}])[0]
    user_id = (body.get("user") or {}).get("id")
    ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
    return action, user_id, ephemeral


async def handle_share(ack: AsyncAck, body: dict, respond: AsyncRespond, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    await ack()
    action, user_id, _ = _pressed(body)
    kind, entry_id, _question = blocks.parse_value(action.get("value"))
    try:
        answer = open_entry(deps_of(context), kind, entry_id)
        await respond(response_type="in_channel", replace_original=False,
                      blocks=blocks.answer_blocks(answer, shared_by=user_id), text=blocks.fallback_text(answer))
        log_request("share", answer, started, user=user_id)
    except Exception:
        log.exception("could not share an answer")
        await respond(response_type="ephemeral", replace_original=False, blocks=blocks.error_blocks(),
                      text=blocks.T_ERROR)
        return
    try:
        await respond(delete_original=True)  # the private copy is no longer needed
    except Exception:
        log.debug("could not delete the ephemeral original", exc_info=True)


async def handle_open(ack: AsyncAck, body: dict, respond: AsyncRespond, client: AsyncWebClient,
                      context: AsyncBoltContext) -> None:
    """A did-you-mean suggestion, a related role or a directory entry: answer with that entry."""
    started = time.perf_counter()
    await ack()
    action, user_id, ephemeral = _pressed(body)
    kind, entry_id, question = blocks.parse_value(action.get("value"))
    verdict = deps_of(context).limit.check(user_id)
    if verdict is not Verdict.ANSWER:
        log_request("button", None, started, user=user_id, limited=verdict.value)
        if verdict is Verdict.SLOW_DOWN and body.get("response_url"):
            await respond(response_type="ephemeral", replace_original=False, text=T_SLOW_DOWN)
        return
    try:
        answer = open_entry(deps_of(context), kind, entry_id, question)
        card = blocks.answer_blocks(answer, shareable=ephemeral and answer.answered)
        if body.get("response_url"):
            await respond(response_type="ephemeral", replace_original=ephemeral, blocks=card,
                          text=blocks.fallback_text(answer))
        elif user_id:  # App Home buttons have no response_url: answer in the app's DM
            await client.chat_postMessage(channel=user_id, blocks=blocks.answer_blocks(answer),
                                          text=blocks.fallback_text(answer))
        log_request("button", answer, started, user=user_id)
        container = body.get("container") or {}
        if not ephemeral and container.get("channel_id"):  # "Not it?" in a thread: that entry is now its context
            await remember_answer(deps_of(context), answer, context.team_id or (body.get("team") or {}).get("id") or "",
                                  container["channel_id"], container.get("thread_ts") or container.get("message_ts"))
    except Exception:
        log.exception("could not answer a button press")


async def handle_feedback(ack: AsyncAck, body: dict, respond: AsyncRespond, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    await ack()
    action, user_id, _ = _pressed(body)
    kind, entry_id, question = blocks.parse_value(action.get("value"))
    helpful = action.get("action_id") == blocks.ACTION_FEEDBACK_YES
    answer_id = f"{kind}:{entry_id}" if entry_id else (kind or "unanswered")
    deps = deps_of(context)
    card = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts") or "-"
    # one vote per person per card: thirty presses of "Not helpful" count once
    # (hashed: the dedupe table keeps no user ID in the clear)
    vote = hashlib.sha256(f"{user_id}\n{card}\n{answer_id}".encode()).hexdigest()[:40]
    first = await claim(deps, f"feedback:{vote}", ttl_seconds=FEEDBACK_WINDOW_SECONDS)
    if first:
        try:
            await deps.store.record_feedback(answer_id=answer_id, helpful=helpful, user_id=user_id,
                                             question=question, team_id=(body.get("team") or {}).get("id"))
        except Exception:
            log.exception("could not record feedback")
    log_request("feedback", None, started, user=user_id, entry=answer_id, helpful=helpful,
                repeat=None if first else True)
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or ""
    # a 👎 with a triage channel set: an optional reason and "Ask the ML team" (curator loop)
    follow_up = not_helpful_blocks(action.get("value") or "") \
        if not helpful and deps.settings.triage_channel else None
    try:
        if message.get("blocks") and channel.startswith("D"):
            # in the bot's DM the card is the asker's own: swap the buttons for a thank-you
            new = [x for b in message["blocks"] for x in (
                (follow_up or [blocks.thanks_block()]) if b.get("block_id") == blocks.FEEDBACK_BLOCK_ID else [b])]
            await respond(replace_original=True, blocks=new, text=message.get("text") or blocks.T_THANKS)
        elif body.get("response_url") and follow_up:
            await respond(response_type="ephemeral", replace_original=False, blocks=follow_up,
                          text=blocks.T_THANKS)
        elif body.get("response_url"):
            await respond(response_type="ephemeral", replace_original=False, text=blocks.T_THANKS)
    except Exception:
        log.exception("could not acknowledge feedback")


def register(app: AsyncApp) -> None:
    app.action(blocks.ACTION_SHARE)(handle_share)
    app.action(re.compile(rf"^{blocks.ACTION_OPEN_PREFIX}"))(handle_open)
    app.action(re.compile(r"^mlrole_feedback_(yes|no)$"))(handle_feedback)
