"""Multi-workspace install: bolt's OAuth settings with installation and state stores in our database.

Used only when SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET are all set; otherwise
the app runs single-workspace with SLACK_BOT_TOKEN. The stores are slack_sdk's async SQLAlchemy
stores on the same database as the bot's own tables (`slack_installations`, `slack_bots`,
`slack_oauth_states`); their tables are created on first use, safely when replicas start together.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import (
    AsyncSQLAlchemyInstallationStore,
)
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.settings import Settings
from bot.slack.scopes import BOT_SCOPES
from bot.storage.sql import create_schema, normalise_url

log = logging.getLogger(__name__)

SCOPES = BOT_SCOPES
STATE_EXPIRATION_SECONDS = 600
_STATE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _TablesOnFirstUse:
    """Mixin: create the store's tables (IF NOT EXISTS, under the schema lock) before first use."""

    engine: AsyncEngine
    metadata: sa.MetaData

    def _init_lazy(self) -> None:
        self._tables_ready = False
        self._tables_lock = asyncio.Lock()

    async def create_tables(self) -> None:  # replaces the stores' plain metadata.create_all
        await create_schema(self.engine, self.metadata)
        self._tables_ready = True

    async def _ready(self) -> None:
        if self._tables_ready:
            return
        async with self._tables_lock:
            if not self._tables_ready:
                await self.create_tables()


class InstallationStore(_TablesOnFirstUse, AsyncSQLAlchemyInstallationStore):
    def __init__(self, client_id: str, engine: AsyncEngine, **kwargs: Any) -> None:
        super().__init__(client_id=client_id, engine=engine, **kwargs)
        self._init_lazy()

    async def async_save(self, installation):  # type: ignore[override]
        await self._ready()
        return await super().async_save(installation)

    async def async_save_bot(self, bot):  # type: ignore[override]
        await self._ready()
        return await super().async_save_bot(bot)

    async def async_find_bot(self, **kwargs):  # type: ignore[override]
        await self._ready()
        return await super().async_find_bot(**kwargs)

    async def async_find_installation(self, **kwargs):  # type: ignore[override]
        await self._ready()
        return await super().async_find_installation(**kwargs)

    async def async_delete_bot(self, **kwargs):  # type: ignore[override]
        await self._ready()
        return await super().async_delete_bot(**kwargs)

    async def async_delete_installation(self, **kwargs):  # type: ignore[override]
        await self._ready()
        return await super().async_delete_installation(**kwargs)


class OAuthStateStore(_TablesOnFirstUse, AsyncSQLAlchemyOAuthStateStore):
    """slack_sdk's state store, which never deletes a state nobody came back with: anyone can
    open /slack/install, so expired states are purged (at most once a minute, when issuing)."""

    purge_every = 60.0

    def __init__(self, expiration_seconds: int, engine: AsyncEngine, **kwargs: Any) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, **kwargs)
        self._init_lazy()
        self._last_purge = 0.0

    async def async_issue(self, *args, **kwargs) -> str:
        await self._ready()
        if time.monotonic() - self._last_purge >= self.purge_every:
            self._last_purge = time.monotonic()
            await self.purge_expired()
        return await super().async_issue(*args, **kwargs)

    async def purge_expired(self) -> int:
        """Delete states past their expiry; how many (0 when the database is unavailable)."""
        now = normalize_datetime_for_db(datetime.now(tz=timezone.utc))
        try:
            async with self.engine.begin() as conn:
                result = await conn.execute(self.oauth_states.delete()
                                            .where(self.oauth_states.c.expire_at <= now))
                return int(result.rowcount or 0)
        except Exception as exc:  # noqa: BLE001 - an install page still works without the purge
            log.warning("could not purge expired OAuth states: %s", type(exc).__name__)
            return 0

    async def async_consume(self, state: str) -> bool:
        if not isinstance(state, str) or not _STATE.fullmatch(state):  # ours are UUIDs; junk is not looked up
            return False
        try:
            await self._ready()
        except Exception as exc:  # noqa: BLE001 - an unverifiable state is a refused state
            log.warning("OAuth state store unavailable: %s", exc)
            return False
        return await super().async_consume(state)


def _engine(engine_or_url: Any) -> AsyncEngine:
    if isinstance(engine_or_url, AsyncEngine):
        return engine_or_url
    inner = getattr(engine_or_url, "engine", None)  # a SqlStore
    if isinstance(inner, AsyncEngine):
        return inner
    if engine_or_url is None or isinstance(engine_or_url, str):
        url = make_url(normalise_url(engine_or_url))
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return create_async_engine(url, pool_pre_ping=True)
    raise TypeError(f"expected an AsyncEngine, a SqlStore or a database URL, not {type(engine_or_url).__name__}")


def oauth_enabled(settings: Settings) -> bool:
    return bool(settings.client_id and settings.client_secret and settings.state_secret)


def build_oauth_settings(settings: Settings, engine_or_url: Any = None) -> AsyncOAuthSettings | None:
    """Bolt OAuth settings for a multi-workspace install, or None when the three secrets are not set.

    `engine_or_url`: the bot's `AsyncEngine`, its `SqlStore`, or a database URL (None: the default
    SQLite file), so installations live beside the bot's own tables.
    """
    if not oauth_enabled(settings):
        return None
    engine = _engine(engine_or_url)
    return AsyncOAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(SCOPES),
        installation_store=InstallationStore(client_id=settings.client_id or "", engine=engine),
        state_store=OAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )
