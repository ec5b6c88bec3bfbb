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
from bot.storage.base import AnsweredRow, FeedbackRow, UnansweredRow
from bot.terminal import printable


class ReportError(Exception):
    pass


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%Y-%m-%d %H:%M")


SURFACES = ("dm", "mention", "command")


async def _collect(settings: Settings, limit: int, since: float | None, surface: str | None) -> dict[str, Any]:
    """Read-only: the database file, its folder and its tables are never created here."""
    from bot.storage.sql import SqlStore, StorageUnavailable
    from bot.storage.urls import DatabaseUrlError

    url = (settings.database_url or "").strip()
    if url.lower() in ("memory://", "memory:", "memory"):
        raise ReportError("DATABASE_URL is memory://, so nothing was stored: "
                          "point DATABASE_URL at the bot's database")
    try:
        store = SqlStore(url or None, read_only=True)
    except DatabaseUrlError as exc:
        raise ReportError(str(exc)) from None
    try:
        return {"where": store.where,
                "unanswered": await store.unanswered(limit, since=since, surface=surface),
                "answered": await store.answered(limit, since=since, surface=surface),
                "feedback": await store.feedback(limit, since=since)}
    except StorageUnavailable as exc:
        raise ReportError(str(exc)) from None
    finally:
        await store.close()


def _clip(text: str, width: int) -> str:
    text = " ".join(printable(text).split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _table(data: dict[str, Any]) -> str:
    unanswered: list[UnansweredRow] = data["unanswered"]
    feedback: list[FeedbackRow] = data["feedback"]
    answered: list[AnsweredRow] = data["answered"]
    width = max(60, shutil.get_terminal_size((100, 20)).columns)
    lines = [f"mlrole report — {printable(data['where'])}", ""]
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
    lines.append("")
    lines.append(f"Most given answers ({len(answered)})")
    for row in answered:
        lines.append(f"{row.count:>5}  {_clip(row.answer_id, 60)}")
    if not answered:
        lines.append("  (none yet)")
    return "\n".join(lines)


def _as_json(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "unanswered": [{"question": r.question, "count": r.count, "last_asked": _iso(r.last_asked)}
                       for r in data["unanswered"]],
        "feedback": [{"answer_id": r.answer_id, "helpful": r.helpful, "not_helpful": r.not_helpful}
                     for r in data["feedback"]],
        "answered": [{"answer_id": r.answer_id, "count": r.count} for r in data["answered"]],
    }


def run_report(as_json: bool = False, limit: int = 20, since: float | None = None,
               surface: str | None = None) -> int:
    """Print the report; exit 1 with one line on stderr if the database cannot be read."""
    settings = Settings.from_env()
    # The store logs outages as warnings for the bot; here the one-line message below says it all.
    logging.getLogger("bot.storage").setLevel(logging.ERROR)
    try:
        data = asyncio.run(_collect(settings, limit, since, surface))
    except ReportError as exc:
        print(f"mlrole report: {printable(str(exc))}", file=sys.stderr)
        return 1
    if as_json:
        print(printable(json.dumps(_as_json(data), ensure_ascii=False)))
    else:
        print(_table(data))
    return 0
