"""Fixtures: every storage test runs on SQLite (a temp file) and on the real PostgreSQL server.

PostgreSQL is found at $MLROLE_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/postgres,
an admin connection that may CREATE DATABASE). Tests get a throwaway database named
mlrole_test_<session>_1 for the session, emptied before each test; the outage tests create and drop
their own. Every database with the session prefix is dropped at the end of the session.
If the server cannot be reached the PostgreSQL cases fail (they never skip).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest

from bot.storage.sql import SqlStore

ADMIN_DSN = os.environ.get("MLROLE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
SESSION = uuid.uuid4().hex[:8]
_counter = itertools.count(1)


def _with_database(dsn: str, database: str) -> str:
    base, _, _ = dsn.rpartition("/")
    return f"{base}/{database}"


async def pg_execute(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def pg_create(name: str) -> None:
    await pg_execute(f'CREATE DATABASE "{name}"')


async def pg_drop(name: str) -> None:
    await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_sync(make_coro) -> None:
    """Run a coroutine to completion from sync code, even when an event loop is already running."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(make_coro())).result()


def new_pg_name() -> str:
    return f"mlrole_test_{SESSION}_{next(_counter)}"


def pg_url(name: str) -> str:
    return _with_database(ADMIN_DSN, name)


@pytest.fixture(scope="session")
def postgres_server():
    """Checks the server once per session and drops every database this session created."""
    async def check() -> None:
        conn = await asyncpg.connect(ADMIN_DSN, timeout=5)
        await conn.close()

    try:
        run_sync(check)
    except Exception as exc:  # noqa: BLE001 - turned into a loud failure
        pytest.fail(f"PostgreSQL is required for these tests and is not reachable at {ADMIN_DSN} "
                    f"(set MLROLE_TEST_POSTGRES): {exc}", pytrace=False)
    yield ADMIN_DSN

    async def cleanup() -> None:
        conn = await asyncpg.connect(ADMIN_DSN, timeout=5)
        try:
            names = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1",
                                     f"mlrole_test_{SESSION}_%")
            for row in names:
                await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')
        finally:
            await conn.close()

    run_sync(cleanup)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def postgres_database(postgres_server) -> str:
    """The session's throwaway database (dropped with the others at the end of the session)."""
    name = new_pg_name()
    run_sync(lambda: pg_create(name))
    return name


async def _empty(name: str) -> None:
    """Drop every table in the session database, so each test starts from an empty database."""
    conn = await asyncpg.connect(pg_url(name), timeout=5)
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        if tables:
            await conn.execute("DROP TABLE IF EXISTS "
                               + ", ".join(f'"{t["tablename"]}"' for t in tables) + " CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def database_url(backend: str, tmp_path: Path, request):
    """A URL to an empty database of the backend under test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'mlrole.db'}"
        return
    name = request.getfixturevalue("postgres_database")
    await _empty(name)
    yield pg_url(name).replace("postgresql://", "postgres://", 1)  # Heroku's form must work too


@asynccontextmanager
async def two_replicas(url: str) -> AsyncIterator[tuple[SqlStore, SqlStore]]:
    """Two stores on one database, as two replicas of the bot would have."""
    first = await SqlStore(url).start(strict=True)
    second = await SqlStore(url).start(strict=True)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


@pytest.fixture
async def store(database_url: str):
    s = await SqlStore(database_url).start(strict=True)
    try:
        yield s
    finally:
        await s.close()


@dataclass
class Outage:
    """A database that is down now; `restore()` brings it up, `take_down()` (if live) again."""

    url: str
    restore: Callable[[], Awaitable[None]]
    take_down: Callable[[], Awaitable[None]] | None


@pytest.fixture
async def outage(backend: str, tmp_path: Path, request):
    if backend == "sqlite":
        # A file where the database's folder should be: nothing can be created or opened there.
        blocker = tmp_path / "data"
        blocker.write_text("not a folder")

        async def restore() -> None:
            blocker.unlink()

        # An open SQLite file keeps working when unlinked, so a live outage cannot be staged for it.
        yield Outage(f"sqlite:///{blocker / 'mlrole.db'}", restore, None)
        return
    request.getfixturevalue("postgres_server")
    name = new_pg_name()  # not created yet: connecting fails with "database does not exist"

    async def create() -> None:
        await pg_create(name)

    async def drop() -> None:
        await pg_drop(name)

    try:
        yield Outage(pg_url(name), create, drop)
    finally:
        await pg_drop(name)
