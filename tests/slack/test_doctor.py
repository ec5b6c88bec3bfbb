"""`mlrole doctor` against the local Web API stub: one line per check with the fix, exit 1 on failure."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from bot.doctor import needed_scopes
from bot.slack.scopes import BOT_SCOPES
from tests.slack.harness import FIXTURE_KB, SECRET

ROOT = Path(__file__).resolve().parents[2]
ALL_SCOPES = ",".join(needed_scopes())


async def doctor(stub, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("SLACK_", "MLROLE_")) and k not in ("DATABASE_URL", "PORT", "LOG_LEVEL")}
    full = {**clean, "PYTHONPATH": str(ROOT), "SLACK_API_URL": stub.api_url, "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET, "MLROLE_KNOWLEDGE": str(FIXTURE_KB),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", **env}
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "doctor"], env=full,
                                   cwd=ROOT, capture_output=True, text=True, timeout=60)


async def test_all_good(stub, tmp_path: Path):
    stub.oauth_scopes = ALL_SCOPES
    done = await doctor(stub, tmp_path, MLROLE_ONBOARDING_CHANNELS="CONBOARD,#welcome")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert all(line.startswith("✓ ") for line in lines[:-1]), done.stdout
    assert f"✓ database: SQLite file {tmp_path / 'bot.db'} does not exist yet; serve creates it" in lines
    assert "✓ bot token: auth.test OK: @mlrole in Test (T0001)" in lines or any(
        line.startswith("✓ bot token: auth.test OK: @mlrole in Test") for line in lines)
    assert f"✓ scopes: all {len(needed_scopes())} needed scopes granted" in lines
    assert "✓ onboarding channel CONBOARD: #onboarding (CONBOARD), bot is a member" in lines
    assert "✓ onboarding channel #welcome: #welcome (CWELCOME), bot is a member" in lines
    assert not (tmp_path / "bot.db").exists()  # doctor creates nothing


async def test_missing_scopes_and_channels_are_named_with_the_fix(stub, tmp_path: Path):
    stub.oauth_scopes = "commands,chat:write,im:history"
    stub.not_member = {"CWELCOME"}
    done = await doctor(stub, tmp_path, MLROLE_ONBOARDING_CHANNELS="#welcome,#nowhere,CMISSING1")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    scopes = next(line for line in lines if line.startswith("✗ scopes:"))
    missing = ", ".join(s for s in BOT_SCOPES if s not in ("commands", "chat:write", "im:history"))
    assert scopes.startswith(f"✗ scopes: missing {missing} (3 granted) — fix: add them under OAuth & Permissions")
    assert "✗ onboarding channel #welcome: #welcome exists but the bot is not a member — fix: type /invite " \
           "@mlrole in #welcome" in lines
    assert any(line.startswith("✗ onboarding channel #nowhere: no such channel") for line in lines)
    assert any(line.startswith("✗ onboarding channel CMISSING1: cannot look it up (channel_not_found)")
               for line in lines)
    assert "Traceback" not in done.stderr and done.stderr.strip().endswith("failed")


async def test_refused_token_unreachable_database_bad_knowledge(stub, tmp_path: Path):
    kb = tmp_path / "kb"
    (kb / "roles").mkdir(parents=True)
    (kb / "roles" / "empty.yaml").write_text("# nothing yet\n")
    done = await doctor(stub, tmp_path, SLACK_BOT_TOKEN="xoxb-revoked", MLROLE_KNOWLEDGE=str(kb),
                        DATABASE_URL="postgresql://postgres:hunter2@127.0.0.1:1/mlrole?sslmode=disable",
                        LOG_LEVEL="chatty")
    assert done.returncode == 1
    out = done.stdout
    assert "✗ bot token: Slack refused SLACK_BOT_TOKEN (invalid_auth) — fix: copy the Bot User OAuth Token" in out
    assert "✗ database: cannot reach postgresql+asyncpg://postgres:***@127.0.0.1:1/mlrole" in out
    assert "✗ environment: LOG_LEVEL='chatty' is not a log level" in out
    assert "✗ knowledge base:" in out and "hunter2" not in out + done.stderr
    assert "Traceback" not in done.stderr


async def test_schema_state(stub, tmp_path: Path):
    from bot.storage.sql import SqlStore

    stub.oauth_scopes = ALL_SCOPES
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    store = await SqlStore(url).start(strict=True)
    await store.close()
    done = await doctor(stub, tmp_path, DATABASE_URL=url)
    assert f"✓ database: SQLite file {tmp_path / 'bot.db'} reachable, schema version 2 (current)" in done.stdout


def test_doctor_checks_the_one_declared_scope_list():
    """The manifest asks for exactly BOT_SCOPES (tests/slack/test_manifest.py), so doctor checks those."""
    assert needed_scopes() == BOT_SCOPES and {"commands", "chat:write", "im:history"} <= set(BOT_SCOPES)
