"""Lessons and once-a-week claims on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import sqlalchemy as sa

from bot.storage import MemoryStore
from bot.storage.sql import SqlStore, lessons


async def test_lessons_are_stored_listed_and_marked_applied(store: SqlStore):
    assert await store.add_lesson(question="Who  owns the GPU budget?", kind="responsibility",
                                  entry_id="mlops-infrastructure") is True
    assert await store.add_lesson(question="who owns the gpu budget?", kind="responsibility",
                                  entry_id="mlops-infrastructure") is False  # the same lesson, pending
    assert await store.add_lesson(question="who owns the gpu budget?", kind="role",
                                  entry_id="devops-engineer") is True  # another curator's view
    first, second = await store.lessons()
    assert (first.question, first.entry_key, first.applied_at) == \
        ("Who owns the GPU budget?", "responsibility:mlops-infrastructure", None)
    assert await store.mark_lessons_applied([first.id]) == 1
    assert await store.mark_lessons_applied([first.id]) == 0
    assert [lesson.id for lesson in await store.lessons()] == [second.id]
    assert [lesson.applied_at is not None for lesson in await store.lessons(pending=False)] == [True, False]


async def test_a_lesson_keeps_no_person(store: SqlStore):
    assert {c.name for c in lessons.columns} == {"id", "question", "normalised", "kind", "entry_id",
                                                  "created_at", "applied_at"}
    await store.add_lesson(question="q?", kind="role", entry_id="ml-engineer")
    async with store.engine.connect() as conn:
        assert (await conn.execute(sa.select(sa.func.count()).select_from(lessons))).scalar() == 1


async def test_two_replicas_send_one_digest_a_week(database_url: str):
    from bot.slack.digest import send_digest_if_due
    from tests.test_freshness import FakeClient, FakeKnowledge

    first = await SqlStore(database_url).start(strict=True)
    second = await SqlStore(database_url).start(strict=True)
    client, knowledge = FakeClient(), FakeKnowledge()
    from bot.settings import Settings
    settings = Settings(triage_channel="CTRIAGE", digest="weekly")
    monday = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    try:
        sent = await asyncio.gather(*(send_digest_if_due(client, settings, knowledge, s, now=monday)
                                      for s in (first, second) * 3))
        assert sent.count(True) == 1 and len(client.posts) == 1
        later = datetime(2026, 11, 29, 23, tzinfo=timezone.utc)  # same ISO week, other replica
        assert await send_digest_if_due(client, settings, knowledge, second, now=later) is False
        next_week = datetime(2026, 11, 30, 0, 5, tzinfo=timezone.utc)
        assert await send_digest_if_due(client, settings, knowledge, second, now=next_week) is True
    finally:
        await first.close()
        await second.close()


async def test_memory_store_lessons_behave_the_same():
    store = MemoryStore()
    assert await store.add_lesson(question="q?", kind="role", entry_id="ml-engineer")
    assert not await store.add_lesson(question=" Q? ", kind="role", entry_id="ml-engineer")
    [lesson] = await store.lessons()
    assert await store.mark_lessons_applied([lesson.id]) == 1 and await store.lessons() == []
