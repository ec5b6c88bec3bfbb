"""The one declared list of bot scopes and events mlrole needs, and why.

`manifest.yml` must ask for exactly these (a test compares both), and OAuth installs request them;
a scope lands here only together with the call or event that needs it.
"""

from __future__ import annotations

SCOPE_USES: dict[str, tuple[str, ...]] = {
    "commands": ("/mlrole", "message shortcut “Who owns this?”"),
    "chat:write": ("chat.postMessage", "chat.postEphemeral"),
    "app_mentions:read": ("app_mention",),
    "im:history": ("message.im",),
    "channels:read": ("conversations.info (public channels)", "member_joined_channel"),
    "groups:read": ("conversations.info (private channels)", "member_joined_channel"),
    "users:read": ("users.info: is a new member a bot?", "users.info: names of a user group's members"),
    "users:read.email": ("users.lookupByEmail: people named by email in the org overlay",),
    "usergroups:read": ("usergroups.list", "usergroups.users.list: the people behind a role"),
    "assistant:write": ("assistant.threads.setSuggestedPrompts", "assistant.threads.setStatus"),
    "canvases:write": ("conversations.canvases.create", "canvases.edit"),
    "canvases:read": ("canvases.sections.lookup: is this channel canvas mlrole's matrix?",),
}
"""Each bot scope and the Web API methods or events that need it."""

BOT_SCOPES: tuple[str, ...] = tuple(SCOPE_USES)

BOT_EVENTS: tuple[str, ...] = (
    "app_mention",
    "app_home_opened",
    "message.im",
    "member_joined_channel",
    "function_executed",
)
"""Events subscribed to; `function_executed` runs the Workflow Builder step."""
