"""Start-up logs no warning: bolt's "As you gave `client` as well, `token` will be unused" included."""

from __future__ import annotations

import asyncio
import logging
import signal
import subprocess
import sys

import aiohttp

from bot.settings import Settings
from bot.slack.app import build_app
from bot.storage import MemoryStore
from tests.slack.harness import FIXTURE_KB, SECRET, free_port, serve_env, wait_healthy


def test_building_the_app_with_the_token_in_the_environment_logs_no_warning(monkeypatch, caplog, stub,
                                                                            knowledge):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")  # bolt reads it too, as in production
    caplog.set_level(logging.DEBUG)
    settings = Settings(knowledge=FIXTURE_KB, bot_token="xoxb-test-token", signing_secret=SECRET,
                        api_url=stub.api_url)
    app = build_app(settings, knowledge, MemoryStore())
    assert app.client.token == "xoxb-test-token"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_other_bolt_warnings_still_get_through(caplog, knowledge, stub):
    caplog.set_level(logging.WARNING)
    settings = Settings(knowledge=FIXTURE_KB, bot_token="xoxb-test-token", signing_secret=SECRET,
                        api_url=stub.api_url)
    app = build_app(settings, knowledge, MemoryStore())
    app.logger.warning("something else")
    assert "something else" in caplog.text


async def test_mlrole_serve_starts_without_a_warning(stub, tmp_path):
    port = free_port()
    env = serve_env(stub, tmp_path, port, LOG_LEVEL="DEBUG",
                    DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'mlrole.db'}")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, f"http://127.0.0.1:{port}", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.to_thread(proc.communicate, timeout=20)
    assert proc.returncode == 0, err
    assert "will be unused" not in err
    assert [line for line in err.splitlines() if "WARNING" in line] == []
