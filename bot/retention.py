"""How long mlrole keeps what it stores, and the server task that enforces it.

`MLROLE_RETENTION_DAYS` (default 90) bounds everything in the database that came from people:
unanswered question texts, daily answer counts, feedback votes and onboarding welcomes. The
server deletes older rows at start-up and then every hour; `mlrole purge` does it on demand.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

log = logging.getLogger("mlrole.retention")

CHECK_EVERY_SECONDS = 3600.0


def cutoff(days: int, now: float | None = None) -> float:
    return (time.time() if now is None else now) - days * 86400


async def enforce_retention(store: Any, days: int, stop: asyncio.Event,
                            every: float = CHECK_EVERY_SECONDS) -> None:
    """Delete rows older than `days` now and every `every` seconds until `stop`; 0 days keeps all."""
    if days <= 0 or not hasattr(store, "purge"):
        return
    while not stop.is_set():
        try:
            result = await store.purge(before=cutoff(days))
            if result.total:
                log.info("retention: deleted %d row(s) older than %d days (%s)", result.total, days,
                         ", ".join(f"{k}={v}" for k, v in sorted(result.deleted.items()) if v))
        except Exception as exc:  # noqa: BLE001 - storage down: try again at the next tick
            log.warning("retention: could not delete old rows (%s); will retry", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass
