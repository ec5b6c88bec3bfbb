"""`mlrole report`: what people asked that the bot could not answer, and which answers they disliked.

This is the curator's reading list for improving the knowledge base. It reads the store named by
`DATABASE_URL` (default: the SQLite file the bot writes when nothing is configured).
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
from datetime import datetime, timezone
from typing import Any

from bot.settings import Settings
from bot.terminal import printable
from bot.storage.base import FeedbackRow, MemoryStore, UnansweredRow


class ReportError(Exception):
    pass


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


async def _collect(settings: Settings, limit: int) -> tuple[list[UnansweredRow], list[FeedbackRow], str]:
    from bot.storage.factory import open_store
    from bot.storage.sql import StorageUnavailable, safe_url

    try:
        store = await open_store(settings, strict=True)
    except StorageUnavailable as exc:
        raise ReportError(str(exc)) from None
    try:
        if isinstance(store, MemoryStore):
            raise ReportError("DATABASE_URL is memory://, so nothing was stored: "
                              "point DATABASE_URL at the bot's database")
        where = safe_url(store.url)  # type: ignore[attr-defined]
        try:
            return await store.unanswered(limit), await store.feedback(limit), where
        except StorageUnavailable as exc:
            raise ReportError(str(exc)) from None
    finally:
        await store.close()


def _clip(text: str, width: int) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _table(unanswered: list[UnansweredRow], feedback: list[FeedbackRow], where: str) -> str:
    width = max(60, shutil.get_terminal_size((100, 20)).columns)
    lines = [f"mlrole report — {printable(where)}", ""]
    lines.append(f"Most frequent unanswered questions ({len(unanswered)})")
    if unanswered:
        lines.append(f"{'count':>5}  {'last asked':<16}  question")
        for row in unanswered:
            lines.append(f"{row.count:>5}  {_local(row.last_asked):<16}  {_clip(row.question, width - 25)}")
    else:
        lines.append("  (none recorded yet)")
    lines.append("")
    lines.append(f"Answers with the worst feedback ({len(feedback)})")
    if feedback:
        id_width = max(9, min(50, max(len(r.answer_id) for r in feedback)))
        lines.append(f"{'answer':<{id_width}}    👍    👎")  # each emoji is two columns wide
        for row in feedback:
            lines.append(f"{_clip(row.answer_id, id_width):<{id_width}}  {row.helpful:>4}  {row.not_helpful:>4}")
    else:
        lines.append("  (no feedback yet)")
    return "\n".join(lines)


def _as_json(unanswered: list[UnansweredRow], feedback: list[FeedbackRow]) -> dict[str, Any]:
    return {
        "unanswered": [{"question": r.question, "count": r.count, "last_asked": _iso(r.last_asked)}
                       for r in unanswered],
        "feedback": [{"answer_id": r.answer_id, "helpful": r.helpful, "not_helpful": r.not_helpful}
                     for r in feedback],
    }


def run_report(as_json: bool = False, limit: int = 20) -> int:
    """Print the report; exit 1 with one line on stderr if the database cannot be read."""
    settings = Settings.from_env()
    limit = max(1, limit)
    # The store logs outages as warnings for the bot; here the one-line message below says it all.
    logging.getLogger("bot.storage").setLevel(logging.ERROR)
    try:
        unanswered, feedback, where = asyncio.run(_collect(settings, limit))
    except ReportError as exc:
        print(f"mlrole report: {printable(str(exc))}", file=sys.stderr)
        return 1
    if as_json:
        print(printable(json.dumps(_as_json(unanswered, feedback), ensure_ascii=False)))
    else:
        print(_table(unanswered, feedback, where))
    return 0
