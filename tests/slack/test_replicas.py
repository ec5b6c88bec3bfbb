"""Two replicas of the bot on one PostgreSQL database, as a platform runs them behind a router.

Slack retries an event it thinks went unanswered, and the retry can reach the other replica:
it must still be answered exactly once. What people asked must reach `mlrole report`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from bot.slack.server import create_web_app
from bot.storage.sql import SqlStore
from tests.slack.harness import Bot

ADMIN_DSN = os.environ.get("MLROLE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
async def shared_database():
    name = f"mlrole_test_replicas_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN_DSN, timeout=5)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        conn = await asyncpg.connect(ADMIN_DSN, timeout=5)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@pytest.fixture
async def replicas(stub, knowledge, make_settings, shared_database):
    started = []
    async with aiohttp.ClientSession() as session:
        try:
            for _ in range(2):
                store = await SqlStore(shared_database).start()
                server = TestServer(create_web_app(make_settings(), knowledge, store), host="127.0.0.1")
                await server.start_server()
                started.append((server, store))
            yield [Bot(server, stub, store, session) for server, store in started], shared_database
        finally:
            for server, store in started:
                await server.close()
                await store.close()


def dm(text: str, ts: str) -> dict:
    return {"type": "message", "channel": "DALICE", "channel_type": "im", "user": "UALICE",
            "text": text, "ts": ts}


async def test_retry_reaching_the_other_replica_is_answered_once(replicas):
    (first, second), _ = replicas
    assert (await first.event(dm("devops", "10.1"), event_id="EvShared")).status == 200
    await first.stub.wait_for("chat.postMessage")
    retry = await second.event(dm("devops", "10.1"), event_id="EvShared",
                               headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status == 200
    await first.stub.settle(0.5)
    assert len(first.stub.sent("chat.postMessage")) == 1


async def test_questions_asked_in_slack_show_up_in_mlrole_report(replicas):
    (first, second), url = replicas
    await first.event(dm("who owns the coffee machine?", "11.1"), event_id="EvCoffee1")
    await second.event(dm("who owns the coffee machine?", "11.2"), event_id="EvCoffee2")
    await first.stub.wait_for("chat.postMessage", count=2)
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([sys.executable, "-m", "bot", "report", "--json"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["unanswered"][0]["question"].lower() == "who owns the coffee machine?"
    assert report["unanswered"][0]["count"] == 2
