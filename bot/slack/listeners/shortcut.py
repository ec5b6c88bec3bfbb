"""Message shortcut "Who owns this?": an ephemeral answer about the message's own text."""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond

from bot.slack import blocks, surface_blocks
from bot.slack.ask import ask, question_from
from bot.slack.deps import deps_of

CALLBACK_ID = "mlrole_who_owns_this"
log = logging.getLogger("mlrole.slack")


async def handle_who_owns_this(ack: AsyncAck, shortcut: dict, respond: AsyncRespond,
                               context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    await ack()
    text = (shortcut.get("message") or {}).get("text")
    question = question_from(text, context.bot_user_id)
    user_id = (shortcut.get("user") or {}).get("id")
    try:
        if not question:
            await respond(response_type="ephemeral", blocks=surface_blocks.no_text_blocks(),
                          text=surface_blocks.T_NO_TEXT)
            return
        answer = await ask(deps_of(context), question, surface="shortcut", user_id=user_id,
                           team_id=(shortcut.get("team") or {}).get("id") or context.team_id, started=started)
        card = blocks.answer_blocks(answer, shareable=answer.answered)
        await respond(response_type="ephemeral", blocks=surface_blocks.shortcut_blocks(card, question),
                      text=blocks.fallback_text(answer))
    except Exception:
        log.exception("could not answer a message shortcut")
        await respond(response_type="ephemeral", blocks=blocks.error_blocks(), text=blocks.T_ERROR)


def register(app: AsyncApp) -> None:
    app.shortcut(CALLBACK_ID)(handle_who_owns_this)
