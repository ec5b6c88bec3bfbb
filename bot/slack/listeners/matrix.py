"""The RACI matrix canvas: `/mlrole matrix` in a channel, or a channel picked in App Home."""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import surface_blocks
from bot.slack.ask import log_request
from bot.slack.canvas import MatrixOutcome, publish_matrix
from bot.slack.deps import deps_of
from bot.slack_ids import CHANNEL_ID

MATRIX_WORDS = frozenset({"matrix", "raci", "raci matrix", "canvas"})
"""Channels only: a DM has no place for a team's pinned matrix (and reading one would need im:read)."""
log = logging.getLogger("mlrole.slack")


async def matrix_for_command(client: AsyncWebClient, context: AsyncBoltContext, command: dict,
                             respond: AsyncRespond, started: float) -> None:
    """`/mlrole matrix`: the canvas of the channel the command was typed in; the result ephemerally."""
    channel = command.get("channel_id") or ""
    if not CHANNEL_ID.match(channel):
        outcome = MatrixOutcome("failed", channel, error="not_a_channel")
    else:
        outcome = await publish_matrix(client, channel, deps_of(context).knowledge.answerer.kb)
    await respond(response_type="ephemeral", blocks=surface_blocks.matrix_blocks(outcome),
                  text=surface_blocks.matrix_text(outcome))
    log_request("matrix", None, started, user=command.get("user_id"), channel=channel, outcome=outcome.status)


async def handle_home_pick(ack: AsyncAck, body: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """A channel picked in App Home: publish there, then tell the person in the app's DM."""
    started = time.perf_counter()
    await ack()
    action = (body.get("actions") or [{}])[0]
    channel = action.get("selected_conversation") or ""
    user_id = (body.get("user") or {}).get("id")
    if not CHANNEL_ID.match(channel) or not user_id:
        return
    try:
        outcome = await publish_matrix(client, channel, deps_of(context).knowledge.answerer.kb)
        await client.chat_postMessage(channel=user_id, blocks=surface_blocks.matrix_blocks(outcome, here=False),
                                      text=surface_blocks.matrix_text(outcome, here=False))
        log_request("matrix", None, started, user=user_id, channel=channel, outcome=outcome.status)
    except Exception:
        log.exception("could not publish the RACI canvas from App Home")


def register(app: AsyncApp) -> None:
    app.action(surface_blocks.ACTION_MATRIX_CHANNEL)(handle_home_pick)
