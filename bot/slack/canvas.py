"""`/mlrole matrix`: the RACI matrix as the channel's canvas, created once and updated in place.

Slack keeps one channel canvas per channel and names it in `conversations.info`
(`channel.properties.canvas.file_id`), so that is where mlrole remembers the canvas: no table of
its own, right across restarts and replicas. A channel canvas someone else wrote is never
overwritten: mlrole only replaces a canvas whose first heading is its own matrix title.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.matrix import MATRIX_TITLE, matrix_markdown

log = logging.getLogger("mlrole.slack")


@dataclass(frozen=True)
class MatrixOutcome:
    status: str
    """"created", "updated", "foreign" (the channel canvas is someone else's) or "failed"."""
    channel_id: str
    canvas_id: str | None = None
    error: str | None = None


async def channel_canvas_id(client: Any, channel_id: str) -> str | None:
    info = await client.conversations_info(channel=channel_id)
    canvas = ((info.get("channel") or {}).get("properties") or {}).get("canvas") or {}
    return canvas.get("file_id") or None


async def is_matrix_canvas(client: Any, canvas_id: str) -> bool:
    found = await client.canvases_sections_lookup(
        canvas_id=canvas_id, criteria={"section_types": ["h1"], "contains_text": MATRIX_TITLE})
    return bool(found.get("sections"))


async def publish_matrix(client: Any, channel_id: str, kb: Any) -> MatrixOutcome:
    """Create the channel canvas with the matrix, or replace mlrole's earlier one; never a duplicate."""
    content = {"type": "markdown", "markdown": matrix_markdown(kb)}
    try:
        canvas_id = await channel_canvas_id(client, channel_id)
        if canvas_id is None:
            try:
                created = await client.conversations_canvases_create(channel_id=channel_id,
                                                                     document_content=content)
                return MatrixOutcome("created", channel_id, created.get("canvas_id"))
            except SlackApiError as e:  # created meanwhile (a second run, another replica): update it
                if e.response.get("error") != "channel_canvas_already_exists":
                    raise
                canvas_id = await channel_canvas_id(client, channel_id)
                if canvas_id is None:
                    raise
        if not await is_matrix_canvas(client, canvas_id):
            return MatrixOutcome("foreign", channel_id, canvas_id)
        await client.canvases_edit(canvas_id=canvas_id,
                                   changes=[{"operation": "replace", "document_content": content}])
        return MatrixOutcome("updated", channel_id, canvas_id)
    except SlackApiError as e:
        error = str(e.response.get("error") or "unknown_error")
        log.warning("could not publish the RACI canvas in %s: %s", channel_id, error)
        return MatrixOutcome("failed", channel_id, error=error)
