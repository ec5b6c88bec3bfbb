"""Pick the store from settings: SQL (SQLite by default, PostgreSQL when configured) or memory."""

from __future__ import annotations

from bot.settings import Settings
from bot.storage.base import MemoryStore, Store

MEMORY_URLS = {"memory://", "memory:", "memory"}


async def open_store(settings: Settings, *, strict: bool = False) -> Store:
    """The configured store, schema created.

    `DATABASE_URL` unset → a SQLite file in the XDG data folder; `memory://` → a process-local
    `MemoryStore` (nothing persists, retries are deduplicated per process only). With `strict`
    an unreachable database raises `StorageUnavailable`; otherwise the store starts degraded and
    recovers by itself when the database appears.
    """
    url = (settings.database_url or "").strip()
    if url.lower() in MEMORY_URLS:
        return MemoryStore()
    from bot.storage.sql import SqlStore

    store = SqlStore(url or None)
    try:
        await store.start(strict=strict)
    except BaseException:
        await store.close()
        raise
    return store
