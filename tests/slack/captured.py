"""Real Slack payloads (tests/slack/fixtures/captured, each naming its source), sent as Slack sends them."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

CAPTURED = Path(__file__).parent / "fixtures" / "captured"


def payload(name: str, **event_changes: Any) -> dict[str, Any]:
    """The captured body; for events a fresh event_id/event_time, and `event_changes` merged into the event."""
    body = copy.deepcopy(json.loads((CAPTURED / f"{name}.json").read_text())["payload"])
    if body.get("type") == "event_callback":
        body["event_id"] = f"Ev{time.time_ns()}"
        body["event_time"] = int(time.time())
        body["event"].update(event_changes)
    return body


async def send_event(bot: Any, body: dict[str, Any]) -> Any:
    return await bot.post(json.dumps(body), "application/json")


async def send_interaction(bot: Any, body: dict[str, Any], response_url: str = "shortcut") -> Any:
    body = dict(body)
    if "response_url" in body:
        body["response_url"] = bot.stub.response_url(response_url)
    return await bot.post(urlencode({"payload": json.dumps(body)}), "application/x-www-form-urlencoded")
