"""Thread context (issue 10): a thread's last answer, shared by replicas, forgotten after its expiry."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa

from bot.storage import MemoryStore
from bot.storage.sql import SqlStore, thread_context
from tests.storage.conftest import two_replicas

THREAD = {"team_id": "T1", "channel_id": "D1", "thread_ts": "1726133698.626339"}


async def test_remembered_and_replaced(store: SqlStore):
    assert await store.thread_context(**THREAD) is None
    await store.remember_thread(**THREAD, kind="responsibility", entry_id="model-deployment")
    assert await store.thread_context(**THREAD) == ("responsibility", "model-deployment")
    await store.remember_thread(**THREAD, kind="role", entry_id="ml-engineer")
    assert await store.thread_context(**THREAD) == ("role", "ml-engineer")
    other = {**THREAD, "thread_ts": "1726133698.000001"}
    assert await store.thread_context(**other) is None
    assert await store.thread_context(**{**THREAD, "team_id": "T2"}) is None


async def test_shared_by_two_replicas(database_url: str):
    async with two_replicas(database_url) as (first, second):
        await first.remember_thread(**THREAD, kind="role", entry_id="devops-engineer")
        assert await second.thread_context(**THREAD) == ("role", "devops-engineer")


async def test_expired_context_is_forgotten_and_purged(database_url: str):
    async with two_replicas(database_url) as (first, second):
        first._last_thread_purge = second._last_thread_purge = time.time()  # no purge on write yet
        await first.remember_thread(**THREAD, kind="role", entry_id="devops-engineer", ttl_seconds=0)
        await asyncio.sleep(0.01)
        assert await second.thread_context(**THREAD) is None
        assert await second.purge_expired_threads() == 1
        # the write path purges too, every `purge_every` seconds: the expired row goes on a later write
        await first.remember_thread(**{**THREAD, "thread_ts": "2.0"}, kind="role", entry_id="x", ttl_seconds=0)
        await asyncio.sleep(0.01)
        second._last_thread_purge = 0.0
        await second.remember_thread(**THREAD, kind="role", entry_id="ml-engineer")
        async with second.engine.connect() as conn:
            rows = (await conn.execute(sa.select(thread_context.c.thread_ts))).all()
        assert [r.thread_ts for r in rows] == [THREAD["thread_ts"]]


async def test_nothing_about_people_is_stored():
    assert {c.name for c in thread_context.columns} == {"team_id", "channel_id", "thread_ts", "kind",
                                                        "entry_id", "expires_at"}


async def test_database_down_keeps_context_in_this_process(outage):
    store = SqlStore(outage.url, retry_interval=0.0)
    try:
        await store.remember_thread(**THREAD, kind="role", entry_id="ml-engineer")
        assert await store.thread_context(**THREAD) == ("role", "ml-engineer")
        assert not store.healthy
    finally:
        await store.close()


async def test_memory_store_expires_context():
    store = MemoryStore()
    await store.remember_thread(**THREAD, kind="role", entry_id="ml-engineer")
    assert await store.thread_context(**THREAD) == ("role", "ml-engineer")
    await store.remember_thread(**THREAD, kind="role", entry_id="ml-engineer", ttl_seconds=0)
    assert await store.thread_context(**THREAD) is None
