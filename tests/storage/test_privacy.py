"""What is stored, for how long, and how it is erased — on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import sqlalchemy as sa

from bot.retention import cutoff, enforce_retention
from bot.storage import MemoryStore
from bot.storage.sql import SqlStore, metadata

ROOT = Path(__file__).resolve().parents[2]


async def _all_values(store: SqlStore) -> list[str]:
    async with store.engine.connect() as conn:
        names = await conn.run_sync(lambda c: sa.inspect(c).get_table_names())
        values = []
        for name in names:
            for row in (await conn.execute(sa.text(f'SELECT * FROM "{name}"'))).all():
                values += [str(v) for v in row]
        return values


async def test_answered_questions_are_counts_only(store: SqlStore):
    for _ in range(3):
        await store.record_question(text="who owns model deployment?", surface="dm", user_id="UASKER",
                                    answered=True, answer_id="responsibility:model-deployment", score=99.0,
                                    team_id="T1")
    await store.record_question(text="who buys the GPUs?", surface="command", user_id="UASKER",
                                answered=False, answer_id=None, score=10.0, team_id="T1")
    values = await _all_values(store)
    assert not [v for v in values if "UASKER" in v or "model deployment?" in v]
    assert "who buys the GPUs?" in values  # the curator needs the unanswered text, not who asked
    assert [(r.answer_id, r.count) for r in await store.answered()] == [("responsibility:model-deployment", 3)]
    assert [r.question for r in await store.unanswered()] == ["who buys the GPUs?"]


async def test_small_talk_is_not_stored(store: SqlStore):
    for text in ["hi", "Thanks!", "ok 👍", "hello there bot", "  "]:
        await store.record_question(text=text, surface="dm", user_id="U1", answered=False, answer_id=None,
                                    score=0.0)
    assert await store.unanswered() == []
    assert await _all_values(store) == ["2"]  # only the schema version


async def test_one_vote_per_person_per_answer(store: SqlStore):
    memory = MemoryStore()
    for s in (store, memory):
        await s.record_feedback(answer_id="role:x", helpful=True, user_id="UALICE")
        await s.record_feedback(answer_id="role:x", helpful=False, user_id="UALICE")  # changed her mind
        await s.record_feedback(answer_id="role:x", helpful=False, user_id="UALICE")  # pressed twice
        await s.record_feedback(answer_id="role:x", helpful=True, user_id="UBOB")
        await s.record_feedback(answer_id="role:y", helpful=True, user_id="UALICE")
    expected = [("role:x", 1, 1), ("role:y", 1, 0)]
    assert [(r.answer_id, r.helpful, r.not_helpful) for r in await store.feedback()] == expected
    assert [(r.answer_id, r.helpful, r.not_helpful) for r in await memory.feedback()] == expected


async def _fill_old_and_new(store) -> None:
    await store.record_question(text="old question", surface="dm", user_id="U1", answered=False,
                                answer_id=None, score=0.0)
    await store.record_question(text="x", surface="dm", user_id="U1", answered=True, answer_id="role:x",
                                score=90.0)
    await store.record_feedback(answer_id="role:x", helpful=False, user_id="UALICE")
    await store.record_feedback(answer_id="role:x", helpful=True, user_id="UBOB")
    await store.mark_welcomed("UALICE", "C1")


async def test_purge_by_user_and_before(store: SqlStore):
    await _fill_old_and_new(store)
    result = await store.purge(users=["UALICE"])
    assert result.deleted == {"feedback_votes": 1, "welcomed": 1}
    assert "UALICE" not in await _all_values(store)
    assert await store.mark_welcomed("UALICE", "C1") is True  # forgotten: she would be welcomed again
    assert [(r.helpful, r.not_helpful) for r in await store.feedback()] == [(1, 0)]

    assert (await store.purge(before=time.time() - 3600)).total == 0  # nothing is older than an hour
    result = await store.purge(before=time.time() + 2 * 86400)  # "everything before the day after tomorrow"
    assert result.deleted["unanswered_questions"] == 1 and result.deleted["answer_counts"] == 1
    assert result.deleted["feedback_votes"] == 1 and result.deleted["welcomed"] == 1
    assert await store.unanswered() == [] and await store.answered() == [] and await store.feedback() == []


async def test_memory_store_purges_the_same(tmp_path):
    memory = MemoryStore()
    await _fill_old_and_new(memory)
    assert (await memory.purge(users=["UALICE"])).deleted == {"feedback_votes": 1, "welcomed": 1}
    result = await memory.purge(before=time.time() + 2 * 86400)
    assert result.total == 3 and await memory.unanswered() == [] and await memory.feedback() == []


async def test_retention_is_enforced_by_the_server_task(store: SqlStore):
    await store.record_question(text="asked long ago", surface="dm", user_id=None, answered=False,
                                answer_id=None, score=0.0)
    await store.record_feedback(answer_id="role:x", helpful=True, user_id="UOLD")
    async with store.engine.begin() as conn:  # age the rows by 100 days
        old = time.time() - 100 * 86400
        await conn.execute(sa.text("UPDATE unanswered_questions SET created_at = :t"), {"t": old})
        await conn.execute(sa.text("UPDATE feedback_votes SET created_at = :t"), {"t": old})
    await store.record_question(text="asked today", surface="dm", user_id=None, answered=False,
                                answer_id=None, score=0.0)
    stop = asyncio.Event()
    task = asyncio.create_task(enforce_retention(store, 90, stop, every=0.05))
    try:
        for _ in range(100):
            if [r.question for r in await store.unanswered()] == ["asked today"]:
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert [r.question for r in await store.unanswered()] == ["asked today"]
    assert await store.feedback() == []
    assert cutoff(90, now=100 * 86400) == 10 * 86400


async def test_a_version_1_database_is_migrated(database_url: str):
    """The old layout kept every question with its asker: upgraded in place, askers dropped."""
    store = SqlStore(database_url)
    async with store.engine.begin() as conn:
        await conn.execute(sa.text(
            "CREATE TABLE questions (id INTEGER PRIMARY KEY, text VARCHAR(1000) NOT NULL, normalised "
            "VARCHAR(1000) NOT NULL, surface VARCHAR(32) NOT NULL, user_id VARCHAR(64), team_id VARCHAR(64), "
            "answered BOOLEAN NOT NULL, answer_id VARCHAR(255), score FLOAT NOT NULL, created_at FLOAT NOT NULL)"))
        await conn.execute(sa.text(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY, answer_id VARCHAR(255) NOT NULL, helpful BOOLEAN NOT "
            "NULL, user_id VARCHAR(64), team_id VARCHAR(64), question VARCHAR(1000), created_at FLOAT NOT NULL)"))
        now = time.time()
        for i, (text, answered, answer_id) in enumerate([("who buys gpus", False, None), ("Who buys GPUs?", False, None),
                                                         ("devops", True, "role:devops"), ("hi", False, None)]):
            await conn.execute(sa.text("INSERT INTO questions VALUES (:i, :t, :t, 'dm', 'UASKER', 'T1', :a, :aid, 1.0, :c)"),
                               {"i": i + 1, "t": text, "a": answered, "aid": answer_id, "c": now + i})
        for i, helpful in enumerate([True, False]):
            await conn.execute(sa.text("INSERT INTO feedback VALUES (:i, 'role:devops', :h, 'UALICE', 'T1', 'q', :c)"),
                               {"i": i + 1, "h": helpful, "c": now + i})
    assert await store.schema_version() == 1
    await store.start(strict=True)
    try:
        assert await store.schema_version() == 2
        assert [(r.question, r.count) for r in await store.unanswered()] == [("Who buys GPUs?", 2)]
        assert [(r.answer_id, r.count) for r in await store.answered()] == [("role:devops", 1)]
        assert [(r.helpful, r.not_helpful) for r in await store.feedback()] == [(0, 1)]  # her latest vote
        assert "UASKER" not in await _all_values(store)
        await SqlStore(database_url).start(strict=True)  # a second start changes nothing
        assert [(r.question, r.count) for r in await store.unanswered()] == [("Who buys GPUs?", 2)]
    finally:
        await store.close()


def _documented_tables() -> dict[str, set[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## What mlrole stores", 1)[1].split("\n## ", 1)[0]
    tables = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`\w+`", cells[0]):
            tables[cells[0].strip("`")] = set(re.findall(r"`(\w+)`", cells[1]))
    return tables


def test_readme_lists_every_stored_column():
    """README "What mlrole stores" names exactly the tables and columns the code creates."""
    actual = {table.name: {c.name for c in table.columns} for table in metadata.sorted_tables}
    assert _documented_tables() == actual
