"""What makes one Slack request unique, so a second delivery of it is answered once.

Slack retries events (same `event_id`); slash commands and button presses are never retried, so
a second copy is a replay of signed bytes someone captured. Each carries a `trigger_id` Slack
issues once per invocation; a button press without one is named by its `action_ts`, user and
action. Claims are kept for twice the five-minute signature window: after that the signature
itself is refused.
"""

from __future__ import annotations

from typing import Any

REPLAY_WINDOW_SECONDS = 600
EVENT_WINDOW_SECONDS = 3600


def once_key(body: dict[str, Any]) -> str | None:
    """`event:…`, `command:…` or `action:…`; None for what has nothing unique (nothing to dedupe)."""
    kind = body.get("type")
    if kind == "event_callback":
        event_id = body.get("event_id")
        return f"event:{event_id}" if isinstance(event_id, str) and event_id else None
    trigger = body.get("trigger_id")
    if isinstance(body.get("command"), str):
        return f"command:{trigger}" if isinstance(trigger, str) and trigger else None
    if kind == "block_actions":
        if isinstance(trigger, str) and trigger:
            return f"action:{trigger}"
        action = (body.get("actions") or [{}])[0]
        user = (body.get("user") or {}).get("id") if isinstance(body.get("user"), dict) else None
        if isinstance(action, dict) and action.get("action_ts") and user:
            return f"action:{action.get('action_ts')}:{user}:{action.get('action_id')}"
    return None
