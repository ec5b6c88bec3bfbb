"""What the adapters need from storage, and a memory-only store for when none is configured."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from bot.lessons import Lesson, lesson_text
from bot.smalltalk import small_talk

QUESTION_KEY_CHARS = 1000
THREAD_CONTEXT_TTL = 24 * 3600
"""How long a thread's last answer is kept for follow-ups: a day, then it is forgotten."""

_PUNCTUATION = re.compile(r"[^\w\s]+|_+")



def question_key(text: str) -> str:
    """How questions are grouped: case, punctuation and whitespace do not matter."""
    return " ".join(_PUNCTUATION.sub(" ", text.lower()).split())[:QUESTION_KEY_CHARS]


def is_small_talk(text: str) -> bool:
    """Greetings, thanks and acknowledgements ("hi!", "thanks a lot", "ok 👍"): nothing to curate.

    The same judgement the answerer makes (bot.smalltalk), so what is answered as small talk is
    never stored, and rows written by older versions are left out of reports alike."""
    return not question_key(text).split() or small_talk(text) is not None


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class UnansweredRow:
    question: str
    count: int
    last_asked: float


@dataclass(frozen=True)
class AnsweredRow:
    answer_id: str
    count: int


@dataclass(frozen=True)
class PurgeResult:
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


@dataclass(frozen=True)
class FeedbackRow:
    answer_id: str
    helpful: int
    not_helpful: int


class Store(Protocol):
    async def claim_event(self, event_id: str, ttl_seconds: int = 3600) -> bool:
        """True exactly once per event id across every replica sharing the store."""

    async def record_question(self, *, text: str, surface: str, user_id: str | None,
                              answered: bool, answer_id: str | None, score: float,
                              team_id: str | None = None) -> None: ...

    async def record_feedback(self, *, answer_id: str, helpful: bool, user_id: str | None,
                              question: str | None = None, team_id: str | None = None) -> None: ...

    async def mark_welcomed(self, user_id: str, channel_id: str) -> bool:
        """True the first time this person is welcomed in this channel, False afterwards."""

    async def unanswered(self, limit: int = 20, *, since: float | None = None,
                         surface: str | None = None) -> list[UnansweredRow]: ...

    async def answered(self, limit: int = 20, *, since: float | None = None,
                       surface: str | None = None) -> list[AnsweredRow]: ...

    async def feedback(self, limit: int = 20, *, since: float | None = None) -> list[FeedbackRow]: ...

    async def purge(self, *, before: float | None = None, users: tuple[str, ...] | list[str] = ()) -> PurgeResult:
        """Delete what was stored before `before` and everything kept about `users`."""

    async def close(self) -> None: ...

    # -- curator loop (issue 15): lessons taught in Slack, waiting for `mlrole kb learn` ----------

    async def add_lesson(self, *, question: str, kind: str, entry_id: str) -> bool:
        """Store a pending lesson; False if the same one is already pending."""

    async def lessons(self, *, pending: bool = True, limit: int = 1000) -> list[Lesson]: ...

    async def mark_lessons_applied(self, ids: list[int]) -> int: ...

    # -- thread context (issue 10): the last answer in a Slack thread, for follow-ups ------------

    async def remember_thread(self, *, team_id: str, channel_id: str, thread_ts: str, kind: str,
                              entry_id: str, ttl_seconds: int = THREAD_CONTEXT_TTL) -> None:
        """Remember the entry last answered in this thread (until it expires); never raises."""

    async def thread_context(self, *, team_id: str, channel_id: str, thread_ts: str) -> tuple[str, str] | None:
        """(kind, entry id) of the thread's last answer, or None (none, expired, or storage down)."""


