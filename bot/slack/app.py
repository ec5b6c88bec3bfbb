"""build_app: the bolt AsyncApp with mlrole's listeners, failing fast on missing settings."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.ratelog import summary
from bot.settings import Settings
from bot.slack.ask import claim
from bot.slack.deps import Deps
from bot.slack.listeners import register_all
from bot.slack.replay import EVENT_WINDOW_SECONDS, REPLAY_WINDOW_SECONDS, once_key
from bot.slack.respond import ResponseSender, SafeRespond, response_url_origins

log = logging.getLogger("mlrole.slack")


class SlackSettingsError(ValueError):
    """A setting the Slack app cannot run without is missing; the message names the variable."""


class _DropTokenUnusedWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


@contextmanager
def _without_token_warning() -> Iterator[None]:
    bolt_log, drop = get_bolt_logger(AsyncApp), _DropTokenUnusedWarning()
    bolt_log.addFilter(drop)
    try:
        yield
    finally:
        bolt_log.removeFilter(drop)


def retry_handlers() -> list[Any]:
    return [AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2)]


def build_client(settings: Settings, token: str | None) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=settings.api_url, retry_handlers=retry_handlers())


def check_settings(settings: Settings, oauth: bool = False) -> None:
    """Raise naming the first missing setting; `serve` prints the message as its one-line error."""
    if not oauth and not settings.bot_token:
        raise SlackSettingsError("SLACK_BOT_TOKEN is not set: export the bot token (xoxb-…) from "
                                 "OAuth & Permissions")
    if not settings.signing_secret and not settings.app_token:
        raise SlackSettingsError("SLACK_SIGNING_SECRET is not set: export it from Basic Information → "
                                 "App Credentials")


def build_app(settings: Settings, knowledge: Any, store: Any, client: AsyncWebClient | None = None,
              **kwargs: Any) -> AsyncApp:
    """The Slack app. Extra keyword arguments go to AsyncApp (e.g. `oauth_settings`,
    `token_verification_enabled=False`)."""
    oauth_settings = kwargs.pop("oauth_settings", None)
    if kwargs.pop("request_verification_enabled", True) is not True:
        raise SlackSettingsError("request signature verification cannot be turned off")
    check_settings(settings, oauth=oauth_settings is not None)
    token = None if oauth_settings is not None else settings.bot_token
    if client is None:
        client = build_client(settings, token)
    elif token and not client.token:
        client.token = token
    options: dict[str, Any] = dict(
        name="mlrole",
        signing_secret=settings.signing_secret or "socket-mode-only",
        client=client,
        process_before_response=False,
        ignoring_self_events_enabled=True,
        request_verification_enabled=True,
    )
    if oauth_settings is not None:
        options["oauth_settings"] = oauth_settings
    # the token travels in `client`; bolt also reads SLACK_BOT_TOKEN itself and then warns that it
    # is unused, which is exactly what we want: that one message is dropped, nothing else
    options.update(kwargs)
    with _without_token_warning():
        app = AsyncApp(**options)
    deps = Deps(settings=settings, knowledge=knowledge, store=store)
    if oauth_settings is None and getattr(knowledge, "people", None) is not None:
        from bot.slack.people import SlackPeople

        deps.people = SlackPeople(client, knowledge.people, lambda: knowledge.answerer.org)
    sender = ResponseSender(retry_handlers=retry_handlers(), allowed=response_url_origins(settings.api_url))
    app._mlrole_sender = sender  # type: ignore[attr-defined]  # closed by the server on shutdown
    single_workspace = oauth_settings is None

    @app.use
    async def provide_deps(context, next):  # noqa: A002 - bolt injects by name
        context["mlrole"] = deps
        if context.response_url:  # replies to response_url: shared session, retried, failures logged
            context["respond"] = SafeRespond(context.response_url, sender)
        await next()

    @app.use
    async def only_installed_workspace(context, next):  # noqa: A002
        """With one bot token, a (validly signed) request for another workspace is dropped."""
        installed = context.authorize_result
        if single_workspace and installed is not None and installed.team_id \
                and context.team_id != installed.team_id \
                and not (context.enterprise_id and context.enterprise_id == installed.enterprise_id):
            log.warning("request dropped: team=%s is not the installed workspace %s",
                        summary(context.team_id or "(none)", 40), installed.team_id)
            return BoltResponse(status=200, body="")
        await next()

    @app.use
    async def skip_duplicate_events(body, req, next):  # noqa: A002
        """A retried delivery (X-Slack-Retry-Num) of an event already handled gets no second reply;
        a replayed slash command or button press (same signed bytes, sent again) none either."""
        key = once_key(body)
        if key and not await claim(deps, key, ttl_seconds=EVENT_WINDOW_SECONDS if key.startswith("event:")
                                   else REPLAY_WINDOW_SECONDS):
            retry = (req.headers.get("x-slack-retry-num") or ["0"])[0]
            log.info("request surface=%s duplicate=%s retry=%s", key.partition(":")[0],
                     summary(key.partition(":")[2], 80), summary(retry, 8))
            return BoltResponse(status=200, body="")
        await next()

    register_all(app)
    return app
