"""`mlrole doctor`: everything `serve` needs, checked without serving — one line per check, with the fix.

Operators run it before a deploy: environment, knowledge base, org file, database (reachable, schema
current; nothing is created), Slack tokens (`auth.test`), the scopes the token was granted against the
ones the app needs (Slack returns them in the `x-oauth-scopes` header of every Web API response), and
that each onboarding channel exists with the bot in it. Exit 1 when any check fails.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from bot.settings import Settings
from bot.slack.scopes import BOT_SCOPES
from bot.slack_ids import CHANNEL_ID

MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}


@dataclass(frozen=True)
class Check:
    status: str  # ok, warn or fail
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        return f"{MARKS[self.status]} {self.name}: {self.detail}" + (f" — fix: {self.fix}" if self.fix else "")


def needed_scopes() -> tuple[str, ...]:
    """The scopes the code needs: the one declared list, which manifest.yml must match (a test checks)."""
    return BOT_SCOPES


def check_environment() -> list[Check]:
    from bot.preflight import environment_problems

    problems = environment_problems()
    if not problems:
        return [Check("ok", "environment", "PORT, LOG_LEVEL, DATABASE_URL, retention and OAuth settings are valid")]
    return [Check("fail", "environment", problem) for problem in problems]


def check_knowledge_and_org(settings: Settings) -> list[Check]:
    from bot.knowledge import check_knowledge
    from bot.org import check_org

    kb, problems = check_knowledge(settings.knowledge)
    if kb is None:
        first = "; ".join(str(p) for p in problems[:2])
        more = f" (+{len(problems) - 2} more)" if len(problems) > 2 else ""
        checks = [Check("fail", "knowledge base", f"{len(problems)} problem(s) in {settings.knowledge}: {first}{more}",
                        f"run `mlrole kb validate {settings.knowledge}` and correct each file:line")]
    else:
        checks = [Check("ok", "knowledge base", f"{settings.knowledge}: {len(kb)} entries, version {kb.version}")]
    if not settings.org_file:
        checks.append(Check("ok", "org file", "MLROLE_ORG not set (answers name roles, not your people)"))
    elif kb is not None:
        org, problems = check_org(settings.org_file, kb.roles)
        if org is None:
            checks.append(Check("fail", "org file", f"{len(problems)} problem(s): {problems[0]}",
                                f"correct {settings.org_file} (`mlrole kb validate` lists every problem)"))
        else:
            checks.append(Check("ok", "org file", f"{settings.org_file}: {len(org.roles)} roles mapped"))
    return checks


async def check_database(settings: Settings) -> Check:
    from bot.storage.sql import SCHEMA_VERSION, SqlStore
    from bot.storage.urls import DatabaseUrlError

    url = (settings.database_url or "").strip()
    if url.lower() in ("memory://", "memory:", "memory"):
        return Check("warn", "database", "memory:// — nothing persists and replicas do not share state",
                     "set DATABASE_URL to PostgreSQL (or a SQLite file for one process)")
    try:
        store = SqlStore(url or None, read_only=True, connect_timeout=5)
    except DatabaseUrlError as exc:
        return Check("fail", "database", str(exc), "correct DATABASE_URL")
    try:
        path = store.database.sqlite_path
        if path is not None and not path.is_file():
            folder = next((p for p in path.parents if p.exists()), None)
            if folder is not None and not folder.is_dir():
                return Check("fail", "database", f"SQLite file {path}: {folder} is not a folder",
                             "point DATABASE_URL somewhere writable")
            return Check("ok", "database", f"SQLite file {path} does not exist yet; serve creates it")
        try:
            version = await asyncio.wait_for(store.schema_version(), 10)
        except Exception as exc:  # noqa: BLE001 - any failure to connect is the finding
            from bot.storage.sql import _describe

            return Check("fail", "database", f"cannot reach {store.where}: {_describe(exc)}",
                         "check the host, credentials and sslmode in DATABASE_URL, and that the server is up")
        if version is None:
            return Check("ok", "database", f"{store.where} reachable, no mlrole tables yet; serve creates them")
        if version < SCHEMA_VERSION:
            return Check("warn", "database", f"{store.where} has schema version {version}, current is "
                         f"{SCHEMA_VERSION}", "none needed: serve upgrades it at start")
        return Check("ok", "database", f"{store.where} reachable, schema version {version} (current)")
    finally:
        await store.close()


def _error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            return str(response.get("error"))
        except Exception:  # noqa: BLE001
            pass
    return type(exc).__name__


async def check_slack(settings: Settings) -> list[Check]:
    from slack_sdk.web.async_client import AsyncWebClient

    checks: list[Check] = []
    client = AsyncWebClient(base_url=settings.api_url, timeout=10)
    socket_mode = bool(settings.app_token)
    if not settings.signing_secret and not socket_mode:
        checks.append(Check("fail", "signing secret", "SLACK_SIGNING_SECRET is not set",
                            "copy it from Basic Information → App Credentials"))
    elif settings.signing_secret:
        checks.append(Check("ok", "signing secret", "set"))
    if socket_mode:
        try:
            await client.apps_connections_open(app_token=settings.app_token)
            checks.append(Check("ok", "app token", "SLACK_APP_TOKEN accepted: Socket Mode can connect"))
        except Exception as exc:  # noqa: BLE001
            checks.append(Check("fail", "app token", f"Slack refused SLACK_APP_TOKEN ({_error(exc)})",
                                "create an app-level token with connections:write (Basic Information) "
                                "and turn on Socket Mode"))
    if not settings.bot_token:
        if settings.oauth_configured:
            checks.append(Check("ok", "bot token", "multi-workspace OAuth: each installation brings its token"))
        else:
            checks.append(Check("fail", "bot token", "SLACK_BOT_TOKEN is not set",
                                "copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"))
        return checks
    client.token = settings.bot_token
    try:
        auth = await client.auth_test()
    except Exception as exc:  # noqa: BLE001
        checks.append(Check("fail", "bot token", f"Slack refused SLACK_BOT_TOKEN ({_error(exc)})",
                            "copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions"))
        return checks
    checks.append(Check("ok", "bot token", f"auth.test OK: @{auth.get('user')} in {auth.get('team')} "
                                           f"({auth.get('team_id')})"))
    header = next((v for k, v in (auth.headers or {}).items() if k.lower() == "x-oauth-scopes"), None)
    needed = needed_scopes()
    if header is None:
        checks.append(Check("warn", "scopes", "Slack did not say which scopes the token has",
                            f"check OAuth & Permissions lists: {', '.join(needed)}"))
    else:
        granted = {s.strip() for s in str(header).split(",") if s.strip()}
        missing = [s for s in needed if s not in granted]
        if missing:
            checks.append(Check("fail", "scopes", f"missing {', '.join(missing)} ({len(granted)} granted)",
                                "add them under OAuth & Permissions → Bot Token Scopes (or paste manifest.yml) "
                                "and reinstall the app"))
        else:
            checks.append(Check("ok", "scopes", f"all {len(needed)} needed scopes granted"))
    checks += await check_onboarding_channels(client, settings.onboarding_channels)
    return checks


async def _find_by_name(client: Any, name: str) -> dict | None:
    cursor = None
    for _ in range(50):  # 50 pages of 200: enough for any workspace that would use this bot
        page = await client.conversations_list(types="public_channel,private_channel", limit=200,
                                               exclude_archived=True, cursor=cursor)
        for channel in page.get("channels") or []:
            if str(channel.get("name", "")).lower() == name:
                return channel
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


async def check_onboarding_channels(client: Any, configured: tuple[str, ...]) -> list[Check]:
    if not configured:
        return [Check("ok", "onboarding channels", "none configured (MLROLE_ONBOARDING_CHANNELS)")]
    checks = []
    for item in configured:
        label = f"onboarding channel {item}"
        try:
            if CHANNEL_ID.match(item):
                channel = (await client.conversations_info(channel=item)).get("channel") or {}
            else:
                channel = await _find_by_name(client, item.lstrip("#").lower()) or {}
        except Exception as exc:  # noqa: BLE001
            error = _error(exc)
            fix = ("check the ID in MLROLE_ONBOARDING_CHANNELS" if error == "channel_not_found"
                   else "add the channels:read and groups:read scopes and reinstall")
            checks.append(Check("fail", label, f"cannot look it up ({error})", fix))
            continue
        if not channel:
            checks.append(Check("fail", label, "no such channel the bot can see",
                                "check the name in MLROLE_ONBOARDING_CHANNELS, or invite the bot to the "
                                "private channel"))
        elif not channel.get("is_member"):
            checks.append(Check("fail", label, f"#{channel.get('name')} exists but the bot is not a member",
                                f"type /invite @mlrole in #{channel.get('name')}"))
        else:
            checks.append(Check("ok", label, f"#{channel.get('name')} ({channel.get('id')}), bot is a member"))
    return checks


async def run_checks(settings: Settings, say: Callable[[Check], None]) -> list[Check]:
    done: list[Check] = []

    def emit(checks: list[Check]) -> None:
        for check in checks:
            done.append(check)
            say(check)

    emit(check_environment())
    emit(check_knowledge_and_org(settings))
    steps: list[Callable[[], Awaitable[Any]]] = [lambda: check_database(settings), lambda: check_slack(settings)]
    for step in steps:
        result = await step()
        emit(result if isinstance(result, list) else [result])
    return done


def run_doctor(knowledge: str | None = None) -> int:
    settings = Settings.from_env(knowledge=knowledge)
    logging.getLogger("bot.storage").setLevel(logging.CRITICAL)
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)

    def say(check: Check) -> None:
        print(check.line(), flush=True)

    checks = asyncio.run(run_checks(settings, say))
    failed = [c for c in checks if c.status == "fail"]
    warned = [c for c in checks if c.status == "warn"]
    print(f"{len(checks) - len(failed) - len(warned)} ok, {len(warned)} warning(s), {len(failed)} failed",
          file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0
