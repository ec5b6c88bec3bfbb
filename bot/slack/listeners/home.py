"""App Home: the directory of roles and who owns what, published when someone opens the tab."""

from __future__ import annotations

import logging
import time

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks, surface_blocks
from bot.slack.ask import log_request
from bot.slack.deps import deps_of

log = logging.getLogger("mlrole.slack")


async def handle_home_opened(event: dict, client: AsyncWebClient, context: AsyncBoltContext) -> None:
    started = time.perf_counter()
    if event.get("tab", "home") != "home" or not event.get("user"):
        return
    deps = deps_of(context)
    try:
        await deps.fresh_people()
        await client.views_publish(user_id=event["user"], view=blocks.home_view(deps.knowledge.answerer,
                                                                           extra=surface_blocks.home_surface_blocks()))
        log_request("home", None, started, user=event["user"])
    except Exception:
        log.exception("could not publish the App Home")


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(handle_home_opened)