class MemoryStore:
    """Single-process store: enough for tests and a bot with no database. Keeps what SqlStore keeps."""

    max_events = 100_000
    """Claims kept at most (~10 MB): past it the oldest go first, so memory and work stay bounded."""

    def __init__(self) -> None:
        self._events: OrderedDict[str, float] = OrderedDict()  # key -> expiry, oldest claim first
        self._welcomed: dict[tuple[str, str], float] = {}
        self._unanswered: list[dict] = []  # unanswered only: text, surface, team, time
        self._counts: dict[tuple[str, str, str], int] = {}  # (answer_id, surface, day) -> count
        self._votes: dict[tuple[str, str], dict] = {}  # (answer_id, user_id) -> the latest vote
        self.lesson_rows: list[Lesson] = []
        self._threads: dict[tuple[str, str, str], tuple[str, str, float]] = {}

    async def claim_event(self, event_id: str, ttl_seconds: int = 3600) -> bool:
        """O(1) amortised: expired claims are dropped from the old end, a few per call."""
        now = time.time()
        events = self._events
        for _ in range(2):
            if events:
                oldest, expires = next(iter(events.items()))
                if expires <= now:
                    del events[oldest]
        if events.get(event_id, 0) > now:
            return False
        events[event_id] = now + ttl_seconds
        events.move_to_end(event_id)
        while len(events) > self.max_events:
            events.popitem(last=False)
        return True

    async def record_question(self, *, text: str, surface: str, user_id: str | None,
                              answered: bool, answer_id: str | None, score: float,
                              team_id: str | None = None) -> None:
        now = time.time()
        if answered and answer_id:
            key = (answer_id, surface, day_of(now))
            self._counts[key] = self._counts.get(key, 0) + 1
        elif not answered and text.strip() and not is_small_talk(text):
            self._unanswered.append({"text": " ".join(text.split()), "surface": surface, "team_id": team_id,
                                   "at": now})

    async def record_feedback(self, *, answer_id: str, helpful: bool, user_id: str | None,
                              question: str | None = None, team_id: str | None = None) -> None:
        self._votes[(answer_id, user_id or "")] = {"helpful": helpful, "team_id": team_id, "at": time.time()}

    async def mark_welcomed(self, user_id: str, channel_id: str) -> bool:
        key = (user_id, channel_id)
        if key in self._welcomed:
            return False
        self._welcomed[key] = time.time()
        return True

    async def unanswered(self, limit: int = 20, *, since: float | None = None,
                         surface: str | None = None) -> list[UnansweredRow]:
        counts: dict[str, UnansweredRow] = {}
        for row in self._unanswered:
            if (since is not None and row["at"] < since) or (surface and row["surface"] != surface):
                continue
            key = question_key(row["text"])
            old = counts.get(key)
            text = min(old.question, row["text"]) if old else row["text"]
            counts[key] = UnansweredRow(text, (old.count if old else 0) + 1, row["at"])
        return sorted(counts.values(), key=lambda r: (-r.count, -r.last_asked))[:limit]

    async def answered(self, limit: int = 20, *, since: float | None = None,
                       surface: str | None = None) -> list[AnsweredRow]:
        tally: dict[str, int] = {}
        for (answer_id, where, day), n in self._counts.items():
            if (since is None or day >= day_of(since)) and (not surface or where == surface):
                tally[answer_id] = tally.get(answer_id, 0) + n
        return sorted((AnsweredRow(k, v) for k, v in tally.items()), key=lambda r: (-r.count, r.answer_id))[:limit]

    async def feedback(self, limit: int = 20, *, since: float | None = None) -> list[FeedbackRow]:
        tally: dict[str, list[int]] = {}
        for (answer_id, _user), vote in self._votes.items():
            if since is not None and vote["at"] < since:
                continue
            pair = tally.setdefault(answer_id, [0, 0])
            pair[0 if vote["helpful"] else 1] += 1
        rows = [FeedbackRow(k, v[0], v[1]) for k, v in tally.items()]
        return sorted(rows, key=lambda r: (-(r.not_helpful - r.helpful), -r.not_helpful, r.answer_id))[:limit]

    async def purge(self, *, before: float | None = None, users: tuple[str, ...] | list[str] = ()) -> PurgeResult:
        deleted: dict[str, int] = {}

        def drop(name: str, keep: int, had: int) -> None:
            deleted[name] = deleted.get(name, 0) + had - keep

        if before is not None:
            had = len(self._unanswered)
            self._unanswered = [q for q in self._unanswered if q["at"] >= before]
            drop("unanswered_questions", len(self._unanswered), had)
            had = len(self._counts)
            self._counts = {k: v for k, v in self._counts.items() if k[2] >= day_of(before)}
            drop("answer_counts", len(self._counts), had)
        keep_vote = lambda k, v: (before is None or v["at"] >= before) and k[1] not in users  # noqa: E731
        had = len(self._votes)
        self._votes = {k: v for k, v in self._votes.items() if keep_vote(k, v)}
        drop("feedback_votes", len(self._votes), had)
        had = len(self._welcomed)
        self._welcomed = {k: v for k, v in self._welcomed.items()
                          if (before is None or v >= before) and k[0] not in users}
        drop("welcomed", len(self._welcomed), had)
        return PurgeResult(deleted)

    async def close(self) -> None:
        return None

    # -- curator loop (issue 15) ----------------------------------------------------------------

    async def add_lesson(self, *, question: str, kind: str, entry_id: str) -> bool:
        text = lesson_text(question)
        if any(r.applied_at is None and question_key(r.question) == question_key(text)
               and (r.kind, r.entry_id) == (kind, entry_id) for r in self.lesson_rows):
            return False
        self.lesson_rows.append(Lesson(len(self.lesson_rows) + 1, text, kind, entry_id, time.time()))
        return True

    async def lessons(self, *, pending: bool = True, limit: int = 1000) -> list[Lesson]:
        rows = [r for r in self.lesson_rows if not pending or r.applied_at is None]
        return rows[:limit]

    async def mark_lessons_applied(self, ids: list[int]) -> int:
        from dataclasses import replace

        now, wanted, done = time.time(), set(ids), 0
        for i, row in enumerate(self.lesson_rows):
            if row.id in wanted and row.applied_at is None:
                self.lesson_rows[i] = replace(row, applied_at=now)
                done += 1
        return done

    # -- thread context (issue 10) ------------------------------------------------------------

    async def remember_thread(self, *, team_id: str, channel_id: str, thread_ts: str, kind: str,
                              entry_id: str, ttl_seconds: int = THREAD_CONTEXT_TTL) -> None:
        now = time.time()
        if len(self._threads) > 10000:
            self._threads = {k: v for k, v in self._threads.items() if v[2] > now}
        self._threads[(team_id, channel_id, thread_ts)] = (kind, entry_id, now + ttl_seconds)

    async def thread_context(self, *, team_id: str, channel_id: str, thread_ts: str) -> tuple[str, str] | None:
        hit = self._threads.get((team_id, channel_id, thread_ts))
        if hit is None or hit[2] <= time.time():
            self._threads.pop((team_id, channel_id, thread_ts), None)
            return None
        return hit[0], hit[1]
