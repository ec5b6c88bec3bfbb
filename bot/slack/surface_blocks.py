"""Block Kit for the newer surfaces: message shortcut, RACI canvas replies, App Home additions.

Same rules as bot.slack.blocks: built with slack_sdk's models, user text escaped, inside limits.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    PlainTextObject,
    SectionBlock,
)

from bot.slack.blocks import (
    MAX_CONTEXT_TEXT,
    MAX_MESSAGE_BLOCKS,
    _md,
    escape,
    truncate,
)
from bot.slack.canvas import MatrixOutcome

ACTION_MATRIX_CHANNEL = "mlrole_matrix_channel"

T_ABOUT = "About this message: “{excerpt}”"
T_NO_TEXT = ("That message has no text I can read (only files or attachments). Ask me directly with "
             "`/mlrole <question>`.")
T_MATRIX_CREATED = ("Done: the RACI matrix is now this channel's canvas (open it from the channel's tabs). "
                    "Run `/mlrole matrix` again after the knowledge base changes to update it.")
T_MATRIX_CREATED_IN = "Done: the RACI matrix is now the canvas of <#{channel}>."
T_MATRIX_UPDATED = "Updated the RACI matrix canvas in <#{channel}>: same canvas, current knowledge base."
T_MATRIX_FOREIGN = ("<#{channel}> already has a channel canvas that is not mlrole's matrix, so I left it "
                    "alone. Pick another channel, or remove that canvas first.")
T_MATRIX_FAILED = {
    "not_a_channel": "Run `/mlrole matrix` in the channel that should get the matrix (not in a direct message).",
    "not_in_channel": "I'm not in <#{channel}>: invite me with `/invite @mlrole`, then try again.",
    "channel_not_found": "I can't see <#{channel}>: invite me with `/invite @mlrole`, then try again.",
    "missing_scope": ("This install of mlrole may not write canvases yet: an admin needs to reinstall it "
                      "with the canvases:read and canvases:write scopes (README: “RACI matrix canvas”)."),
}
T_MATRIX_FAILED_OTHER = ("Slack did not let me create or update a canvas in <#{channel}> ({error}). Ask an "
                         "admin whether canvases are allowed there.")
T_HOME_MATRIX = ("*Pin the RACI matrix for newcomers*\nPick a channel and I'll put the matrix of who is "
                 "accountable, responsible, consulted and informed in its canvas (or update it).")
T_HOME_MATRIX_PLACEHOLDER = "Choose a channel"
T_HOME_SURFACES = ("More ways to ask: the *Messages* tab suggests questions · on any message, "
                   "*⋯ → Who owns this?* · in Workflow Builder, the *Find the owner* step · "
                   "`/mlrole matrix` puts the RACI matrix in a channel's canvas.")


def shortcut_blocks(card: list[dict[str, Any]], message_text: str) -> list[dict[str, Any]]:
    """The usual answer card, led by a line saying which message it is about."""
    excerpt = truncate(escape(" ".join(message_text.split())), 150)
    about = ContextBlock(elements=[_md(T_ABOUT.format(excerpt=excerpt), MAX_CONTEXT_TEXT)]).to_dict()
    return ([about] + card) if len(card) < MAX_MESSAGE_BLOCKS else card


def no_text_blocks() -> list[dict[str, Any]]:
    return [SectionBlock(text=_md(T_NO_TEXT)).to_dict()]


def matrix_text(outcome: MatrixOutcome, here: bool = True) -> str:
    channel = outcome.channel_id
    if outcome.status == "created":
        return T_MATRIX_CREATED if here else T_MATRIX_CREATED_IN.format(channel=channel)
    if outcome.status == "updated":
        return T_MATRIX_UPDATED.format(channel=channel)
    if outcome.status == "foreign":
        return T_MATRIX_FOREIGN.format(channel=channel)
    template = T_MATRIX_FAILED.get(outcome.error or "", T_MATRIX_FAILED_OTHER)
    return template.format(channel=channel, error=escape(outcome.error or "unknown error"))


def matrix_blocks(outcome: MatrixOutcome, here: bool = True) -> list[dict[str, Any]]:
    return [SectionBlock(text=_md(matrix_text(outcome, here))).to_dict()]


def home_surface_blocks() -> list[Block]:
    """App Home: the canvas picker and a line about the other surfaces (placed under the intro)."""
    picker = ConversationSelectElement(
        placeholder=PlainTextObject(text=T_HOME_MATRIX_PLACEHOLDER), action_id=ACTION_MATRIX_CHANNEL,
        filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True,
                                  exclude_external_shared_channels=True))
    return [SectionBlock(text=_md(T_HOME_MATRIX), accessory=picker),
            ContextBlock(elements=[_md(T_HOME_SURFACES, MAX_CONTEXT_TEXT)])]
