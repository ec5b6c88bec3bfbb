"""Freshness: which entries nobody has reviewed for a while, and which answers people keep 👎-ing.

Entries may carry `reviewed: YYYY-MM-DD` and `curator:` (a Slack member or group ID). This is the
curator's second reading list, beside `mlrole report`: `mlrole report --stale [DAYS]` prints it,
and the weekly digest (MLROLE_DIGEST=weekly) posts it to the triage channel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.settings import Settings, knowledge_path
from bot.storage.base import FeedbackRow, UnansweredRow

DEFAULT_STALE_DAYS = 180
REPEATED_DOWNVOTES = 2
"""An answer 👎-ed at least this often (more than 👍) is worth a look."""


@dataclass(frozen=True)
class StaleEntry:
    kind: str
    id: str
    title: str
    reviewed: date | None
    curator: str | None
    age_days: int | None  # None: never reviewed

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title,
                "reviewed": self.reviewed.isoformat() if self.reviewed else None,
                "curator": self.curator, "age_days": self.age_days}


def stale_entries(kb: KnowledgeBase, days: int, today: date | None = None) -> list[StaleEntry]:
    """Entries reviewed more than `days` ago (oldest first), then those never reviewed."""
    today = today or datetime.now(timezone.utc).date()
    old, never = [], []
    for entry in kb.entries():
        reviewed = getattr(entry, "reviewed", None)
        curator = getattr(entry, "curator", None)
        if reviewed is None:
            never.append(StaleEntry(entry.kind, entry.id, entry.title, None, curator, None))
        elif (today - reviewed).days > days:
            old.append(StaleEntry(entry.kind, entry.id, entry.title, reviewed, curator,
                                  (today - reviewed).days))
    old.sort(key=lambda e: (-(e.age_days or 0), e.kind, e.id))
    return old + never


def repeatedly_downvoted(rows: list[FeedbackRow]) -> list[FeedbackRow]:
    return [r for r in rows if r.not_helpful >= REPEATED_DOWNVOTES and r.not_helpful > r.helpful]


def week_key(now: datetime | None = None) -> str:
    """The ISO week a digest belongs to (UTC): one digest per key across every replica."""
    year, week, _ = (now or datetime.now(timezone.utc)).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Digest:
    week: str
    unanswered: list[UnansweredRow]
    downvoted: list[FeedbackRow]
    stale: list[StaleEntry]

    @property
    def empty(self) -> bool:
        return not (self.unanswered or self.downvoted or self.stale)


async def collect_digest(store: Any, kb: KnowledgeBase, *, days: int = DEFAULT_STALE_DAYS,
                         top: int = 5, now: datetime | None = None) -> Digest:
    """Top unanswered, top 👎 and stale entries; raises StorageUnavailable if the store is down."""
    now = now or datetime.now(timezone.utc)
    unanswered = await store.unanswered(top)
    downvoted = repeatedly_downvoted(await store.feedback(max(top * 4, 20)))[:top]
    stale = [e for e in stale_entries(kb, days, now.date()) if e.reviewed is not None][:top]
    return Digest(week_key(now), unanswered, downvoted, stale)


# --- `mlrole report --stale [DAYS]` ------------------------------------------------------------

def _text(stale: list[StaleEntry], downvoted: list[FeedbackRow] | None, days: int, note: str) -> str:
    old = [e for e in stale if e.reviewed is not None]
    never = [e for e in stale if e.reviewed is None]
    lines = [f"Entries not reviewed for more than {days} days ({len(old)})"]
    for e in old:
        who = f"  curator {e.curator}" if e.curator else ""
        lines.append(f"  {e.reviewed.isoformat()}  {e.age_days:>5}d  {e.kind}:{e.id}{who}")  # type: ignore[union-attr]
    if not old:
        lines.append("  (none)")
    lines += ["", f"Entries with no `reviewed:` date ({len(never)})"]
    lines += [f"  {e.kind}:{e.id}" + (f"  curator {e.curator}" if e.curator else "") for e in never] or ["  (none)"]
    lines += ["", f"Answers 👎-ed {REPEATED_DOWNVOTES} or more times"]
    if downvoted is None:
        lines.append(f"  ({note})")
    else:
        lines += [f"  {r.answer_id}  👎 {r.not_helpful}  👍 {r.helpful}" for r in downvoted] or ["  (none)"]
    return "\n".join(lines)


async def _downvoted(settings: Settings) -> list[FeedbackRow]:
    from bot.lessons import open_lesson_store

    store = await open_lesson_store(settings)
    try:
        return repeatedly_downvoted(await store.feedback(1000))
    finally:
        await store.close()


def run_stale_report(knowledge: str | None, days: int, as_json: bool = False) -> int:
    """Stale entries come from the files, 👎 counts from storage; a storage problem is one line."""
    from bot.lessons import LessonsError
    from bot.storage.sql import StorageUnavailable

    if days < 0:
        print("mlrole report --stale: DAYS must be 0 or more", file=sys.stderr)
        return 2
    logging.getLogger("bot.storage").setLevel(logging.ERROR)
    kb = load_knowledge(knowledge_path(knowledge))
    stale = stale_entries(kb, days)
    downvoted: list[FeedbackRow] | None
    note, status = "", 0
    try:
        downvoted = asyncio.run(_downvoted(Settings.from_env()))
    except (LessonsError, StorageUnavailable) as exc:
        downvoted, note, status = None, f"feedback not read: {exc}", 1
    if as_json:
        print(json.dumps({"days": days, "stale": [e.to_json() for e in stale],
                          "downvoted": None if downvoted is None else
                          [{"answer_id": r.answer_id, "helpful": r.helpful, "not_helpful": r.not_helpful}
                           for r in downvoted]}, ensure_ascii=False))
    else:
        print(_text(stale, downvoted, days, note))
    if status:
        print(f"mlrole report: {note}", file=sys.stderr)
    return status
