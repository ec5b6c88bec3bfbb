"""`/mlrole <role or question>`: an ephemeral answer with a "Share in channel" button."""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.ask import HELP_WORDS, ask, examples_for, log_request, question_from
from bot.slack.deps import deps_of
from bot.slack.limits import T_SLOW_DOWN, Verdict
from bot.slack.listeners.matrix import MATRIX_WORDS, matrix_for_command

COMMAND = "/mlrole"
log = logging.getLogger("mlrole.slack")


async def handle_command(ack: AsyncAck, command: dict, respond: AsyncRespond, context: AsyncBoltContext,
                         client: AsyncWebClient) -> None:
    started = time.perf_counter()
    await ack()  # within Slack's 3 seconds, before any work
    deps = deps_of(context)
    question = question_from(command.get("text"), context.bot_user_id)
    verdict = deps.limit.check(command.get("user_id"))
    if verdict is not Verdict.ANSWER:
        log_request("command", None, started, user=command.get("user_id"), limited=verdict.value)
        if verdict is Verdict.SLOW_DOWN:
            await respond(response_type="ephemeral", text=T_SLOW_DOWN)
        return
    try:
        if question.lower() in HELP_WORDS:
            answerer = deps.knowledge.answerer
            await respond(response_type="ephemeral", blocks=blocks.help_blocks(answerer),
                          text=blocks.help_text(answerer))
            log_request("command", None, started, help=True)
            return
        if question.lower() in MATRIX_WORDS:
            await matrix_for_command(client, context, command, respond, started)
            return
        answer = await ask(deps, question, surface="command", user_id=command.get("user_id"),
                           team_id=command.get("team_id") or context.team_id, started=started)
        card = blocks.answer_blocks(answer, shareable=answer.answered,
                                    escalate=bool(deps.settings.triage_channel),
                                    examples=examples_for(deps, answer))
        await respond(response_type="ephemeral", blocks=card, text=blocks.fallback_text(answer))
    except Exception:
        log.exception("could not answer a slash command")
        await respond(response_type="ephemeral", blocks=blocks.error_blocks(), text=blocks.T_ERROR)


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(handle_command)
