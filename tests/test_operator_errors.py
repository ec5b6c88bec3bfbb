"""Operators get one line and a non-zero exit, never a traceback, for every configuration mistake."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE_ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "DATABASE_URL": "memory://",
            "SLACK_API_URL": "http://127.0.0.1:9/api/"}


def mlrole(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("SLACK_", "MLROLE_")) and k not in ("DATABASE_URL", "PORT", "LOG_LEVEL")}
    return subprocess.run([sys.executable, "-m", "bot", *args], env={**clean, "PYTHONPATH": str(ROOT), **env},
                          cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, line", [
    ({"DATABASE_URL": "postgres://u@h:port/db"}, "mlrole: DATABASE_URL is malformed"),
    ({"DATABASE_URL": "mysql://u:p@h/db"}, "mlrole: DATABASE_URL: mysql:// databases are not supported"),
    ({"DATABASE_URL": "postgres://h/db?sslmode=require&keepalives=1"},
     "mlrole: DATABASE_URL parameter(s) keepalives not supported"),
    ({"PORT": "abc"}, "mlrole: PORT='abc' is not a port number"),
    ({"LOG_LEVEL": "verbose"}, "mlrole: LOG_LEVEL='verbose' is not a log level: use one of DEBUG, INFO"),
    ({"MLROLE_RETENTION_DAYS": "a year"}, "mlrole: MLROLE_RETENTION_DAYS='a year' must be a whole number"),
    ({"SLACK_CLIENT_ID": "123.456"},
     "mlrole: OAuth is partly configured: SLACK_CLIENT_SECRET, SLACK_STATE_SECRET not set"),
])
def test_serve_refuses_bad_configuration_in_one_line(env: dict[str, str], line: str):
    done = mlrole("serve", env={**BASE_ENV, **env})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(line), done.stderr


def test_serve_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = mlrole("serve", env={**BASE_ENV, "PORT": str(port)})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith(f"mlrole: cannot listen on port {port} (")
    assert "set PORT to a free port" in done.stderr


@pytest.mark.parametrize("command", [["report"], ["purge", "--before", "30d"]])
def test_report_and_purge_refuse_a_bad_database_url_in_one_line(command: list[str]):
    done = mlrole(*command, env={"DATABASE_URL": "mysql://u:p@h/db"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"mlrole {command[0]}: DATABASE_URL: mysql:// databases are not supported; use "
                                   "postgresql://user:pass@host:5432/db[?sslmode=require] or sqlite:///path/to/file.db")


def test_purge_cli(tmp_path: Path):
    import asyncio

    from bot.storage.sql import SqlStore

    url = f"sqlite:///{tmp_path / 'bot.db'}"

    async def fill() -> None:
        store = await SqlStore(url).start(strict=True)
        await store.record_feedback(answer_id="role:x", helpful=True, user_id="UALICE")
        await store.record_feedback(answer_id="role:x", helpful=True, user_id="UBOB")
        await store.mark_welcomed("UALICE", "C1")
        await store.close()

    asyncio.run(fill())
    done = mlrole("purge", "--user", "UALICE", env={"DATABASE_URL": url})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"mlrole purge: deleted 2 row(s) — everything about UALICE — from SQLite file {tmp_path / 'bot.db'}",
        "  feedback_votes: 1", "  welcomed: 1"]
    done = mlrole("purge", env={"DATABASE_URL": url})
    assert done.returncode == 2 and "--user U… (a person's data) and/or --before DATE" in done.stderr
    done = mlrole("purge", "--before", "yesterday", env={"DATABASE_URL": url})
    assert done.returncode == 2 and "'yesterday' is not a date" in done.stderr
