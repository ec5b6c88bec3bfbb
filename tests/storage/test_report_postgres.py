"""`mlrole report` on the real PostgreSQL server, through a hosted-style URL: read-only, one line on errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg

from bot.storage.sql import SqlStore
from tests.storage.conftest import _empty, pg_url

ROOT = Path(__file__).resolve().parents[2]


def report(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", "report", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


async def _tables(name: str) -> list[str]:
    conn = await asyncpg.connect(pg_url(name), timeout=5)
    try:
        return sorted(r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    finally:
        await conn.close()


async def test_report_reads_postgres_with_libpq_parameters_and_creates_nothing(postgres_database: str):
    import asyncio

    await _empty(postgres_database)
    url = pg_url(postgres_database).replace("postgresql://", "postgres://", 1) + "?sslmode=prefer&connect_timeout=5"
    done = await asyncio.to_thread(report, url)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("has no mlrole tables yet: start `mlrole serve` once")
    assert await _tables(postgres_database) == []  # read-only: no schema was created

    store = await SqlStore(url).start(strict=True)
    try:
        for text in ["Who signs off GPU spend?", "who signs off gpu spend", "thanks!"]:
            await store.record_question(text=text, surface="mention", user_id="U1", answered=False,
                                        answer_id=None, score=0.0)
    finally:
        await store.close()
    done = await asyncio.to_thread(report, url.replace("sslmode=prefer", "sslmode=disable"), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(q["question"], q["count"]) for q in data["unanswered"]] == [("Who signs off GPU spend?", 2)]
