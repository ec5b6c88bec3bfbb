"""The environment checked before anything starts: one line per problem, naming the variable and the fix.

`serve`, `doctor` and `report` call this first so an operator never sees a traceback for a typo.
"""

from __future__ import annotations

import logging
import os
from typing import Mapping

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
OAUTH_VARS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")


def environment_problems(env: Mapping[str, str] | None = None, *, database: bool = True) -> list[str]:
    env = os.environ if env is None else env
    problems: list[str] = []
    port = env.get("PORT")
    if port is not None and port.strip() and not (port.strip().isdigit() and 0 < int(port) < 65536):
        problems.append(f"PORT={port!r} is not a port number: set it to a number from 1 to 65535 "
                        "(or unset it for 3000)")
    level = env.get("LOG_LEVEL")
    if level and level.strip().upper() not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL={level!r} is not a log level: use one of {', '.join(LOG_LEVELS)}")
    days = env.get("MLROLE_RETENTION_DAYS")
    if days is not None and days.strip() and not days.strip().isdigit():
        problems.append(f"MLROLE_RETENTION_DAYS={days!r} must be a whole number of days "
                        "(0 keeps everything; unset: 90)")
    present = [name for name in OAUTH_VARS if env.get(name)]
    if present and len(present) < len(OAUTH_VARS):
        missing = [name for name in OAUTH_VARS if not env.get(name)]
        problems.append(f"OAuth is partly configured: {', '.join(missing)} not set (set all of "
                        f"{', '.join(OAUTH_VARS)} for multi-workspace install, or none)")
    if database:
        from bot.storage.urls import DatabaseUrlError, parse_database_url

        url = env.get("DATABASE_URL") or ""
        if url.strip().lower() not in ("memory://", "memory:", "memory"):
            try:
                parse_database_url(url or None)
            except DatabaseUrlError as exc:
                problems.append(str(exc))
    return problems


def log_level(name: str) -> int:
    return getattr(logging, name.upper(), logging.INFO)
