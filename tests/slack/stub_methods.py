"""The Web API methods of Slack's newer surfaces, for the local stub: canvases, agent, functions.

Canvases behave as Slack's do: one channel canvas per channel (a second
conversations.canvases.create fails with channel_canvas_already_exists), named in
conversations.info's channel.properties.canvas, found again with canvases.sections.lookup.
"""

from __future__ import annotations

import json
from typing import Any


def _json(value: Any) -> Any:
    """Form-encoded calls send objects as JSON strings; JSON calls send them as objects."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class NewerMethods:
    METHODS = ("conversations.canvases.create", "canvases.edit", "canvases.sections.lookup",
               "assistant.threads.setSuggestedPrompts", "assistant.threads.setStatus",
               "functions.completeSuccess", "functions.completeError")

    def __init__(self) -> None:
        self.channel_canvas: dict[str, str] = {}  # channel -> canvas id
        self.canvas_markdown: dict[str, str] = {}  # canvas id -> its markdown now
        self.refuse: dict[str, str] = {}  # method -> error to answer with (ok: false)

    def add_foreign_canvas(self, channel: str, markdown: str = "# Team notes\nOur own canvas.") -> str:
        canvas_id = f"F{len(self.canvas_markdown) + 1:08d}"
        self.channel_canvas[channel] = canvas_id
        self.canvas_markdown[canvas_id] = markdown
        return canvas_id

    def channel_properties(self, channel: str) -> dict[str, Any]:
        canvas_id = self.channel_canvas.get(channel)
        if canvas_id is None:
            return {}
        return {"properties": {"canvas": {"file_id": canvas_id, "is_empty": False,
                                          "quip_thread_id": "X" + canvas_id}}}

    def handle(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method in self.refuse:
            return {"ok": False, "error": self.refuse[method]}
        if method == "conversations.canvases.create":
            channel = str(params.get("channel_id"))
            if channel in self.channel_canvas:
                return {"ok": False, "error": "channel_canvas_already_exists"}
            content = _json(params.get("document_content")) or {}
            canvas_id = self.add_foreign_canvas(channel, content.get("markdown", ""))
            return {"ok": True, "canvas_id": canvas_id}
        if method == "canvases.edit":
            canvas_id = str(params.get("canvas_id"))
            if canvas_id not in self.canvas_markdown:
                return {"ok": False, "error": "canvas_not_found"}
            for change in _json(params.get("changes")) or []:
                if change.get("operation") == "replace" and not change.get("section_id"):
                    self.canvas_markdown[canvas_id] = change["document_content"]["markdown"]
            return {"ok": True}
        if method == "canvases.sections.lookup":
            canvas_id = str(params.get("canvas_id"))
            if canvas_id not in self.canvas_markdown:
                return {"ok": False, "error": "canvas_not_found"}
            criteria = _json(params.get("criteria")) or {}
            wanted = str(criteria.get("contains_text", "")).lower()
            headings = [line for line in self.canvas_markdown[canvas_id].splitlines() if line.startswith("# ")]
            found = [{"id": f"temp:C:{canvas_id}{i}"} for i, line in enumerate(headings) if wanted in line.lower()]
            return {"ok": True, "sections": found}
        if method == "assistant.threads.setSuggestedPrompts":
            prompts = _json(params.get("prompts")) or []
            if not params.get("channel_id") or not 1 <= len(prompts) <= 4:
                return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True}
        if method == "assistant.threads.setStatus":
            if not params.get("channel_id") or not params.get("thread_ts") or "status" not in params:
                return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True}
        if method in ("functions.completeSuccess", "functions.completeError"):
            if not params.get("function_execution_id"):
                return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True}
        raise KeyError(method)
