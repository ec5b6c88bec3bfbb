"""Replies to a `response_url`: over one shared HTTP session, retried, and never raised into a listener.

bolt's own `respond` opens a new aiohttp session (and connection) per call, does not retry a 429
or a 5xx, and hands a failed delivery back as a response nobody looks at. `SafeRespond` keeps
bolt's call signature, retries with slack_sdk's handlers, and logs a failure (status or
exception) once, with the response_url's host only (its path is a credential for that reply).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.ratelog import RateLimitedLog, summary

log = logging.getLogger("mlrole.slack")
_webhook_log = logging.getLogger("mlrole.slack.response_url")
_webhook_log.setLevel(logging.WARNING)  # slack_sdk logs each retry with the full URL at INFO
refused = RateLimitedLog(log, interval=10.0)


SLACK_HOOKS = ("https://hooks.slack.com", "https://hooks.slack-gov.com")
"""Where Slack's response_urls point (commercial Slack and GovSlack)."""


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname.lower(), port


def response_url_origins(api_url: str | None = None) -> frozenset[tuple[str, str, int]]:
    """Slack's hooks hosts, plus the origin of SLACK_API_URL (a local stand-in for Slack in tests)."""
    origins = {_origin(url) for url in (*SLACK_HOOKS, api_url or "")}
    return frozenset(o for o in origins if o is not None)


class ResponseSender:
    """One aiohttp session per event loop for every response_url reply; closed with the app.

    Only Slack's own hooks host is ever posted to: a response_url is part of a signed payload,
    but with a leaked signing secret it would otherwise make the bot POST anywhere (SSRF)."""

    def __init__(self, retry_handlers: list[Any] | None = None, timeout: int = 10,
                 allowed: frozenset[tuple[str, str, int]] | None = None) -> None:
        self.retry_handlers = retry_handlers
        self.timeout = timeout
        self.allowed = response_url_origins() if allowed is None else allowed
        self._in_flight: set[asyncio.Task] = set()
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._loop = loop
        return self._session

    async def aclose(self, timeout: float = 10.0) -> None:
        """Let replies already on their way finish (a stop must not cut them off), then close."""
        pending = [t for t in self._in_flight if not t.done() and t is not asyncio.current_task()]
        if pending:
            await asyncio.wait(pending, timeout=timeout)
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def allows(self, url: str) -> bool:
        return _origin(url) in self.allowed

    async def send(self, url: str, message: dict[str, Any]) -> Any:
        if not self.allows(url):
            refused.warning("response_url", "response_url refused: host=%s is not Slack's (%s)",
                            summary(_host(url), 80), ", ".join(h.removeprefix("https://") for h in SLACK_HOOKS))
            return None
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            return await self._send(url, message)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _send(self, url: str, message: dict[str, Any]) -> Any:
        client = AsyncWebhookClient(url=url, timeout=self.timeout, session=self.session(),
                                    retry_handlers=self.retry_handlers, logger=_webhook_log)
        try:
            response = await client.send_dict(message)
        except Exception as e:  # connection refused, timeout, DNS: the reply is lost, the bot is not
            log.error("response_url reply failed: host=%s error=%s", _host(url), type(e).__name__)
            return None
        if response.status_code >= 300:
            log.error("response_url reply failed: host=%s status=%d", _host(url), response.status_code)
        return response


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or "-"
    except ValueError:
        return "-"


class SafeRespond(AsyncRespond):
    """bolt's `respond`, sent through a `ResponseSender`."""

    def __init__(self, response_url: str | None, sender: ResponseSender) -> None:
        super().__init__(response_url=response_url)
        self.sender = sender

    async def __call__(self, text: str | dict = "", **kwargs: Any) -> Any:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        message = _build_message(**text) if isinstance(text, dict) else _build_message(text=text, **kwargs)
        return await self.sender.send(self.response_url, message)
