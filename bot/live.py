"""The knowledge base a running bot serves, swapped atomically when its files change.

A reload builds a complete new Answerer off to the side and replaces the reference in one
assignment, so a question is always answered by one consistent version, and an edit that does
not validate never replaces the last good one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from bot.answers import Answerer
from bot.knowledge import check_knowledge

log = logging.getLogger("mlrole.knowledge")


class LiveKnowledge:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.last_error: str | None = None
        self.loaded_at = 0.0
        kb, problems = check_knowledge(self.path)
        if kb is None:
            from bot.knowledge import KnowledgeError

            raise KnowledgeError(problems)
        self._answerer = Answerer(kb)
        self.loaded_at = time.time()

    @property
    def answerer(self) -> Answerer:
        return self._answerer

    def reload(self) -> bool:
        """Load the files again; keep the current version unless the new one is clean."""
        kb, problems = check_knowledge(self.path)
        if kb is None:
            self.last_error = "; ".join(str(p) for p in problems[:20])
            for problem in problems:
                log.error("knowledge reload rejected: %s", problem)
            return False
        self.last_error = None
        if kb.version == self._answerer.kb.version:
            return True
        self._answerer = Answerer(kb)
        self.loaded_at = time.time()
        log.info("knowledge reloaded: version %s, %d entries", kb.version, len(kb))
        return True

    def status(self) -> dict[str, Any]:
        kb = self._answerer.kb
        return {"version": kb.version, "entries": len(kb), "roles": len(kb.roles),
                "loaded_at": round(self.loaded_at, 3), "last_reload_error": self.last_error}

    async def watch(self, stop: asyncio.Event | None = None) -> None:
        """Reload on every change under the folder until `stop` is set."""
        from watchfiles import awatch

        try:
            async for _ in awatch(self.path, stop_event=stop, debounce=300, recursive=True):
                await asyncio.to_thread(self.reload)
        except asyncio.CancelledError:
            raise
        except Exception:  # the watcher must never take the bot down with it
            log.exception("knowledge watcher stopped; edits need a restart to take effect")
