"""What `/healthz` says: knowledge base, storage and Slack connection, each with its own state.

503 only when the bot cannot answer at all (no knowledge base, or Socket Mode with no connection
to Slack): a platform restarting the process could then help. A database that is down is reported
but answers 200, because the bot keeps answering without it.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiohttp import web


class SlackState:
    """How this process hears from Slack: `http` (Slack calls us) or `socket` (we hold a websocket)."""

    def __init__(self, mode: str, is_connected: Callable[[], Awaitable[bool]] | None = None) -> None:
        self.mode = mode
        self._is_connected = is_connected

    async def report(self) -> dict[str, Any]:
        if self.mode != "socket":
            return {"ok": True, "mode": self.mode}
        connected = False
        if self._is_connected is not None:
            try:
                connected = bool(await self._is_connected())
            except Exception:  # noqa: BLE001 - a client mid-reconnect is simply not connected
                connected = False
        return {"ok": connected, "mode": "socket", "connected": connected}


def storage_report(store: Any) -> dict[str, Any]:
    where = getattr(store, "where", None)
    if where is None:
        return {"ok": True, "kind": "memory", "persistent": False}
    return {"ok": bool(getattr(store, "healthy", True)), "kind": getattr(store, "dialect", "sql"),
            "persistent": True}


async def health(knowledge: Any, store: Any, slack: SlackState) -> tuple[int, dict[str, Any]]:
    try:
        kb = {"ok": True, **knowledge.status()}
    except Exception:  # noqa: BLE001 - no knowledge base: nothing to answer with
        kb = {"ok": False}
    storage = storage_report(store)
    connection = await slack.report()
    can_answer = kb["ok"] and connection["ok"]
    body = {"ok": can_answer, "degraded": can_answer and not storage["ok"],
            **{k: v for k, v in kb.items() if k != "ok"},  # the knowledge fields stay top-level as before
            "knowledge": kb, "storage": storage, "slack": connection}
    return (200 if can_answer else 503), body


def healthz_handler(knowledge: Any, store: Any, slack: SlackState):
    async def healthz(_request: web.Request) -> web.Response:
        status, body = await health(knowledge, store, slack)
        return web.json_response(body, status=status)

    return healthz
