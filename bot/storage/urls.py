"""DATABASE_URL as operators paste it → what SQLAlchemy's async drivers accept, or one clear line.

Hosted PostgreSQL providers hand out libpq URLs (`?sslmode=require&application_name=…`); asyncpg
takes keyword arguments instead, so the libpq parameters it can honour are translated here and
any other parameter is refused by name rather than crashing the driver later.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import default_database_url

POSTGRES_PREFIXES = ("postgres://", "postgresql://", "postgresql+asyncpg://", "postgresql+psycopg2://",
                     "postgresql+psycopg://")
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
LIBPQ_PARAMS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "connect_timeout")
EXAMPLES = "postgresql://user:pass@host:5432/db[?sslmode=require] or sqlite:///path/to/file.db"


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be used; the message is the one line an operator needs."""


@dataclass(frozen=True)
class Database:
    url: URL
    dialect: str
    connect_args: dict[str, Any] = field(default_factory=dict)
    sqlite_path: Path | None = None

    @property
    def display(self) -> str:
        """For messages: the absolute SQLite file, or the URL with its password hidden."""
        if self.sqlite_path is not None:
            return f"SQLite file {self.sqlite_path}"
        return self.url.render_as_string(hide_password=True)


def parse_database_url(raw: str | None) -> Database:
    """Translate `raw` (None or empty: the default SQLite file). Raises DatabaseUrlError."""
    text = (raw or "").strip() or default_database_url()
    lowered = text.lower()
    if lowered.startswith(POSTGRES_PREFIXES):
        return _postgres("postgresql+asyncpg://" + text.split("://", 1)[1])
    if lowered.startswith(("sqlite://", "sqlite+aiosqlite://")):
        return _sqlite("sqlite+aiosqlite://" + text.split("://", 1)[1])
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if scheme:
        raise DatabaseUrlError(f"DATABASE_URL: {scheme}:// databases are not supported; use {EXAMPLES}")
    raise DatabaseUrlError(f"DATABASE_URL is not a database URL; expected {EXAMPLES}")


def _parse(text: str) -> URL:
    try:
        return make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUrlError(f"DATABASE_URL is malformed ({exc}); expected {EXAMPLES}") from None


def _postgres(text: str) -> Database:
    url = _parse(text)
    try:
        url.port  # noqa: B018 - a non-numeric port raises here
    except ValueError:
        raise DatabaseUrlError("DATABASE_URL has a port that is not a number") from None
    if not url.host and not url.query.get("host"):
        raise DatabaseUrlError(f"DATABASE_URL names no host; expected {EXAMPLES}")
    params = {k: (v[-1] if isinstance(v, tuple) else v) for k, v in url.query.items()}
    unknown = sorted(set(params) - set(LIBPQ_PARAMS))
    if unknown:
        raise DatabaseUrlError(f"DATABASE_URL parameter(s) {', '.join(unknown)} not supported; "
                               f"remove them (supported: {', '.join(LIBPQ_PARAMS)})")
    args: dict[str, Any] = {}
    if "application_name" in params:
        args["server_settings"] = {"application_name": params["application_name"]}
    if "connect_timeout" in params:
        value = params["connect_timeout"]
        if not value.isdigit():
            raise DatabaseUrlError(f"DATABASE_URL connect_timeout={value!r} must be whole seconds")
        if int(value) > 0:  # libpq: 0 means wait forever; keep the store's own timeout then
            args["timeout"] = int(value)
    ssl_arg = _ssl(params)
    if ssl_arg is not None:
        args["ssl"] = ssl_arg
    return Database(url.set(query={}), "postgresql", args)


def _ssl(params: dict[str, str]) -> Any:
    mode = params.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise DatabaseUrlError(f"DATABASE_URL sslmode={mode!r} is not one of {', '.join(SSL_MODES)}")
    files = {k: params[k] for k in ("sslrootcert", "sslcert", "sslkey") if k in params}
    for name, value in files.items():
        if not Path(value).expanduser().is_file():
            raise DatabaseUrlError(f"DATABASE_URL {name}={value}: no such file")
    if not files or mode in (None, "disable", "allow", "prefer"):
        return mode  # asyncpg understands libpq's mode names; like libpq, only verify-* reads certificates
    root = files.get("sslrootcert")
    context = ssl.create_default_context(cafile=str(Path(root).expanduser()) if root else None)
    if mode != "verify-full":
        context.check_hostname = False  # verify-ca, or require with a root certificate (libpq: verify-ca)
    if mode == "require" and not root:
        context.verify_mode = ssl.CERT_NONE  # encrypted, nothing verified (a client certificate only)
    if "sslcert" in files:
        key = files.get("sslkey")
        context.load_cert_chain(str(Path(files["sslcert"]).expanduser()),
                                str(Path(key).expanduser()) if key else None)
    return context


def _sqlite(text: str) -> Database:
    url = _parse(text)
    if url.query:
        raise DatabaseUrlError(f"DATABASE_URL: SQLite takes no parameters ({', '.join(sorted(url.query))}); "
                               "remove them")
    database = url.database or ""
    if not database or database == ":memory:":
        raise DatabaseUrlError("DATABASE_URL sqlite:// needs a file: sqlite:///relative.db (from the "
                               "current folder) or sqlite:////absolute/path.db; memory:// for no file")
    path = Path(database).expanduser().resolve()
    return Database(url.set(database=str(path)), "sqlite", {}, path)
