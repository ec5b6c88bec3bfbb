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

log = logging.getLogger("mlrole.slack")
_webhook_log = logging.getLogger("mlrole.slack.response_url")
_webhook_log.setLevel(logging.WARNING)  # slack_sdk logs each retry with the full URL at INFO


class ResponseSender:
    """One aiohttp session per event loop for every response_url reply; closed with the app."""

    def __init__(self, retry_handlers: list[Any] | None = None, timeout: int = 10) -> None:
        self.retry_handlers = retry_handlers
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._loop = loop
        return self._session

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def send(self, url: str, message: dict[str, Any]) -> Any:
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
