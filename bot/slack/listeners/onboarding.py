"""A welcome for people who join an onboarding channel: once per person and channel, never bots."""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.ask import log_request
from bot.slack.deps import Deps, deps_of
from bot.slack_ids import CONVERSATION_ID

log = logging.getLogger("mlrole.slack")


def _split_configured(configured: tuple[str, ...]) -> tuple[set[str], set[str]]:
    ids, names = set(), set()
    for item in configured:
        item = item.strip()
        if CONVERSATION_ID.match(item):
            ids.add(item)
        elif item:
            names.add(item.lstrip("#").lower())
    return ids, names


async def is_onboarding_channel(deps: Deps, client: AsyncWebClient, channel_id: str) -> bool:
    ids, names = _split_configured(deps.settings.onboarding_channels)
    if channel_id in ids:
        return True
    if not names:
        return False
    name = deps.cached_channel_name(channel_id)
    if name is None:
        try:
            info = await client.conversations_info(channel=channel_id)
            name = str((info.get("channel") or {}).get("name") or "")
        except SlackApiError as e:
            log.warning("conversations.info failed for %s: %s", channel_id, e.response.get("error"))
            return False
        deps.cache_channel_name(channel_id, name)
    return name.lower() in names


async def _is_bot(client: AsyncWebClient, user_id: str) -> bool:
    if user_id == "USLACKBOT":
        return True
    try:
        info = await client.users_info(user=user_id)
    except SlackApiError as e:
        log.warning("users.info failed for %s: %s", user_id, e.response.get("error"))
        return False
    user = info.get("user") or {}
    return bool(user.get("is_bot") or user.get("is_app_user"))


async def handle_member_joined(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    deps = deps_of(context)
    user, channel = event.get("user"), event.get("channel")
    if not user or not channel or user == context.bot_user_id:
        return
    try:
        if not await is_onboarding_channel(deps, client, channel) or await _is_bot(client, user):
            return
        try:
            first = await deps.store.mark_welcomed(user, channel)
        except Exception:
            log.exception("could not check whether %s was already welcomed; not welcoming", user)
            return
        if not first:
            return
        answerer = deps.knowledge.answerer
        await client.chat_postEphemeral(channel=channel, user=user,
                                        blocks=blocks.welcome_blocks(answerer, user, channel),
                                        text=blocks.T_WELCOME_FALLBACK)
        log_request("welcome", None, started, user=user, channel=channel)
    except Exception:
        log.exception("could not welcome a new member")


def register(app: AsyncApp) -> None:
    app.event("member_joined_channel")(handle_member_joined)
