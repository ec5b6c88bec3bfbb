"""Lessons: "this question should have matched that entry", taught by a curator in Slack.

A lesson keeps the question's text and the entry, never who asked or who answered: the triage
post in Slack is the record of people; the lesson is only what the knowledge base should learn.
Lessons wait in storage until `mlrole kb learn --apply` writes them into the YAML files
(bot/kb_learn.py), and are then marked applied.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from bot.settings import Settings

MAX_LESSON_CHARS = 500
"""Longer than any real question; a lesson is written into a YAML file as one line."""


@dataclass(frozen=True)
class Lesson:
    id: int
    question: str
    kind: str
    entry_id: str
    created_at: float
    applied_at: float | None = None

    @property
    def entry_key(self) -> str:
        return f"{self.kind}:{self.entry_id}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "kind": self.kind, "entry_id": self.entry_id,
                "created_at": _iso(self.created_at),
                "applied_at": _iso(self.applied_at) if self.applied_at else None}


def lesson_text(question: str) -> str:
    """The question as it goes into `examples:`: one line, trimmed, bounded."""
    return " ".join(str(question).split())[:MAX_LESSON_CHARS]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class LessonsError(Exception):
    """Storage cannot be read; the message is the one line to print."""


async def open_lesson_store(settings: Settings) -> Any:
    """The bot's store, for the curator's commands: strict (a clear error when unreachable)."""
    from bot.storage.base import MemoryStore
    from bot.storage.factory import open_store
    from bot.storage.sql import StorageUnavailable

    try:
        store = await open_store(settings, strict=True)
    except StorageUnavailable as exc:
        raise LessonsError(str(exc)) from None
    if isinstance(store, MemoryStore):
        await store.close()
        raise LessonsError("DATABASE_URL is memory://, so no lessons were stored: "
                           "point DATABASE_URL at the bot's database")
    return store


async def read_pending(settings: Settings) -> list[Lesson]:
    from bot.storage.sql import StorageUnavailable

    store = await open_lesson_store(settings)
    try:
        return await store.lessons(pending=True)
    except StorageUnavailable as exc:
        raise LessonsError(str(exc)) from None
    finally:
        await store.close()


async def mark_applied(settings: Settings, ids: list[int]) -> int:
    from bot.storage.sql import StorageUnavailable

    store = await open_lesson_store(settings)
    try:
        return await store.mark_lessons_applied(ids)
    except StorageUnavailable as exc:
        raise LessonsError(str(exc)) from None
    finally:
        await store.close()


def run_lessons(as_json: bool = False) -> int:
    """`mlrole kb lessons`: the pending lessons, oldest first."""
    logging.getLogger("bot.storage").setLevel(logging.ERROR)
    try:
        pending = asyncio.run(read_pending(Settings.from_env()))
    except LessonsError as exc:
        print(f"mlrole kb lessons: {exc}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps([lesson.to_json() for lesson in pending], ensure_ascii=False))
        return 0
    if not pending:
        print("No pending lessons. (Curators teach one with Answer on a triage post in Slack.)")
        return 0
    print(f"{len(pending)} pending lesson(s); `mlrole kb learn` shows the change, --apply writes it")
    for lesson in pending:
        print(f"{lesson.id:>5}  {lesson.entry_key:<40}  “{lesson.question}”")
    return 0


def search_entries(kb: Any, query: str, limit: int = 100) -> list[Any]:
    """Entries a curator may pick for a question, best first: the modal's searchable list.

    Empty query: every entry in knowledge-base order. Otherwise a fuzzy match on title, id and
    aliases (rapidfuzz), so "deploy" finds Model deployment and "mle" the ML Engineer.
    """
    from rapidfuzz import fuzz

    entries = list(kb.entries())
    query = " ".join(str(query or "").lower().split())
    if not query:
        return entries[:limit]
    scored = []
    for entry in entries:
        phrases = [entry.title.lower(), entry.id.replace("-", " "), *(a.lower() for a in entry.aliases)]
        score = max(max(fuzz.partial_ratio(query, p) for p in phrases), fuzz.WRatio(query, entry.title.lower()))
        if any(p.startswith(query) for p in phrases):
            score += 10
        if score >= 60:
            scored.append((score, entry))
    scored.sort(key=lambda pair: -pair[0])
    return [entry for _, entry in scored[:limit]]
