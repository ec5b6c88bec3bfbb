"""`mlrole purge`: erasure requests (`--user U…`) and clearing out old data (`--before DATE`)."""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime, timezone

from bot.settings import Settings


async def _purge(url: str | None, users: list[str], before: float | None):
    from bot.storage.sql import SqlStore, StorageUnavailable

    store = SqlStore(url)
    if store.database.sqlite_path is not None and not store.database.sqlite_path.is_file():
        await store.close()
        raise StorageUnavailable(f"no database at {store.database.sqlite_path}: nothing to delete")
    try:
        await store.start(strict=True)
        return store.where, await store.purge(before=before, users=users)
    finally:
        await store.close()


def run_purge(users: list[str], before: float | None, yes: bool = False) -> int:
    """Delete and say how many rows went, per table; exit 1 with one line if the database is unusable."""
    from bot.storage.sql import StorageUnavailable
    from bot.storage.urls import DatabaseUrlError

    if not users and before is None:
        print("mlrole purge: say what to delete: --user U… (a person's data) and/or --before DATE",
              file=sys.stderr)
        return 2
    settings = Settings.from_env()
    if (settings.database_url or "").strip().lower() in ("memory://", "memory:", "memory"):
        print("mlrole purge: DATABASE_URL is memory://: nothing is stored", file=sys.stderr)
        return 1
    logging.getLogger("bot.storage").setLevel(logging.ERROR)
    try:
        where, result = asyncio.run(_purge(settings.database_url, users, before))
    except (StorageUnavailable, DatabaseUrlError) as exc:
        print(f"mlrole purge: {exc}", file=sys.stderr)
        return 1
    what = []
    if users:
        what.append("everything about " + ", ".join(users))
    if before is not None:
        what.append("everything stored before "
                    + datetime.fromtimestamp(before, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    print(f"mlrole purge: deleted {result.total} row(s) — {' and '.join(what)} — from {where}")
    for table, count in sorted(result.deleted.items()):
        if count:
            print(f"  {table}: {count}")
    return 0
