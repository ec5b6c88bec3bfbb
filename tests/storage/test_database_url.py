"""DATABASE_URL as hosted providers hand it out: libpq parameters translated, anything else one line."""

from __future__ import annotations

import ssl
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from bot.storage.sql import SqlStore
from bot.storage.urls import DatabaseUrlError, parse_database_url
from tests.storage.conftest import pg_url


@pytest.mark.parametrize("sslmode", ["disable", "prefer", "allow"])
async def test_real_postgres_with_libpq_parameters(postgres_database: str, sslmode: str):
    url = (pg_url(postgres_database).replace("postgresql://", "postgres://", 1)
           + f"?sslmode={sslmode}&application_name=mlrole-test-{sslmode}&connect_timeout=5")
    store = await SqlStore(url).start(strict=True)
    try:
        await store.record_question(text="who buys gpus", surface="dm", user_id=None, answered=False,
                                    answer_id=None, score=0.0)
        assert [r.question for r in await store.unanswered()] == ["who buys gpus"]
        async with store.engine.connect() as conn:
            name = (await conn.execute(sa.text("SHOW application_name"))).scalar()
        assert name == f"mlrole-test-{sslmode}"
    finally:
        await store.close()


async def test_sslmode_require_against_a_server_without_tls_fails_with_one_line(postgres_database: str):
    from bot.storage.sql import StorageUnavailable

    store = SqlStore(pg_url(postgres_database) + "?sslmode=require")
    try:
        with pytest.raises(StorageUnavailable) as caught:
            await store.start(strict=True)
        assert "\n" not in str(caught.value) and "cannot reach the database" in str(caught.value)
    finally:
        await store.close()


def test_translation():
    db = parse_database_url("postgres://u:secret@db.example.com:6543/app?sslmode=require"
                            "&application_name=mlrole&connect_timeout=10")
    assert db.url.render_as_string(hide_password=False) == "postgresql+asyncpg://u:secret@db.example.com:6543/app"
    assert db.connect_args == {"ssl": "require", "server_settings": {"application_name": "mlrole"}, "timeout": 10}
    assert db.display == "postgresql+asyncpg://u:***@db.example.com:6543/app"
    assert parse_database_url("postgresql://h/db?sslmode=verify-full").connect_args == {"ssl": "verify-full"}


def test_root_certificate_makes_a_verifying_context():
    cert = Path(__file__).parent / "fixtures" / "test-ca.pem"  # a self-signed CA whose key was thrown away
    full = parse_database_url(f"postgresql://h/db?sslmode=verify-full&sslrootcert={cert}").connect_args["ssl"]
    assert isinstance(full, ssl.SSLContext) and full.check_hostname and full.verify_mode == ssl.CERT_REQUIRED
    ca = parse_database_url(f"postgresql://h/db?sslmode=verify-ca&sslrootcert={cert}").connect_args["ssl"]
    assert not ca.check_hostname and ca.verify_mode == ssl.CERT_REQUIRED
    assert parse_database_url(f"postgresql://h/db?sslmode=prefer&sslrootcert={cert}").connect_args == {"ssl": "prefer"}


@pytest.mark.parametrize("url, message", [
    ("mysql://u:p@h/db", "DATABASE_URL: mysql:// databases are not supported; use postgresql://"),
    ("postgres://h/db?sslmode=sometimes", "DATABASE_URL sslmode='sometimes' is not one of disable, allow"),
    ("postgres://h/db?target_session_attrs=any&foo=1", "DATABASE_URL parameter(s) foo, target_session_attrs not "
                                                       "supported; remove them"),
    ("postgres://h/db?connect_timeout=soon", "DATABASE_URL connect_timeout='soon' must be whole seconds"),
    ("postgres://h/db?sslrootcert=/nonexistent/ca.pem&sslmode=verify-full",
     "DATABASE_URL sslrootcert=/nonexistent/ca.pem: no such file"),
    ("postgres://u@h:port/db", "DATABASE_URL is malformed"),
    ("postgres:///db", "DATABASE_URL names no host"),
    ("not a url", "DATABASE_URL is not a database URL; expected postgresql://"),
    ("sqlite://", "DATABASE_URL sqlite:// needs a file: sqlite:///relative.db"),
    ("sqlite:///x.db?mode=ro", "DATABASE_URL: SQLite takes no parameters (mode)"),
])
def test_refused_with_one_line(url: str, message: str):
    with pytest.raises(DatabaseUrlError) as caught:
        parse_database_url(url)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_sqlite_relative_and_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = parse_database_url("sqlite:///data/mlrole.db")
    assert relative.sqlite_path == tmp_path / "data" / "mlrole.db"
    assert relative.display == f"SQLite file {tmp_path / 'data' / 'mlrole.db'}"
    absolute = parse_database_url("sqlite:////var/lib/mlrole/mlrole.db")
    assert absolute.sqlite_path is not None and str(absolute.sqlite_path) == "/var/lib/mlrole/mlrole.db"


async def test_asyncpg_is_never_handed_libpq_keywords(postgres_database: str, monkeypatch):
    """The crash of the issue: `connect() got an unexpected keyword argument 'sslmode'`."""
    seen = {}
    real = asyncpg.connect

    async def spy(*args, **kwargs):
        seen.update(kwargs)
        return await real(*args, **kwargs)

    monkeypatch.setattr(asyncpg, "connect", spy)
    store = await SqlStore(pg_url(postgres_database) + "?sslmode=disable&application_name=x").start(strict=True)
    await store.close()
    assert "sslmode" not in seen and "application_name" not in seen and seen.get("ssl") == "disable"
