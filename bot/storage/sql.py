"""The SQL store: SQLite by default (aiosqlite), PostgreSQL in production (asyncpg), SQLAlchemy 2 async.

Two promises shape this module:

* **Once only across replicas.** `claim_event` and `mark_welcomed` are a single
  `INSERT … ON CONFLICT` statement, so two processes racing on the same id get one True between them.
* **The bot outlives its database.** Every method catches database errors: claims fall back to an
  in-process `MemoryStore` (so Slack retries reaching this process are still deduplicated), records
  are dropped with a log line, and reads raise `StorageUnavailable` for the report command. Nothing
  stays broken: the pool pings connections before use and the schema is (re)created on the first
  operation that reaches a live database.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.schema import CreateIndex, CreateTable

from bot.lessons import Lesson, lesson_text
from bot.settings import default_database_url
from bot.storage.base import (
    QUESTION_KEY_CHARS,
    THREAD_CONTEXT_TTL,
    AnsweredRow,
    FeedbackRow,
    MemoryStore,
    PurgeResult,
    UnansweredRow,
    day_of,
    is_small_talk,
    question_key,
)
from bot.storage.urls import parse_database_url

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_TEXT = QUESTION_KEY_CHARS
MAX_ID = 255
class StorageUnavailable(RuntimeError):
    """The database could not be reached (or refused the operation); the message says which."""


# Errors that mean "the database is not there right now" rather than a bug in this module.
DB_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, OSError, ConnectionError,
                                              asyncio.TimeoutError, StorageUnavailable)
try:  # asyncpg raises its own errors for a few connection-level failures before SQLAlchemy wraps them
    import asyncpg

    DB_ERRORS += (asyncpg.PostgresError, asyncpg.InterfaceError)
except ImportError:  # pragma: no cover - asyncpg is a declared dependency
    pass

# Key for pg_advisory_xact_lock around schema creation (any constant; crc32 of a name to be unique).
SCHEMA_LOCK_KEY = zlib.crc32(b"mlrole-schema")

metadata = sa.MetaData()

SCHEMA_VERSION = 2
"""2: answered questions kept as counts only, one feedback vote per person (1: every question with its asker)."""

# What is stored, and why (README "What mlrole stores" lists the same columns; a test compares them).
unanswered_questions = sa.Table(  # the curator's to-do list: text, never who asked
    "unanswered_questions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("text", sa.String(MAX_TEXT), nullable=False),
    sa.Column("normalised", sa.String(MAX_TEXT), nullable=False),
    sa.Column("surface", sa.String(32), nullable=False),
    sa.Column("team_id", sa.String(64)),
    sa.Column("created_at", sa.Float, nullable=False),  # Unix seconds, like the rest of the code
    sa.Index("ix_unanswered_questions_normalised", "normalised"),
    sa.Index("ix_unanswered_questions_created_at", "created_at"),
)

answer_counts = sa.Table(  # how often each entry was given, per surface and day: no text, no person
    "answer_counts", metadata,
    sa.Column("answer_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("surface", sa.String(32), primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),  # YYYY-MM-DD (UTC)
    sa.Column("count", sa.Integer, nullable=False),
)

feedback_votes = sa.Table(  # one vote per person per answer: a later press replaces the earlier
    "feedback_votes", metadata,
    sa.Column("answer_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("team_id", sa.String(64)),
    sa.Column("helpful", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("ix_feedback_votes_created_at", "created_at"),
)

schema_version = sa.Table(
    "mlrole_schema", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
)

handled_events = sa.Table(
    "handled_events", metadata,
    sa.Column("event_id", sa.String(MAX_ID), primary_key=True),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Index("ix_handled_events_expires_at", "expires_at"),
)

welcomed = sa.Table(
    "welcomed", metadata,
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("channel_id", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

# -- curator loop (issue 15): lessons waiting for `mlrole kb learn`; question and entry, no person --
lessons = sa.Table(
    "lessons", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("question", sa.String(MAX_TEXT), nullable=False),
    sa.Column("normalised", sa.String(MAX_TEXT), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("entry_id", sa.String(MAX_ID), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("applied_at", sa.Float),
    sa.Index("ix_lessons_pending", "applied_at", "normalised"),
)


# -- thread context (issue 10) -------------------------------------------------------------------
# The last answer in a Slack thread, so a follow-up ("who else is involved?") is read in its
# context on any replica. Only where and what was answered: no user ids, no question text.
thread_context = sa.Table(
    "thread_context", metadata,
    sa.Column("team_id", sa.String(64), primary_key=True),
    sa.Column("channel_id", sa.String(64), primary_key=True),
    sa.Column("thread_ts", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("entry_id", sa.String(MAX_ID), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Index("ix_thread_context_expires_at", "expires_at"),
)


def normalise_url(url: str | None) -> str:
    """DATABASE_URL as users write it → the async driver URL SQLAlchemy needs."""
    if not url:
        return default_database_url()
    url = url.strip()
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://"):]
    return url


def safe_url(url: str) -> str:
    """The URL for messages: password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return "<unparseable DATABASE_URL>"


def _cap(value: str | None, size: int) -> str | None:
    return None if value is None else value[:size]


def _describe(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:300]


class SqlStore:
    """`Store` on a SQL database. Create it, `await start()`, use it, `await close()`."""

    def __init__(self, url: str | None = None, *, op_timeout: float = 5.0, claim_timeout: float = 2.5,
                 connect_timeout: float = 3.0, purge_every: float = 600.0,
                 retry_interval: float = 5.0, read_only: bool = False) -> None:
        self.database = parse_database_url(url)
        self.url = self.database.url.render_as_string(hide_password=False)
        self.op_timeout = op_timeout
        self.claim_timeout = claim_timeout
        self.purge_every = purge_every
        # After a failure, operations skip the database for this long (no connect timeout per
        # message while it is down); the first one after it tries again.
        self.retry_interval = retry_interval
        self._down_until = 0.0
        self.dialect = self.database.dialect
        # read_only (mlrole report, doctor): never create the file, its folder or the schema
        self.read_only = read_only
        self._sqlite_path: Path | None = self.database.sqlite_path
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        engine_url: Any = self.database.url
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": 30}
            if read_only and self._sqlite_path is not None:
                engine_url = f"sqlite+aiosqlite:///file:{self._sqlite_path}?mode=ro&uri=true"
        elif self.dialect == "postgresql":
            kwargs["connect_args"] = {"timeout": connect_timeout, "command_timeout": op_timeout * 2,
                                      **self.database.connect_args}
            if read_only:
                settings = dict(kwargs["connect_args"].get("server_settings") or {})
                settings["default_transaction_read_only"] = "on"
                kwargs["connect_args"]["server_settings"] = settings
            kwargs["pool_recycle"] = 1800
        self.engine: AsyncEngine = create_async_engine(engine_url, **kwargs)
        self._local = MemoryStore()
        self._schema_ready = False
        self._schema_lock = asyncio.Lock()
        self._healthy = True
        self._last_purge = 0.0
        self._offline_claims: dict[str, float] = {}
        self._last_thread_purge = 0.0

    def __repr__(self) -> str:
        return f"SqlStore({safe_url(self.url)!r})"

    @property
    def where(self) -> str:
        """For messages: the absolute SQLite file, or the URL without its password."""
        return self.database.display

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self, *, strict: bool = False) -> "SqlStore":
        """Create the schema. Not strict: a database that is down is logged and retried later."""
        try:
            await self._ensure_schema()
        except DB_ERRORS as exc:
            if strict:
                raise StorageUnavailable(f"cannot reach the database {safe_url(self.url)}: "
                                         f"{_describe(exc)}") from exc
            self._failed("create the schema", exc)
        return self

    async def close(self) -> None:
        await self.engine.dispose()

    async def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        async with self._schema_lock:
            if self._schema_ready:
                return
            if self.read_only:
                await self._check_readable()
            else:
                if self._sqlite_path is not None:
                    self._sqlite_path.parent.mkdir(parents=True, exist_ok=True)
                await create_schema(self.engine, metadata)
                await migrate(self.engine)
            self._schema_ready = True

    async def _check_readable(self) -> None:
        if self._sqlite_path is not None and not self._sqlite_path.is_file():
            raise StorageUnavailable(f"no database at {self._sqlite_path}: nothing has been stored yet "
                                     "(the bot creates it when it first runs), or DATABASE_URL points "
                                     "elsewhere")
        version = await self.schema_version()
        if version is None:
            raise StorageUnavailable(f"{self.where} has no mlrole tables yet: start `mlrole serve` once")
        if version < SCHEMA_VERSION:
            raise StorageUnavailable(f"{self.where} has schema version {version}, this mlrole needs "
                                     f"{SCHEMA_VERSION}: start `mlrole serve` once to upgrade it")

    async def schema_version(self) -> int | None:
        """The schema version in the database: None without mlrole tables, 1 for the first layout."""
        def inspect(sync_conn: Any) -> int | None:
            names = set(sa.inspect(sync_conn).get_table_names())
            if "mlrole_schema" in names:
                return sync_conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
            return 1 if "questions" in names else None

        async with self.engine.connect() as conn:
            return await conn.run_sync(inspect)

    # -- health bookkeeping ---------------------------------------------------------------

    def _failed(self, what: str, exc: BaseException) -> None:
        if self._healthy:
            log.warning("database %s unavailable, degrading (could not %s): %s",
                        safe_url(self.url), what, _describe(exc))
        else:
            log.warning("database still unavailable: could not %s (%s)", what, _describe(exc))
        self._healthy = False
        if time.monotonic() >= self._down_until:  # a failed attempt, not a skipped one: back off
            self._down_until = time.monotonic() + self.retry_interval
        # The database may come back empty (dropped, restored, a new file): check the schema again.
        self._schema_ready = False

    def _ok(self) -> None:
        if not self._healthy:
            log.warning("database %s is reachable again", safe_url(self.url))
            self._healthy = True

    @property
    def healthy(self) -> bool:
        """False after an operation failed, until one succeeds again."""
        return self._healthy

    async def _run(self, fn: Callable[[AsyncConnection], Awaitable[T]], timeout: float | None = None) -> T:
        if self._down_until and time.monotonic() < self._down_until:
            raise StorageUnavailable("database unavailable (waiting before the next attempt)")

        async def body() -> T:
            await self._ensure_schema()
            async with self.engine.begin() as conn:
                return await fn(conn)

        result = await asyncio.wait_for(body(), timeout or self.op_timeout)
        self._down_until = 0.0
        self._ok()
        return result

    # -- dialect helpers --------------------------------------------------------------------

    def _insert(self, table: sa.Table):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - only the two supported databases
            raise StorageUnavailable(f"unsupported database {self.dialect!r}: use SQLite or PostgreSQL")
        return insert(table)

    # -- the Store protocol -----------------------------------------------------------------

    async def claim_event(self, event_id: str, ttl_seconds: int = 3600) -> bool:
        """True exactly once per event id (until it expires) across every process on this database.

        An in-process memory store answers first: what this process has already seen is refused
        without a round trip, and it keeps deduplicating while the database is down. Claims made
        during an outage are written to the database when it returns, so other replicas honour them.
        """
        event_id = event_id[:MAX_ID]
        if not await self._local.claim_event(event_id, ttl_seconds):
            return False
        now = time.time()
        offline = dict(self._offline_claims)

        async def op(conn: AsyncConnection) -> bool:
            stmt = self._insert(handled_events).values(event_id=event_id, expires_at=now + ttl_seconds)
            # A row that has expired is taken over (the same id may be claimed again); a live one wins.
            stmt = stmt.on_conflict_do_update(
                index_elements=[handled_events.c.event_id],
                set_={"expires_at": stmt.excluded.expires_at},
                where=handled_events.c.expires_at <= now,
            )
            result = await conn.execute(stmt)
            claimed = result.rowcount == 1
            if offline:
                rows = [{"event_id": k, "expires_at": v} for k, v in offline.items() if v > now]
                if rows:
                    await conn.execute(self._insert(handled_events).values(rows).on_conflict_do_nothing())
            if now - self._last_purge > self.purge_every:
                self._last_purge = now
                await conn.execute(sa.delete(handled_events).where(handled_events.c.expires_at <= now))
            return claimed

        try:
            claimed = await self._run(op, self.claim_timeout)
        except DB_ERRORS as exc:
            self._failed(f"claim event {event_id} (deduplicating in this process only)", exc)
            if len(self._offline_claims) < 10000:
                self._offline_claims[event_id] = now + ttl_seconds
            return True
        for key in offline:
            self._offline_claims.pop(key, None)
        return claimed

    async def record_question(self, *, text: str, surface: str, user_id: str | None,
                              answered: bool, answer_id: str | None, score: float,
                              team_id: str | None = None) -> None:
        """Answered: one more in the entry's count for today. Unanswered: the text, never the asker."""
        text = " ".join(text.split())
        now = time.time()
        surface = surface[:32]
        if answered and answer_id:
            key = {"answer_id": answer_id[:MAX_ID], "surface": surface, "day": day_of(now)}

            async def op(conn: AsyncConnection) -> None:
                stmt = self._insert(answer_counts).values(**key, count=1)
                await conn.execute(stmt.on_conflict_do_update(
                    index_elements=[answer_counts.c.answer_id, answer_counts.c.surface, answer_counts.c.day],
                    set_={"count": answer_counts.c.count + 1}))
        elif not answered and text and not is_small_talk(text):
            row = {"text": text[:MAX_TEXT], "normalised": question_key(text), "surface": surface,
                   "team_id": _cap(team_id, 64), "created_at": now}

            async def op(conn: AsyncConnection) -> None:
                await conn.execute(sa.insert(unanswered_questions).values(**row))
        else:
            return
        try:
            await self._run(op)
        except DB_ERRORS as exc:
            self._failed(f"store a question from {surface} (answered={answered}, answer={answer_id}); "
                         "dropped", exc)

    async def record_feedback(self, *, answer_id: str, helpful: bool, user_id: str | None,
                              question: str | None = None, team_id: str | None = None) -> None:
        """The person's vote on this answer, replacing an earlier one (the question text is not kept)."""
        row = {"answer_id": answer_id[:MAX_ID], "user_id": (user_id or "")[:64], "helpful": bool(helpful),
               "team_id": _cap(team_id, 64), "created_at": time.time()}

        async def op(conn: AsyncConnection) -> None:
            stmt = self._insert(feedback_votes).values(**row)
            await conn.execute(stmt.on_conflict_do_update(
                index_elements=[feedback_votes.c.answer_id, feedback_votes.c.user_id],
                set_={"helpful": stmt.excluded.helpful, "team_id": stmt.excluded.team_id,
                      "created_at": stmt.excluded.created_at}))

        try:
            await self._run(op)
        except DB_ERRORS as exc:
            self._failed(f"store feedback {'helpful' if helpful else 'not helpful'} on {answer_id}; dropped",
                         exc)

    async def mark_welcomed(self, user_id: str, channel_id: str) -> bool:
        async def op(conn: AsyncConnection) -> bool:
            stmt = self._insert(welcomed).values(user_id=user_id[:64], channel_id=channel_id[:64],
                                                 created_at=time.time()).on_conflict_do_nothing()
            result = await conn.execute(stmt)
            return result.rowcount == 1

        try:
            return await self._run(op)
        except DB_ERRORS as exc:
            self._failed(f"mark {user_id} welcomed in {channel_id} (remembering in this process only)", exc)
            return await self._local.mark_welcomed(user_id, channel_id)

    async def unanswered(self, limit: int = 20, *, since: float | None = None,
                         surface: str | None = None) -> list[UnansweredRow]:
        """Most frequently asked unanswered questions; raises StorageUnavailable if the DB is down."""
        t = unanswered_questions
        count = sa.func.count().label("n")
        last = sa.func.max(t.c.created_at).label("last")
        query = sa.select(sa.func.min(t.c.text).label("text"), count, last, t.c.normalised)
        if since is not None:
            query = query.where(t.c.created_at >= since)
        if surface:
            query = query.where(t.c.surface == surface)
        query = query.group_by(t.c.normalised).order_by(count.desc(), last.desc(), t.c.normalised)

        async def op(conn: AsyncConnection) -> list[UnansweredRow]:
            rows = (await conn.execute(query)).all()
            out = [UnansweredRow(r.text, int(r.n), float(r.last)) for r in rows if not is_small_talk(r.text)]
            return out[:max(0, limit)]

        return await self._read(op, "read unanswered questions")

    async def answered(self, limit: int = 20, *, since: float | None = None,
                       surface: str | None = None) -> list[AnsweredRow]:
        """How often each entry was given, most first."""
        t = answer_counts
        total = sa.func.sum(t.c.count).label("n")
        query = sa.select(t.c.answer_id, total)
        if since is not None:
            query = query.where(t.c.day >= day_of(since))
        if surface:
            query = query.where(t.c.surface == surface)
        query = query.group_by(t.c.answer_id).order_by(total.desc(), t.c.answer_id).limit(max(0, limit))

        async def op(conn: AsyncConnection) -> list[AnsweredRow]:
            return [AnsweredRow(r.answer_id, int(r.n)) for r in (await conn.execute(query)).all()]

        return await self._read(op, "read answer counts")

    async def feedback(self, limit: int = 20, *, since: float | None = None) -> list[FeedbackRow]:
        """Answers with the worst feedback first (not helpful − helpful); raises StorageUnavailable."""
        t = feedback_votes
        helpful = sa.func.sum(sa.case((t.c.helpful.is_(True), 1), else_=0)).label("helpful")
        unhelpful = sa.func.sum(sa.case((t.c.helpful.is_(True), 0), else_=1)).label("not_helpful")
        query = sa.select(t.c.answer_id, helpful, unhelpful)
        if since is not None:
            query = query.where(t.c.created_at >= since)
        query = (query.group_by(t.c.answer_id)
                 .order_by((unhelpful - helpful).desc(), unhelpful.desc(), t.c.answer_id)
                 .limit(max(0, limit)))

        async def op(conn: AsyncConnection) -> list[FeedbackRow]:
            rows = (await conn.execute(query)).all()
            return [FeedbackRow(r.answer_id, int(r.helpful or 0), int(r.not_helpful or 0)) for r in rows]

        return await self._read(op, "read feedback")

    async def purge(self, *, before: float | None = None, users: tuple[str, ...] | list[str] = ()) -> PurgeResult:
        """Delete what was stored before `before` (Unix seconds) and everything kept about `users`.

        Raises StorageUnavailable: an erasure that did not happen must not look as if it did.
        """
        users = [u[:64] for u in users]

        async def op(conn: AsyncConnection) -> PurgeResult:
            counts: dict[str, int] = {}

            async def delete(table: sa.Table, condition: Any) -> None:
                result = await conn.execute(sa.delete(table).where(condition))
                counts[table.name] = counts.get(table.name, 0) + int(result.rowcount or 0)

            if before is not None:
                await delete(unanswered_questions, unanswered_questions.c.created_at < before)
                await delete(answer_counts, answer_counts.c.day < day_of(before))
                await delete(feedback_votes, feedback_votes.c.created_at < before)
                await delete(welcomed, welcomed.c.created_at < before)
                await delete(handled_events, handled_events.c.expires_at < min(before, time.time()))
            if users:
                await delete(feedback_votes, feedback_votes.c.user_id.in_(users))
                await delete(welcomed, welcomed.c.user_id.in_(users))
            return PurgeResult(counts)

        return await self._read(op, "purge")

    async def _read(self, op: Callable[[AsyncConnection], Awaitable[T]], what: str) -> T:
        try:
            return await self._run(op)
        except StorageUnavailable as exc:
            if not str(exc).startswith("database unavailable"):
                raise  # already the one line to show (no database file, schema too old)
            self._failed(what, exc)
            raise StorageUnavailable(f"cannot reach the database {self.where}: {exc}") from exc
        except DB_ERRORS as exc:
            self._failed(what, exc)
            raise StorageUnavailable(f"cannot reach the database {safe_url(self.url)}: {_describe(exc)}") \
                from exc

    async def purge_expired(self) -> int:
        """Delete handled-event rows past their expiry; returns how many (0 if the DB is down)."""
        return await self._delete_expired(handled_events, "events")

    async def _delete_expired(self, table: sa.Table, what: str) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(sa.delete(table).where(table.c.expires_at <= time.time()))
            return int(result.rowcount or 0)

        try:
            return await self._run(op)
        except DB_ERRORS as exc:
            self._failed(f"purge expired {what}", exc)
            return 0

    # -- curator loop (issue 15): lessons ----------------------------------------------------------

    async def add_lesson(self, *, question: str, kind: str, entry_id: str) -> bool:
        """Store a pending lesson (False if the same one is pending); raises StorageUnavailable."""
        text = lesson_text(question)
        row = {"question": text, "normalised": question_key(text), "kind": kind[:32],
               "entry_id": entry_id[:MAX_ID], "created_at": time.time()}

        async def op(conn: AsyncConnection) -> bool:
            same = sa.select(lessons.c.id).where(
                lessons.c.applied_at.is_(None), lessons.c.normalised == row["normalised"],
                lessons.c.kind == row["kind"], lessons.c.entry_id == row["entry_id"]).limit(1)
            if (await conn.execute(same)).first() is not None:
                return False
            await conn.execute(sa.insert(lessons).values(**row))
            return True

        return await self._read(op, "store a lesson")

    async def lessons(self, *, pending: bool = True, limit: int = 1000) -> list[Lesson]:
        """Lessons, oldest first; raises StorageUnavailable if the database is down."""
        query = sa.select(lessons).order_by(lessons.c.id).limit(max(0, limit))
        if pending:
            query = query.where(lessons.c.applied_at.is_(None))

        async def op(conn: AsyncConnection) -> list[Lesson]:
            return [Lesson(int(r.id), r.question, r.kind, r.entry_id, float(r.created_at),
                           float(r.applied_at) if r.applied_at is not None else None)
                    for r in (await conn.execute(query)).all()]

        return await self._read(op, "read lessons")

    async def mark_lessons_applied(self, ids: list[int]) -> int:
        if not ids:
            return 0
        stmt = (sa.update(lessons).where(lessons.c.id.in_([int(i) for i in ids]), lessons.c.applied_at.is_(None))
                .values(applied_at=time.time()))

        async def op(conn: AsyncConnection) -> int:
            return int((await conn.execute(stmt)).rowcount or 0)

        return await self._read(op, "mark lessons applied")


    # -- thread context (issue 10) ----------------------------------------------------------

    async def remember_thread(self, *, team_id: str, channel_id: str, thread_ts: str, kind: str,
                              entry_id: str, ttl_seconds: int = THREAD_CONTEXT_TTL) -> None:
        """Upsert the thread's last answer; expired rows are purged now and then on the way.

        Also kept in this process, so follow-ups still work here while the database is down.
        """
        key = {"team_id": (team_id or "")[:64], "channel_id": channel_id[:64], "thread_ts": thread_ts[:32]}
        await self._local.remember_thread(**key, kind=kind, entry_id=entry_id, ttl_seconds=ttl_seconds)
        now = time.time()
        values = {**key, "kind": kind[:32], "entry_id": entry_id[:MAX_ID], "expires_at": now + ttl_seconds}

        async def op(conn: AsyncConnection) -> None:
            stmt = self._insert(thread_context).values(**values)
            await conn.execute(stmt.on_conflict_do_update(
                index_elements=[thread_context.c.team_id, thread_context.c.channel_id, thread_context.c.thread_ts],
                set_={"kind": stmt.excluded.kind, "entry_id": stmt.excluded.entry_id,
                      "expires_at": stmt.excluded.expires_at}))
            if now - self._last_thread_purge > self.purge_every:
                self._last_thread_purge = now
                await conn.execute(sa.delete(thread_context).where(thread_context.c.expires_at <= now))

        try:
            await self._run(op)
        except DB_ERRORS as exc:
            self._failed(f"remember the answer in thread {channel_id}/{thread_ts} (in this process only)", exc)

    async def thread_context(self, *, team_id: str, channel_id: str, thread_ts: str) -> tuple[str, str] | None:
        key = {"team_id": (team_id or "")[:64], "channel_id": channel_id[:64], "thread_ts": thread_ts[:32]}
        query = (sa.select(thread_context.c.kind, thread_context.c.entry_id)
                 .where(*(thread_context.c[k] == v for k, v in key.items()),
                        thread_context.c.expires_at > time.time()))

        async def op(conn: AsyncConnection) -> tuple[str, str] | None:
            row = (await conn.execute(query)).first()
            return (row.kind, row.entry_id) if row else None

        try:
            return await self._run(op)
        except DB_ERRORS as exc:
            self._failed(f"read the context of thread {channel_id}/{thread_ts} (using this process's)", exc)
            return await self._local.thread_context(**key)

    async def purge_expired_threads(self) -> int:
        """Delete thread context past its expiry; returns how many (0 if the database is down)."""
        return await self._delete_expired(thread_context, "thread context")


