"""Log lines an attacker cannot multiply or forge: at most one per reason per interval, values escaped."""

from __future__ import annotations

import logging
import time
from typing import Any


def summary(text: Any, limit: int = 80) -> str:
    """`text` cut to `limit` characters with every non-printable character (newline, ESC, …) escaped,
    so a value from outside can neither flood a log nor start a fake log line."""
    value = str(text) if not isinstance(text, str) else text
    out = "".join(c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode("ascii")
                  for c in value[:limit])
    return out + ("…" if len(value) > limit else "")


class RateLimitedLog:
    """At most one line per `key` every `interval` seconds; the next line says how many were held back."""

    def __init__(self, logger: logging.Logger, interval: float = 10.0, max_keys: int = 64) -> None:
        self.logger = logger
        self.interval = interval
        self.max_keys = max_keys
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def log(self, level: int, key: str, message: str, *args: Any) -> bool:
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        if key not in self._last and len(self._last) >= self.max_keys:
            self._last.clear()
            self._held.clear()
        held = self._held.pop(key, 0)
        self._last[key] = now
        if held:
            message += " (and %d more like it in the last %ds)"
            args = (*args, held, int(self.interval))
        self.logger.log(level, message, *args)
        return True

    def reset(self) -> None:
        self._last.clear()
        self._held.clear()

    def warning(self, key: str, message: str, *args: Any) -> bool:
        return self.log(logging.WARNING, key, message, *args)
