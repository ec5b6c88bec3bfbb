"""Socket Mode that says one line per reconnect attempt, with backoff, instead of a traceback each time.

The SDK retries `apps.connections.open` every few seconds and logs each failure with a full
traceback. Here a failed attempt is logged once, as a line naming the error and the next delay,
and the delay doubles up to `max_backoff`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient

log = logging.getLogger("mlrole.socket_mode")


class OneLine(logging.Filter):
    """The SDK's own messages, first line only and without exc_info (no tracebacks in the logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Failed to retrieve WSS URL"):
            return False  # BackoffSocketModeClient says it once, with the attempt and the delay
        if record.exc_info:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage().splitlines()[0]} ({type(error).__name__})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def sdk_logger() -> logging.Logger:
    logger = logging.getLogger("mlrole.socket_mode.sdk")
    if not any(isinstance(f, OneLine) for f in logger.filters):
        logger.addFilter(OneLine())
    return logger


class BackoffSocketModeClient(SocketModeClient):
    first_backoff = 1.0
    max_backoff = 60.0

    async def issue_new_wss_url(self) -> str:
        delay = self.first_backoff
        attempt = 0
        while True:
            attempt += 1
            try:
                url = await super().issue_new_wss_url()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is retried; the line says which
                if self.closed:
                    raise
                if isinstance(exc, SlackApiError) and exc.response is not None:
                    reason = str(exc.response.get("error"))
                else:
                    reason = type(exc).__name__
                log.warning("Socket Mode: cannot open a connection to Slack (%s); attempt %d, retrying in %g s",
                            reason, attempt, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
                continue
            if attempt > 1:
                log.warning("Socket Mode: connection to Slack opened after %d attempts", attempt)
            return url


class SocketModeHandler(AsyncSocketModeHandler):
    """bolt's handler on `BackoffSocketModeClient`."""

    def __init__(self, app: Any, app_token: str, web_client: Any, ping_interval: float = 10) -> None:
        self.app = app
        self.app_token = app_token
        self.client = BackoffSocketModeClient(app_token=app_token, logger=sdk_logger(), web_client=web_client,
                                              ping_interval=ping_interval)
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]
