"""Slack's side failing: rate limits, 5xx, a dead response_url. Retried, logged, never fatal."""

from __future__ import annotations

import logging
import time

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)

from bot.slack.app import build_app
from bot.slack.respond import response_url_origins
from bot.slack.server import BOLT_APP
from bot.storage import MemoryStore
from tests.slack import harness
from tests.slack.harness import free_port, wait_for_log


def dm(text: str, ts: str) -> dict:
    return {"type": "message", "channel": "DALICE", "channel_type": "im", "user": "UALICE", "text": text,
            "ts": ts, "team": harness.TEAM}


def test_web_client_and_replies_retry_rate_limits_5xx_and_connection_errors(knowledge, make_settings):
    app = build_app(make_settings(), knowledge, MemoryStore())
    wanted = {AsyncRateLimitErrorRetryHandler, AsyncServerErrorRetryHandler, AsyncConnectionErrorRetryHandler}
    assert wanted <= {type(h) for h in app.client.retry_handlers}
    assert wanted <= {type(h) for h in app._mlrole_sender.retry_handlers}  # response_url replies too


async def test_429_with_retry_after_then_200_delivers_the_dm_once(bot):
    bot.stub.retry_after = "1"
    bot.stub.fail_next["chat.postMessage"] = 429
    started = time.monotonic()
    resp = await bot.event(dm("devops", "5.1"), event_id="EvRetryAfter")
    assert resp.status == 200
    assert time.monotonic() - started < 0.9  # the ack does not wait for the retry
    first, second = await bot.stub.wait_for("chat.postMessage", count=2, timeout=5)
    assert time.monotonic() - started >= 0.9  # Retry-After was honoured
    assert first == second and "DevOps Engineer" in second["text"]
    await bot.stub.settle(0.3)
    assert len(bot.stub.sent("chat.postMessage")) == 2  # one refused, one delivered: the person sees it once


async def test_web_api_500_every_time_is_logged_acked_and_the_bot_keeps_serving(bot, caplog):
    caplog.set_level(logging.INFO)
    bot.stub.fail_always["chat.postMessage"] = 500
    resp = await bot.event(dm("devops", "6.1"), event_id="Ev500")
    assert resp.status == 200
    await bot.stub.wait_for("chat.postMessage", count=3, timeout=8)  # 1 try + 2 retries
    await wait_for_log(caplog, "could not answer a message (surface=dm)")
    await bot.stub.settle(0.2)
    assert len(bot.stub.sent("chat.postMessage")) == 3  # bounded: no retry storm
    # the next request is served as usual
    del bot.stub.fail_always["chat.postMessage"]
    resp = await bot.command("devops")
    assert resp.status == 200
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == "DevOps Engineer"


async def test_failing_response_url_is_retried_logged_and_not_fatal(bot, caplog):
    caplog.set_level(logging.INFO)
    bot.stub.fail_always["response_url"] = 500
    resp = await bot.command("devops")
    assert resp.status == 200
    await bot.stub.wait_for("response_url", count=3, timeout=8)  # 1 try + 2 retries
    await wait_for_log(caplog, "response_url reply failed")
    assert "response_url reply failed: host=127.0.0.1:" in caplog.text and "status=500" in caplog.text
    bot_logs = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp"))
    assert "/response/cmd" not in bot_logs  # the reply URL is a credential: host only
    del bot.stub.fail_always["response_url"]
    n = len(bot.stub.sent("response_url"))
    await bot.command("devops")
    replies = await bot.stub.wait_for("response_url", count=n + 1)
    assert replies[-1]["blocks"][0]["text"]["text"] == "DevOps Engineer"


async def test_unreachable_response_url_is_logged_and_not_fatal(bot, caplog):
    caplog.set_level(logging.INFO)
    dead = f"http://127.0.0.1:{free_port()}/response/dead"
    bot.stub.response_url = lambda token="r1": dead  # nothing listens there
    sender = bot.server.app[BOLT_APP]._mlrole_sender  # a Slack host that is down, not a foreign one
    sender.allowed = sender.allowed | response_url_origins(dead)
    resp = await bot.command("devops")
    assert resp.status == 200
    await wait_for_log(caplog, "response_url reply failed")
    assert "response_url reply failed: host=127.0.0.1:" in caplog.text
    bot_logs = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp"))
    assert "/response/dead" not in bot_logs and "Traceback" not in caplog.text
    async with bot.session.get(bot.server.make_url("/healthz")) as r:
        assert r.status == 200
