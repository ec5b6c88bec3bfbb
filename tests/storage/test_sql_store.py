"""The SQL store on SQLite and on the real PostgreSQL server: same tests, both databases."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage import MemoryStore, open_store
from bot.storage.sql import MAX_TEXT, SqlStore, StorageUnavailable, normalise_url
from tests.storage.conftest import two_replicas


async def test_claim_event_once(store: SqlStore):
    assert await store.claim_event("Ev1") is True
    assert await store.claim_event("Ev1") is False
    assert await store.claim_event("Ev2") is True


async def test_twenty_concurrent_claims_one_wins(store: SqlStore):
    results = await asyncio.gather(*(store.claim_event("EvRace") for _ in range(20)))
    assert results.count(True) == 1


async def test_two_instances_on_one_database_claim_once(database_url: str):
    """A Slack retry reaching another replica: only one of them may handle the event."""
    async with two_replicas(database_url) as (first, second):
        assert await first.claim_event("EvA") is True
        assert await second.claim_event("EvA") is False  # the retry, on the other replica
        racing = await asyncio.gather(*(s.claim_event("EvB") for s in (first, second) * 5))
        assert racing.count(True) == 1
        assert (await first.mark_welcomed("U1", "C1"), await second.mark_welcomed("U1", "C1")) == (True, False)


async def test_expired_event_can_be_claimed_again(database_url: str):
    async with two_replicas(database_url) as (first, second):
        assert await first.claim_event("EvOld", ttl_seconds=0) is True
        await asyncio.sleep(0.01)
        # Expired: another replica may take it (and a live claim is then honoured again).
        assert await second.claim_event("EvOld", ttl_seconds=3600) is True
        assert await first.claim_event("EvOld") is False
        assert await second.claim_event("EvOld") is False
        assert await first.claim_event("EvGone", ttl_seconds=0) is True
        await asyncio.sleep(0.01)
        assert await first.purge_expired() == 1  # EvGone only; EvOld is live again


async def test_unanswered_grouped_and_ordered(store: SqlStore):
    asked = ["Who owns the GPUs?", "  who owns the   GPUs? ", "WHO OWNS THE GPUS?",
             "what is a data steward", "What is a data steward", "who fixes the printer"]
    for text in asked:
        await store.record_question(text=text, surface="dm", user_id="U1", answered=False,
                                   answer_id=None, score=12.0, team_id="T1")
        await asyncio.sleep(0.002)
    await store.record_question(text="who owns model deployment?", surface="slash", user_id="U2",
                                answered=True, answer_id="model-deployment", score=90.0)
    rows = await store.unanswered()
    assert [r.question.lower() for r in rows] == ["who owns the gpus?", "what is a data steward",
                                                  "who fixes the printer"]
    assert [r.count for r in rows] == [3, 2, 1]
    assert rows[0].last_asked <= rows[1].last_asked <= rows[2].last_asked
    assert len(await store.unanswered(limit=2)) == 2


async def test_long_question_is_capped(store: SqlStore):
    await store.record_question(text="why " * 1000, surface="mention", user_id=None, answered=False,
                                answer_id=None, score=0.0)
    (row,) = await store.unanswered()
    assert len(row.question) == MAX_TEXT


async def test_feedback_worst_first(store: SqlStore):
    presses = [("role:ml-engineer", True), ("role:ml-engineer", True), ("role:ml-engineer", False),
               ("topic:labelling", False), ("topic:labelling", False), ("topic:labelling", True),
               ("stage:serving", False), ("stage:serving", False)]
    for n, (answer_id, helpful) in enumerate(presses):
        await store.record_feedback(answer_id=answer_id, helpful=helpful, user_id=f"U{n}",
                                    question="q", team_id="T1")
    rows = await store.feedback()
    assert [(r.answer_id, r.helpful, r.not_helpful) for r in rows] == [
        ("stage:serving", 0, 2), ("topic:labelling", 1, 2), ("role:ml-engineer", 2, 1)]
    assert len(await store.feedback(limit=1)) == 1


async def test_same_aggregates_as_memory_store(store: SqlStore):
    memory = MemoryStore()
    for s in (store, memory):
        for i, text in enumerate(["a b", "A B", "c", " a b", "c ", "d"]):
            await s.record_question(text=text, surface="dm", user_id="U", answered=(text == "d"),
                                    answer_id=None, score=1.0)
        for n, (answer_id, helpful) in enumerate([("x", True), ("y", False), ("y", False), ("x", False)]):
            await s.record_feedback(answer_id=answer_id, helpful=helpful, user_id=f"U{n}")
    assert [(r.question.lower().split(), r.count) for r in await store.unanswered()] == \
           [(r.question.lower().split(), r.count) for r in await memory.unanswered()]
    assert await store.feedback() == await memory.feedback()


async def test_mark_welcomed_once(store: SqlStore):
    assert await store.mark_welcomed("U1", "C1") is True
    assert await store.mark_welcomed("U1", "C1") is False
    assert await store.mark_welcomed("U1", "C2") is True
    results = await asyncio.gather(*(store.mark_welcomed("U9", "C9") for _ in range(10)))
    assert results.count(True) == 1


async def test_replicas_creating_the_schema_together(database_url: str):
    stores = [SqlStore(database_url) for _ in range(4)]
    try:
        await asyncio.gather(*(s.start(strict=True) for s in stores))
        results = await asyncio.gather(*(s.claim_event("EvSchema") for s in stores))
        assert results.count(True) == 1
    finally:
        for s in stores:
            await s.close()


async def test_degrades_when_down_and_recovers(outage, caplog):
    caplog.set_level(logging.WARNING, logger="bot.storage.sql")
    store = await SqlStore(outage.url, retry_interval=0).start()  # not strict: the bot must still start
    try:
        assert not store.healthy
        # Down: claims are deduplicated in this process, records dropped with a log line, reads raise.
        assert await store.claim_event("EvDown") is True
        assert await store.claim_event("EvDown") is False
        await store.record_question(text="lost question", surface="dm", user_id="U1", answered=False,
                                    answer_id=None, score=0.0)
        await store.record_feedback(answer_id="role:x", helpful=False, user_id="U1")
        assert await store.mark_welcomed("U1", "C1") is True
        with pytest.raises(StorageUnavailable, match="cannot reach the database"):
            await store.unanswered()
        logged = caplog.text
        # what was dropped is logged, but never the question's text (logs are kept elsewhere, longer)
        assert "lost question" not in logged and "role:x" in logged and "could not store a question" in logged

        await outage.restore()
        # Back, without restarting: the schema is created, and the retry of an event this process
        # handled while the database was down is still refused.
        assert await store.claim_event("EvDown") is False
        assert await store.claim_event("EvUp") is True
        assert store.healthy
        await store.record_question(text="kept question", surface="dm", user_id="U1", answered=False,
                                    answer_id=None, score=0.0)
        assert [r.question for r in await store.unanswered()] == ["kept question"]
        other = await SqlStore(outage.url).start(strict=True)
        try:  # the claims reached the shared database, so other replicas refuse them
            assert await other.claim_event("EvUp") is False
            assert await other.claim_event("EvDown") is False
        finally:
            await other.close()

        if outage.take_down is None:
            return
        await outage.take_down()  # a live database goes away under open pool connections
        assert await store.claim_event("EvDown2") is True
        assert await store.claim_event("EvDown2") is False
        await store.record_question(text="dropped", surface="dm", user_id=None, answered=False,
                                    answer_id=None, score=0.0)
        with pytest.raises(StorageUnavailable):
            await store.feedback()
        assert not store.healthy
        await outage.restore()  # comes back empty: the store re-creates its schema
        assert await store.claim_event("EvUp2") is True
        assert await store.unanswered() == []
        assert store.healthy
    finally:
        await store.close()


async def test_open_store_picks_the_backend(tmp_path: Path, monkeypatch):
    assert isinstance(await open_store(Settings(database_url="memory://")), MemoryStore)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = await open_store(Settings())
    try:
        assert isinstance(store, SqlStore)
        assert await store.claim_event("Ev") is True
    finally:
        await store.close()
    assert (tmp_path / "xdg" / "mlrole" / "mlrole.db").is_file()
    store = await open_store(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    try:
        assert isinstance(store, SqlStore) and store.url == f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    finally:
        await store.close()


async def test_open_store_strict_raises_when_unreachable():
    with pytest.raises(StorageUnavailable, match="127.0.0.1:1"):
        await open_store(Settings(database_url="postgresql://postgres:secret@127.0.0.1:1/none"),
                         strict=True)


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
    ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ("sqlite:///rel.db", "sqlite+aiosqlite:///rel.db"),
    ("sqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
    ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
])
def test_normalise_url(given: str, expected: str):
    assert normalise_url(given) == expected


def test_default_url_is_a_sqlite_file(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert normalise_url(None) == f"sqlite+aiosqlite:///{tmp_path / 'mlrole' / 'mlrole.db'}"


async def test_backs_off_while_down_then_retries(outage):
    store = await SqlStore(outage.url, retry_interval=1.0).start()
    failed_at = time.monotonic()
    try:
        assert not store.healthy
        await outage.restore()
        # Within the back-off the database is not tried: still handled locally, quickly.
        assert await store.claim_event("EvWait") is True
        assert not store.healthy
        await asyncio.sleep(max(0.0, failed_at + 1.05 - time.monotonic()))
        assert await store.claim_event("EvAfter") is True
        assert store.healthy
        other = await SqlStore(outage.url).start(strict=True)
        try:
            assert await other.claim_event("EvAfter") is False
            assert await other.claim_event("EvWait") is False  # written when the database returned
        finally:
            await other.close()
    finally:
        await store.close()
