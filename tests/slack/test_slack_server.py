"""`mlrole serve`: settings checks, a broken knowledge base, and a real start/stop over HTTP."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.settings import Settings
from bot.slack.app import SlackSettingsError, build_app
from bot.slack.server import _refused_token, run, serve
from bot.storage import MemoryStore
from tests.slack.harness import (
    FIXTURE_KB,
    SECRET,
    free_port,
    serve_env,
    sign,
    wait_healthy,
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
                 "SLACK_CLIENT_SECRET", "MLROLE_KNOWLEDGE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_missing_bot_token_is_one_line_and_exit_2(clean_env, capsys):
    clean_env.setenv("SLACK_SIGNING_SECRET", "s")
    assert serve(str(FIXTURE_KB)) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlrole: SLACK_BOT_TOKEN is not set") and err.count("\n") == 1


def test_missing_signing_secret_is_exit_2(clean_env, capsys):
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert serve(str(FIXTURE_KB)) == 2
    assert "SLACK_SIGNING_SECRET is not set" in capsys.readouterr().err


def test_broken_knowledge_base_is_exit_1_with_file_and_line(clean_env, capsys, tmp_path):
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    clean_env.setenv("SLACK_SIGNING_SECRET", "s")
    kb = tmp_path / "kb"
    (kb / "roles").mkdir(parents=True)
    (kb / "sources.yaml").write_text("- id: s\n  title: S\n  file: s.txt\n")
    (kb / "roles" / "x.yaml").write_text("id: x\ntitle: X\nbogus: 1\n")
    assert serve(str(kb)) == 1
    assert "x.yaml:" in capsys.readouterr().err


def test_build_app_fails_fast_without_tokens(knowledge):
    with pytest.raises(SlackSettingsError, match="SLACK_BOT_TOKEN"):
        build_app(Settings(signing_secret="s"), knowledge, MemoryStore())
    with pytest.raises(SlackSettingsError, match="SLACK_SIGNING_SECRET"):
        build_app(Settings(bot_token="xoxb-1"), knowledge, MemoryStore())


async def test_run_serves_http_and_stops_cleanly(stub, knowledge, make_settings):
    settings = make_settings(port=free_port())
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run(settings, knowledge, stop=stop, ready=ready))
    await asyncio.wait_for(ready.wait(), 5)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{settings.port}/healthz") as resp:
            assert resp.status == 200 and (await resp.json())["ok"] is True
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0


async def test_mlrole_serve_process_answers_and_stops_on_sigterm(stub, tmp_path):
    port = free_port()
    env = serve_env(stub, tmp_path, port, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'mlrole.db'}")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        async with aiohttp.ClientSession() as session:
            await wait_healthy(session, f"http://127.0.0.1:{port}", proc)
            form = urlencode({"command": "/mlrole", "text": "who owns model deployment?", "user_id": "UALICE",
                              "team_id": "T0001", "channel_id": "C1", "response_url": stub.response_url("p")})
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(form)}
            async with session.post(f"http://127.0.0.1:{port}/slack/events", data=form, headers=headers) as resp:
                assert resp.status == 200
        [reply] = await stub.wait_for("response_url", timeout=10)
        assert "owned by the ML Engineer" in reply["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.to_thread(proc.communicate, timeout=20)
    assert proc.returncode == 0, err
    assert "surface=command matched=responsibility:model-deployment" in err
    assert "xoxb-test" not in err and SECRET not in err


async def test_a_token_slack_refuses_stops_start_up_with_one_line(stub, make_settings):
    assert await _refused_token(make_settings()) is None
    refused = await _refused_token(make_settings(bot_token="xoxb-typo-revoked"))
    assert refused == ("Slack refused SLACK_BOT_TOKEN (invalid_auth): check the token in your app's "
                       "settings")
    assert "SLACK_APP_TOKEN" in await _refused_token(make_settings(app_token="xapp-old-revoked"))
    unreachable = make_settings(api_url=f"http://127.0.0.1:{free_port()}/api/")
    assert await _refused_token(unreachable) is None  # no verdict: start, and let retries handle it
