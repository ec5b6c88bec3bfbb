"""What the adapters need from storage, and a memory-only store for when none is configured."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

QUESTION_KEY_CHARS = 1000


def question_key(text: str) -> str:
    """How unanswered questions are grouped: lowercase, trimmed, inner whitespace collapsed."""
    return " ".join(text.split()).lower()[:QUESTION_KEY_CHARS]


@dataclass(frozen=True)
class UnansweredRow:
    question: str
    count: int
    last_asked: float


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

    async def unanswered(self, limit: int = 20) -> list[UnansweredRow]: ...

    async def feedback(self, limit: int = 20) -> list[FeedbackRow]: ...

    async def close(self) -> None: ...


class MemoryStore:
    """Single-process store: enough for tests and a bot with no database."""

    max_events = 100_000
    """Claims kept at most (~10 MB): past it the oldest go first, so memory and work stay bounded."""

    def __init__(self) -> None:
        self._events: OrderedDict[str, float] = OrderedDict()  # key -> expiry, oldest claim first
        self._welcomed: set[tuple[str, str]] = set()
        self.questions: list[dict] = []
        self.feedback_rows: list[dict] = []

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
        self.questions.append({"text": text, "surface": surface, "user_id": user_id, "answered": answered,
                               "answer_id": answer_id, "score": score, "team_id": team_id, "at": time.time()})

    async def record_feedback(self, *, answer_id: str, helpful: bool, user_id: str | None,
                              question: str | None = None, team_id: str | None = None) -> None:
        self.feedback_rows.append({"answer_id": answer_id, "helpful": helpful, "user_id": user_id,
                                   "question": question, "team_id": team_id})

    async def mark_welcomed(self, user_id: str, channel_id: str) -> bool:
        key = (user_id, channel_id)
        if key in self._welcomed:
            return False
        self._welcomed.add(key)
        return True

    async def unanswered(self, limit: int = 20) -> list[UnansweredRow]:
        counts: dict[str, UnansweredRow] = {}
        for row in self.questions:
            if row["answered"]:
                continue
            key = question_key(row["text"])
            old = counts.get(key)
            counts[key] = UnansweredRow(row["text"], (old.count if old else 0) + 1, row["at"])
        return sorted(counts.values(), key=lambda r: (-r.count, -r.last_asked))[:limit]

    async def feedback(self, limit: int = 20) -> list[FeedbackRow]:
        tally: dict[str, list[int]] = {}
        for row in self.feedback_rows:
            pair = tally.setdefault(row["answer_id"], [0, 0])
            pair[0 if row["helpful"] else 1] += 1
        rows = [FeedbackRow(k, v[0], v[1]) for k, v in tally.items()]
        return sorted(rows, key=lambda r: (-(r.not_helpful - r.helpful), -r.not_helpful))[:limit]

    async def close(self) -> None:
        return None
