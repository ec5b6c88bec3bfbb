"""The knowledge base a running bot serves, swapped atomically when its files change.

A reload builds a complete new Answerer off to the side and replaces the reference in one
assignment, so a question is always answered by one consistent version, and an edit that does
not validate (knowledge base or org overlay) never replaces the last good one.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.answers import Answerer
from bot.knowledge import KnowledgeError, Problem, check_knowledge
from bot.org import Org, check_org
from bot.people import PeopleBook
from bot.ratelog import RateLimitedLog, summary

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("mlrole.knowledge")
watch_problems = RateLimitedLog(log, interval=60.0)
WATCH_RETRY_SECONDS = 2.0


def load_answerer(path: str | Path, org_file: str | Path | None = None,
                  people: PeopleBook | None = None) -> tuple[Answerer | None, list[Problem]]:
    """A ready Answerer for the knowledge base plus its org overlay, or every problem in either.

    `people` is shared across reloads: a new knowledge version keeps the resolved directory.
    Never raises: whatever a file does to the loader ends as a problem, so a reload cannot die."""
    try:
        return _load_answerer(path, org_file, people)
    except Exception as exc:  # noqa: BLE001 - reported as a problem, the last good version stays
        return None, [Problem(str(path), 1, f"could not be loaded ({type(exc).__name__})")]


def _load_answerer(path: str | Path, org_file: str | Path | None,
                   people: PeopleBook | None) -> tuple[Answerer | None, list[Problem]]:
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
        answerer, problems = self._load()
        if answerer is None:
            raise KnowledgeError(problems)
        self._answerer = answerer
        self.loaded_at = time.time()

    def _load(self) -> tuple[Answerer | None, list[Problem]]:
        answerer, problems = load_answerer(self.path, self.org_file, self.people)
        if answerer is not None:
            answerer.matcher.prepare()  # off the request path: a reload swaps in a ready answerer
        return answerer, problems

    @property
    def answerer(self) -> Answerer:
        return self._answerer

    def reload(self) -> bool:
        """Load the files again; keep the current version unless the new one is clean."""
        answerer, problems = self._load()
        if answerer is None:
            self.last_error = summary("; ".join(str(p) for p in problems[:20]), 4000)
            for problem in problems[:20]:
                log.error("knowledge reload rejected, still serving version %s: %s",
                          self._answerer.kb.version, summary(problem, 300))
            if len(problems) > 20:
                log.error("knowledge reload rejected: %d more problem(s); run `mlrole kb validate`",
                          len(problems) - 20)
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
        """Reload on every change to the folder (or the overlay) until `stop` is set.

        The overlay is watched through its folder, not its inode: editors, `sed -i` and Kubernetes
        ConfigMaps replace a file by renaming a new one over it, and a watch on the old inode
        would never fire again."""
        import asyncio  # here, not at the top: `mlrole ask` loads this module and must start fast

        stop = stop or asyncio.Event()
        lock = asyncio.Lock()
        watches = [self._watch(self.path, True, None, stop, lock)]
        if self.org_file:
            overlay = self.org_file.name

            def only_overlay(_change: Any, changed: str) -> bool:  # `..data` is a ConfigMap's swap
                name = Path(changed).name
                return name == overlay or name.startswith("..")

            watches.append(self._watch(self.org_file.parent, False, only_overlay, stop, lock))
        await asyncio.gather(*watches)

    async def _watch(self, folder: Path, recursive: bool, only: Any, stop: asyncio.Event,
                     lock: asyncio.Lock) -> None:
        """One folder's watch, restarted after any failure (a folder briefly gone, inotify limits)."""
        import asyncio

        from watchfiles import awatch

        while not stop.is_set():
            try:
                async for _ in awatch(folder, stop_event=stop, debounce=300, recursive=recursive,
                                      watch_filter=only):
                    async with lock:
                        await asyncio.to_thread(self.reload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the watcher must never die
                self.last_error = f"cannot watch {folder} ({type(exc).__name__}); retrying"
                watch_problems.warning(str(folder), "knowledge watcher: cannot watch %s (%s); retrying",
                                       folder, type(exc).__name__)
            try:
                await asyncio.wait_for(stop.wait(), timeout=WATCH_RETRY_SECONDS)
            except asyncio.TimeoutError:
                pass
