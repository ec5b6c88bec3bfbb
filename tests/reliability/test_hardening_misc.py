"""Smaller hardening: OAuth states expire, the dedupe memory is bounded, a stop drains replies,
the report prints no terminal control sequences."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.slack.oauth import OAuthStateStore
from bot.slack.server import run
from bot.storage import MemoryStore
from bot.storage.sql import SqlStore
from bot.terminal import printable
from tests.slack import harness
from tests.slack.harness import free_port


async def test_expired_oauth_states_are_purged(tmp_path: Path):
    """Each anonymous GET /slack/install stores a state; the ones nobody came back with go."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'oauth.db'}")
    try:
        expired = OAuthStateStore(expiration_seconds=-1, engine=engine)
        for _ in range(50):
            await expired.async_issue()
        store = OAuthStateStore(expiration_seconds=600, engine=engine)
        state = await store.async_issue()
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(sa.func.count()).select_from(store.oauth_states))).scalar()
        assert rows == 1
        assert await store.async_consume(state) is True
        assert await store.async_consume("junk\nINFO forged log line " * 100) is False
    finally:
        await engine.dispose()


async def test_the_in_process_dedupe_memory_is_bounded():
    store = MemoryStore()
    store.max_events = 10_000
    for i in range(30_000):
        assert await store.claim_event(f"Ev{i}") is True
    assert len(store._events) <= 10_000
    assert await store.claim_event("Ev29999") is False  # recent claims are kept
    assert await store.claim_event("Ev0") is True  # the oldest made room


async def test_expired_claims_are_dropped_as_new_ones_arrive():
    store = MemoryStore()
    for i in range(100):
        await store.claim_event(f"Old{i}", ttl_seconds=-1)
    for i in range(100):
        await store.claim_event(f"New{i}")
    assert not any(key.startswith("Old") for key in store._events)


async def test_a_stop_lets_pending_replies_to_a_slow_slack_finish(stub, knowledge, make_settings):
    stub.response_delay = 1.0
    port = free_port()
    stop, ready = asyncio.Event(), asyncio.Event()
    server = asyncio.create_task(run(make_settings(port=port, database_url="memory://"), knowledge, stop, ready))
    await asyncio.wait_for(ready.wait(), 10)
    async with aiohttp.ClientSession() as session:
        async def command(i: int) -> int:
            form = urlencode({"command": "/mlrole", "text": "devops", "user_id": f"U{i}", "team_id": harness.TEAM,
                              "channel_id": "C1", "trigger_id": harness.trigger_id(),
                              "response_url": stub.response_url(f"slow{i}")})
            headers = {"Content-Type": "application/x-www-form-urlencoded", **harness.sign(form)}
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=form, headers=headers) as r:
                return r.status

        assert await asyncio.gather(*(command(i) for i in range(20))) == [200] * 20
    await asyncio.sleep(0.2)  # the replies are on their way to the (slow) response_url
    stop.set()  # SIGTERM
    assert await asyncio.wait_for(server, 30) == 0
    assert sorted(stub.response_tokens) == sorted(f"slow{i}" for i in range(20))


def test_printable_strips_escape_sequences_and_control_characters():
    hostile = "\x1b[31mred\x1b[0m \x1b]0;owned\x07title \x9b2Jclear\x07bell\x08\x7f \u202egnp.exe line\nbreak"
    out = printable(hostile)
    assert out == "red title clearbell gnp.exe line break"


async def _fill(url: str) -> None:
    store = await SqlStore(url).start(strict=True)
    try:
        await store.record_question(text="\x1b[2J\x1b[31mwho owns\x1b]0;pwned\x07 the gpus?\x9b0m",
                                    surface="dm", user_id="U1", answered=False, answer_id=None, score=1.0)
        await store.record_feedback(answer_id="role:x\x1b[8m\u202e", helpful=False, user_id="U1",
                                    question="\x1b[5mblink")
    finally:
        await store.close()


def test_mlrole_report_prints_no_control_characters(tmp_path: Path, monkeypatch, capsys):
    from bot.cli import main

    url = f"sqlite:///{tmp_path / 'report.db'}"
    asyncio.run(_fill(url))
    monkeypatch.setenv("DATABASE_URL", url)
    for args in (["report"], ["report", "--json"]):
        assert main(args) == 0
        out = capsys.readouterr().out
        assert not any(c in out for c in "\x1b\x07\x9b\u202e"), repr(out)
        assert "who owns" in out
    data = json.loads(out)  # JSON escapes C0 controls (\u001b is inert text); C1 and bidi are dropped
    assert "who owns" in data["unanswered"][0]["question"]
