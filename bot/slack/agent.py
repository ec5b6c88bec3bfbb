"""The Messages tab as an agent: suggested prompts when it opens, a status while an answer is built.

Slack's agent experience (`agent_view` in the manifest) sends `app_home_opened` with
`tab: "messages"` when someone opens the bot's DM; prompts are then set for that DM without a
`thread_ts` (Slack ignores calls with one for agent apps). Both calls need `assistant:write`; a
workspace where the app has no agent view refuses them, and mlrole stops trying there.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.prompts import starter_prompts

log = logging.getLogger("mlrole.slack")

T_STATUS = "Looking up who owns that…"
T_PROMPTS_TITLE = "Try asking"
MAX_PROMPTS = 4
_RETRYABLE = {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}
_unsupported: set[str] = set()
"""Teams whose Slack refused an assistant call (no agent view, or an install without assistant:write)."""


def agent_supported(team_id: str | None) -> bool:
    return (team_id or "-") not in _unsupported


def note_refusal(team_id: str | None, method: str, error: Exception) -> None:
    """Stop calling assistant methods for a team whose Slack refuses them (once per process)."""
    code = error.response.get("error") if isinstance(error, SlackApiError) else type(error).__name__
    if isinstance(error, SlackApiError) and code not in _RETRYABLE:
        _unsupported.add(team_id or "-")
        log.info("%s refused (error=%s): agent status and prompts off for team=%s; turn on the "
                 "agent view and add assistant:write (README: Messages tab)", method, code, team_id)
    else:
        log.debug("%s failed: %s", method, code)


def prompts_payload(kb: Any, user_id: str | None) -> list[dict[str, str]]:
    """Up to four prompts, rotated per person so a team sees more of the knowledge base."""
    seed = zlib.crc32((user_id or "").encode())
    return [{"title": p.title, "message": p.message} for p in starter_prompts(kb, MAX_PROMPTS, seed)]


class AgentStatus:
    """"Looking up who owns that…" under the bot's name while it answers; cleared after the reply.

    Shown in the background so the answer never waits for it; a no-op where Slack does not support it.
    """

    def __init__(self, set_status: Any, team_id: str | None) -> None:
        self.set_status = set_status if agent_supported(team_id) else None
        self.team_id = team_id
        self._shown: asyncio.Task | None = None

    async def _call(self, status: str) -> bool:
        try:
            await self.set_status(status)
            return True
        except Exception as e:
            note_refusal(self.team_id, "assistant.threads.setStatus", e)
            return False

    async def show(self) -> None:
        if self.set_status is not None:
            self._shown = asyncio.create_task(self._call(T_STATUS))

    async def clear(self) -> None:
        if self._shown is not None and await self._shown:
            await self._call("")
