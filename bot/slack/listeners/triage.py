"""The curator loop in Slack: "Ask the ML team" → triage post → Answer modal → the asker's DM + a lesson.

Once-only across replicas comes from the store's claims: a double-click posts one triage message,
and two curators submitting at once resolve a question once (the second is told in the modal).
"""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.lessons import search_entries
from bot.slack import blocks
from bot.slack import curator_blocks as cb
from bot.slack.ask import claim, log_request, open_entry
from bot.slack.curator_blocks import Case
from bot.slack.deps import deps_of
from bot.storage.base import question_key

log = logging.getLogger("mlrole.slack")


def _is_dm(channel: str) -> bool:
    return channel.startswith("D")


async def handle_escalate(ack: AsyncAck, body: dict, respond: AsyncRespond, client: AsyncWebClient,
                          context: AsyncBoltContext) -> None:
    """Post the question, who asked and what the bot said to the triage channel; tell the asker."""
    started = time.perf_counter()
    await ack()
    deps = deps_of(context)
    action = (body.get("actions") or [{}])[0]
    user_id = (body.get("user") or {}).get("id") or ""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    message = body.get("message") or {}
    kind, entry_id, question = blocks.parse_value(action.get("value"))
    reply = respond if body.get("response_url") else None
    if not deps.settings.triage_channel:
        if reply:
            await reply(response_type="ephemeral", replace_original=False, text=cb.T_NOT_SET_UP)
        return
    answered = f"{kind}:{entry_id}" if entry_id else ""
    title = ""
    if answered:
        entry = deps.knowledge.answerer.kb.get(kind, entry_id)
        title = entry.title if entry is not None else ""
    ephemeral = bool(container.get("is_ephemeral"))
    message_ts = "" if ephemeral else (message.get("ts") or container.get("message_ts") or "")
    case = Case(q=question or "", u=user_id, c=channel if _is_dm(channel) else "",
                t=(message.get("thread_ts") or message_ts) if _is_dm(channel) else "",
                a=answered, title=title, r=cb.picked_reason(body))
    key = f"escalate:{channel}:{message_ts or container.get('message_ts')}:{user_id}:{question_key(case.q)[:200]}"
    if not await claim(deps, key):
        return  # a double-click or a retried delivery: already passed on
    try:
        await client.chat_postMessage(channel=deps.settings.triage_channel, blocks=cb.triage_blocks(case),
                                      text=cb.triage_text(case), unfurl_links=False, unfurl_media=False)
    except SlackApiError as e:
        log.error("could not post to MLROLE_TRIAGE_CHANNEL=%s: %s (invite the bot to that channel, or "
                  "set its channel ID)", deps.settings.triage_channel, e.response.get("error"))
        if reply:
            await reply(response_type="ephemeral", replace_original=False, text=cb.T_NOT_PASSED_ON)
        return
    except Exception:
        log.exception("could not post a question to the triage channel")
        if reply:
            await reply(response_type="ephemeral", replace_original=False, text=cb.T_NOT_PASSED_ON)
        return
    log_request("escalate", None, started, user=user_id, entry=answered or "unanswered",
                reason=case.r or None)
    if reply is None:
        return
    try:
        if message.get("blocks") and _is_dm(channel):
            drop = {blocks.FEEDBACK_BLOCK_ID, cb.BLOCK_ESCALATE, cb.BLOCK_WHY}
            new = [b for b in message["blocks"] if b.get("block_id") not in drop] + [cb.passed_on_block()]
            await reply(replace_original=True, blocks=new, text=message.get("text") or cb.T_PASSED_ON)
        else:
            await reply(response_type="ephemeral", replace_original=False, text=cb.T_PASSED_ON)
    except Exception:
        log.exception("could not tell the asker their question was passed on")


async def handle_reason(ack: AsyncAck) -> None:
    """Picking a reason only changes the select; it is read when "Ask the ML team" is pressed."""
    await ack()


async def handle_answer_button(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
    """A curator pressed Answer on a triage post: open the modal (within the trigger's 3 seconds)."""
    await ack()
    action = (body.get("actions") or [{}])[0]
    case = Case.from_value(action.get("value"))
    if case is None or not body.get("trigger_id"):
        log.warning("triage Answer pressed with an unreadable value; ignored")
        return
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
    ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts") or ""
    case = Case(**{**case.__dict__, "ch": channel, "ts": ts})
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=cb.answer_modal(case))
    except Exception:
        log.exception("could not open the Answer modal")


async def handle_entry_options(ack: AsyncAck, body: dict, context: AsyncBoltContext) -> None:
    """The modal's searchable list of entries (block_suggestion)."""
    kb = deps_of(context).knowledge.answerer.kb
    await ack(option_groups=cb.entry_options(search_entries(kb, body.get("value") or "", cb.MAX_OPTIONS)))


async def handle_answer_submit(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient,
                               context: AsyncBoltContext) -> None:
    """DM the asker, mark the triage post resolved, store the lesson (question → entry, no person)."""
    started = time.perf_counter()
    deps = deps_of(context)
    curator = (body.get("user") or {}).get("id") or ""
    case = Case.from_value(view.get("private_metadata"))
    picked, text = cb.submitted(view)
    if case is None:
        await ack()
        log.warning("triage modal submitted without readable metadata; ignored")
        return
    entry = None
    if picked:
        kind, _, entry_id = picked.partition(":")
        entry = deps.knowledge.answerer.kb.get(kind, entry_id)
        if entry is None:
            await ack(response_action="errors", errors={cb.BLOCK_ENTRY: cb.E_UNKNOWN_ENTRY})
            return
    if entry is None and not text:
        await ack(response_action="errors", errors={cb.BLOCK_ENTRY: cb.E_NOTHING})
        return
    if case.ch and case.ts and not await claim(deps, f"triage:{case.ch}:{case.ts}"):
        await ack(response_action="errors", errors={cb.BLOCK_ENTRY: cb.E_TAKEN})
        return
    await ack()
    if entry is not None and case.q.strip():
        try:
            await deps.store.add_lesson(question=case.q, kind=entry.kind, entry_id=entry.id)
        except Exception:
            log.exception("could not store the lesson for %s:%s", entry.kind, entry.id)
    card = []
    if entry is not None:
        card = blocks.answer_blocks(open_entry(deps, entry.kind, entry.id, case.q), feedback=False)
    if case.asker:
        dm_channel, thread = (case.c, case.t or None) if case.c and _is_dm(case.c) else (case.asker, None)
        try:
            await client.chat_postMessage(channel=dm_channel, thread_ts=thread, text=cb.answer_dm_text(case),
                                          blocks=cb.answer_dm_blocks(case, curator, text, card))
        except Exception:
            log.exception("could not send the answer to the asker")
    if case.ch and case.ts:
        try:
            await client.chat_update(channel=case.ch, ts=case.ts, text=cb.triage_text(case),
                                     blocks=cb.resolved_blocks(case, curator, entry.title if entry else None))
        except Exception:
            log.exception("could not mark the triage post resolved")
    log_request("triage-answer", None, started, user=curator,
                entry=f"{entry.kind}:{entry.id}" if entry else "free-text")


def register(app: AsyncApp) -> None:
    app.action(blocks.ACTION_ESCALATE)(handle_escalate)
    app.action(cb.ACTION_REASON)(handle_reason)
    app.action(cb.ACTION_TRIAGE_ANSWER)(handle_answer_button)
    app.options(cb.ACTION_ENTRY)(handle_entry_options)
    app.view(cb.CALLBACK_ANSWER)(handle_answer_submit)