async def migrate(engine: AsyncEngine) -> None:
    """Bring a version-1 database (every question with its asker) to the current layout, once.

    Unanswered questions keep their text (without the asker), answered ones become counts, and
    feedback keeps each person's latest vote per answer. The old tables are then dropped.
    """
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        names = set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
        version = (await conn.execute(sa.select(sa.func.max(schema_version.c.version)))).scalar()
        if version is not None and version >= SCHEMA_VERSION:
            return
        if "questions" in names:
            old = sa.Table("questions", sa.MetaData(), *[
                sa.Column(n) for n in ("text", "surface", "team_id", "answered", "answer_id", "created_at")])
            rows = (await conn.execute(sa.select(old))).all()
            unanswered = [{"text": r.text, "normalised": question_key(r.text), "surface": r.surface,
                           "team_id": r.team_id, "created_at": r.created_at}
                          for r in rows if not r.answered and not is_small_talk(r.text)]
            if unanswered:
                await conn.execute(sa.insert(unanswered_questions), unanswered)
            tally: dict[tuple[str, str, str], int] = {}
            for r in rows:
                if r.answered and r.answer_id:
                    key = (r.answer_id, r.surface, day_of(r.created_at))
                    tally[key] = tally.get(key, 0) + 1
            if tally:
                await conn.execute(sa.insert(answer_counts), [
                    {"answer_id": a, "surface": s, "day": d, "count": n} for (a, s, d), n in tally.items()])
            await conn.execute(sa.text("DROP TABLE questions"))
        if "feedback" in names:
            old = sa.Table("feedback", sa.MetaData(), *[
                sa.Column(n) for n in ("answer_id", "helpful", "user_id", "team_id", "created_at")])
            latest: dict[tuple[str, str], Any] = {}
            for r in (await conn.execute(sa.select(old).order_by(sa.text("created_at")))).all():
                if r.user_id:
                    latest[(r.answer_id, r.user_id)] = r
            if latest:
                await conn.execute(sa.insert(feedback_votes), [
                    {"answer_id": r.answer_id, "user_id": r.user_id, "team_id": r.team_id,
                     "helpful": bool(r.helpful), "created_at": r.created_at} for r in latest.values()])
            await conn.execute(sa.text("DROP TABLE feedback"))
        await conn.execute(sa.delete(schema_version))
        await conn.execute(sa.insert(schema_version).values(version=SCHEMA_VERSION))


async def create_schema(engine: AsyncEngine, meta: sa.MetaData) -> None:
    """`CREATE TABLE/INDEX IF NOT EXISTS` for every table in `meta`, safe when replicas start together.

    PostgreSQL: under a transaction-level advisory lock (IF NOT EXISTS alone still races on the
    catalogue there). SQLite: DDL takes the database write lock, and IF NOT EXISTS makes the loser a
    no-op; a lost race that still surfaces as "already exists" is retried.
    """
    for attempt in range(5):
        try:
            async with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
                for table in meta.sorted_tables:
                    await conn.execute(CreateTable(table, if_not_exists=True))
                    for index in sorted(table.indexes, key=lambda i: i.name or ""):
                        await conn.execute(CreateIndex(index, if_not_exists=True))
            return
        except SQLAlchemyError as exc:
            text = str(exc).lower()
            if attempt < 4 and ("already exists" in text or "database is locked" in text
                                or "duplicate key" in text):
                await asyncio.sleep(0.05 * (attempt + 1))
                continue
            raise
