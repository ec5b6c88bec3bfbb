"""The weekly digest (MLROLE_DIGEST=weekly): top unanswered, top 👎 and stale entries, to the triage channel.

Every replica checks once an hour; the first to claim the ISO week in the shared store posts it,
so a deployment sends one digest a week however many replicas run.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

from bot.freshness import collect_digest, week_key
from bot.settings import Settings
from bot.slack import curator_blocks as cb

log = logging.getLogger("mlrole.slack")

DIGEST_CHOICES = ("weekly", "off")
CHECK_EVERY = 3600.0
CLAIM_TTL = 8 * 24 * 3600  # longer than a week: the claim outlives its week, then is purged


def digest_problem(settings: Settings) -> str | None:
    """One line naming the variable and the fix, or None when the digest settings make sense."""
    if not settings.digest or settings.digest == "off":
        return None
    if settings.digest not in DIGEST_CHOICES:
        return f"MLROLE_DIGEST={settings.digest!r} is not understood: use weekly, or off (the default)"
    if not settings.triage_channel:
        return "MLROLE_DIGEST=weekly needs MLROLE_TRIAGE_CHANNEL: set the channel the digest goes to"
    return None


async def send_digest_if_due(client: Any, settings: Settings, knowledge: Any, store: Any,
                             now: datetime | None = None) -> bool:
    """Post this week's digest unless a replica already has; True if this call posted it."""
    now = now or datetime.now(timezone.utc)
    if not await store.claim_event(f"digest:{week_key(now)}", ttl_seconds=CLAIM_TTL):
        return False
    digest = await collect_digest(store, knowledge.answerer.kb, now=now)
    await client.chat_postMessage(channel=settings.triage_channel, blocks=cb.digest_blocks(digest),
                                  text=cb.digest_text(digest), unfurl_links=False)
    log.info("weekly digest %s posted to %s", digest.week, settings.triage_channel)
    return True


async def digest_loop(client: Any, settings: Settings, knowledge: Any, store: Any, stop: asyncio.Event,
                      every: float = CHECK_EVERY) -> None:
    while not stop.is_set():
        try:
            await send_digest_if_due(client, settings, knowledge, store)
        except Exception:  # storage or Slack down: try again at the next check
            log.exception("could not send the weekly digest; trying again in %d s", int(every))
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass


def start_digest(client: Any, settings: Settings, knowledge: Any, store: Any,
                 stop: asyncio.Event) -> asyncio.Task | None:
    """The digest task when MLROLE_DIGEST=weekly (single-workspace installs); None otherwise."""
    problem = digest_problem(settings)
    if problem:
        log.error("%s; no digest will be sent", problem)
        return None
    if settings.digest != "weekly":
        return None
    if settings.oauth_configured or not settings.bot_token:
        log.error("MLROLE_DIGEST=weekly needs SLACK_BOT_TOKEN (one workspace); no digest will be sent")
        return None
    return asyncio.create_task(digest_loop(client, settings, knowledge, store, stop), name="weekly-digest")
