"""The knowledge base a running bot serves, swapped atomically when its files change.

A reload builds a complete new Answerer off to the side and replaces the reference in one
assignment, so a question is always answered by one consistent version, and an edit that does
not validate (knowledge base or org overlay) never replaces the last good one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from bot.answers import Answerer
from bot.knowledge import KnowledgeError, Problem, check_knowledge
from bot.org import Org, check_org
from bot.people import PeopleBook

log = logging.getLogger("mlrole.knowledge")


def load_answerer(path: str | Path, org_file: str | Path | None = None,
                  people: PeopleBook | None = None) -> tuple[Answerer | None, list[Problem]]:
    """A ready Answerer for the knowledge base plus its org overlay, or every problem in either.

    `people` is shared across reloads: a new knowledge version keeps the resolved directory."""
    kb, problems = check_knowledge(path)
    if kb is None:
        return None, problems
    org = Org({})
    if org_file:
        checked, problems = check_org(org_file, kb.roles)
        if checked is None:
            return None, problems
        org = checked
    return Answerer(kb, org, people), []


class LiveKnowledge:
    def __init__(self, path: str | Path, org_file: str | Path | None = None) -> None:
        self.path = Path(path)
        self.org_file = Path(org_file) if org_file else None
        self.last_error: str | None = None
        self.people = PeopleBook()
        answerer, problems = load_answerer(self.path, self.org_file, self.people)
        if answerer is None:
            raise KnowledgeError(problems)
        self._answerer = answerer
        self.loaded_at = time.time()

    @property
    def answerer(self) -> Answerer:
        return self._answerer

    def reload(self) -> bool:
        """Load the files again; keep the current version unless the new one is clean."""
        answerer, problems = load_answerer(self.path, self.org_file, self.people)
        if answerer is None:
            self.last_error = "; ".join(str(p) for p in problems[:20])
            for problem in problems:
                log.error("knowledge reload rejected, still serving version %s: %s",
                          self._answerer.kb.version, problem)
            return False
        self.last_error = None
        self._answerer = answerer
        self.loaded_at = time.time()
        log.info("knowledge reloaded: version %s, %d entries", answerer.kb.version, len(answerer.kb))
        return True

    def status(self) -> dict[str, Any]:
        kb = self._answerer.kb
        return {"version": kb.version, "entries": len(kb), "roles": len(kb.roles),
                "org_roles": len(self._answerer.org.roles), "loaded_at": round(self.loaded_at, 3),
                "last_reload_error": self.last_error, "people": self.people.status()}

    async def watch(self, stop: asyncio.Event | None = None) -> None:
        """Reload on every change to the folder (or the overlay) until `stop` is set."""
        from watchfiles import awatch

        paths = [self.path] + ([self.org_file] if self.org_file else [])
        try:
            async for _ in awatch(*paths, stop_event=stop, debounce=300, recursive=True):
                await asyncio.to_thread(self.reload)
        except asyncio.CancelledError:
            raise
        except Exception:  # the watcher must never take the bot down with it
            log.exception("knowledge watcher stopped; edits need a restart to take effect")
