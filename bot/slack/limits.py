"""A gentle per-person limit: a burst of questions is fine, a flood gets one friendly note.

One process's memory is enough: the limit protects the bot and the store from one person (or one
script with a person's token) sending dozens of messages a second, not from anything clever.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from enum import Enum

T_SLOW_DOWN = ("You're asking faster than I can keep up. Give me a minute, then ask again; "
               "I'll answer as usual.")


class Verdict(Enum):
    ANSWER = "answer"
    SLOW_DOWN = "slow_down"  # over the limit: tell them once
    IGNORE = "ignore"        # still over the limit, already told


class PersonLimit:
    """A token bucket per person: `burst` questions at once, then one every `refill_seconds`."""

    def __init__(self, burst: int = 10, refill_seconds: float = 3.0, max_people: int = 10_000) -> None:
        self.burst = burst
        self.refill_seconds = refill_seconds
        self.max_people = max_people
        self._buckets: OrderedDict[str, tuple[float, float, bool]] = OrderedDict()  # tokens, at, told

    def check(self, person: str | None, now: float | None = None) -> Verdict:
        if not person:
            return Verdict.ANSWER
        now = time.monotonic() if now is None else now
        tokens, at, told = self._buckets.pop(person, (float(self.burst), now, False))
        tokens = min(float(self.burst), tokens + (now - at) / self.refill_seconds)
        if tokens >= 1.0:
            verdict, tokens, told = Verdict.ANSWER, tokens - 1.0, False
        else:
            verdict, told = (Verdict.IGNORE if told else Verdict.SLOW_DOWN), True
        self._buckets[person] = (tokens, now, told)
        if len(self._buckets) > self.max_people:
            self._buckets.popitem(last=False)  # the least recently active person starts afresh
        return verdict
