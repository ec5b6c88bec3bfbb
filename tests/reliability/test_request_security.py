"""Who may talk to the bot: signed, fresh, small requests from the installed workspace; no secrets logged."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import pytest

from bot.slack.app import SlackSettingsError, build_app
from bot.storage import MemoryStore
from tests.slack import harness

TOKEN = "xoxb-test-token"  # make_settings' bot token


@pytest.mark.parametrize("age", [360, -360])  # six minutes old, or six minutes in the future
async def test_timestamp_outside_five_minutes_is_refused(bot, age):
    resp = await bot.command("devops", timestamp=int(time.time()) - age)
    assert resp.status == 401


async def test_missing_or_malformed_signature_headers_are_refused(bot):
    body = "command=%2Fmlrole&text=devops&team_id=T0001"
    cases = [{}, {"X-Slack-Request-Timestamp": str(int(time.time()))},
             {"X-Slack-Signature": harness.sign(body)["X-Slack-Signature"]},
             {**harness.sign(body), "X-Slack-Request-Timestamp": "not-a-number"},
             {**harness.sign(body), "X-Slack-Signature": "v0="},
             {**harness.sign(body), "X-Slack-Signature": "v1=" + "0" * 64}]
    for headers in cases:
        async with bot.session.post(bot.url, data=body.encode(),
                                    headers={"Content-Type": "application/x-www-form-urlencoded", **headers}) as r:
            assert r.status == 401, headers
    signed_for_other_body = harness.sign("command=%2Fmlrole&text=other")
    async with bot.session.post(bot.url, data=body.encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", **signed_for_other_body}) as r:
        assert r.status == 401
    await bot.stub.settle(0.1)
    assert bot.stub.sent("response_url") == []


def test_signature_verification_cannot_be_switched_off(knowledge, make_settings):
    with pytest.raises(SlackSettingsError, match="cannot be turned off"):
        build_app(make_settings(), knowledge, MemoryStore(), request_verification_enabled=False)


async def test_body_over_the_limit_is_refused_before_signature_work(bot):
    body = b"x" * (1024 * 1024 + 1)
    async with bot.session.post(bot.url, data=body, headers={"Content-Type": "application/json"}) as r:
        assert r.status == 413  # refused on size, unsigned or not
    resp = await bot.command("a" * (1024 * 1024 + 1))
    assert resp.status == 413


async def test_no_secret_is_logged_even_at_debug(bot, caplog):
    for name in ("", "slack_sdk", "slack_bolt", "mlrole", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    await bot.command("devops")
    await bot.event({"type": "message", "channel": "DALICE", "channel_type": "im", "user": "UALICE",
                     "text": "who owns model deployment?", "ts": "3.1", "team": harness.TEAM}, event_id="EvLog")
    await bot.action("mlrole_feedback_no", "role:devops-engineer\ndevops")
    await bot.command("devops", secret="forged")  # a failed verification is logged too
    await bot.stub.wait_for("response_url", count=2)
    await bot.stub.wait_for("chat.postMessage")
    await bot.stub.settle(0.2)
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert any(r.name.startswith("slack_sdk") and r.levelno == logging.DEBUG for r in caplog.records)
    assert TOKEN not in text and harness.SECRET not in text


async def test_requests_for_another_workspace_are_dropped(bot, caplog):
    caplog.set_level(logging.INFO)
    form = {"token": "x", "team_id": "TEVIL", "channel_id": "C1", "user_id": "UMALLORY", "command": "/mlrole",
            "text": "devops", "api_app_id": "A1", "response_url": bot.stub.response_url("evil")}
    resp = await bot.post(urlencode(form), "application/x-www-form-urlencoded")
    assert resp.status == 200  # acked (a signed request), but not answered
    body = {"token": "x", "team_id": "TEVIL", "api_app_id": "A1", "type": "event_callback", "event_id": "EvEvil",
            "event_time": int(time.time()),
            "event": {"type": "message", "channel": "DM", "channel_type": "im", "user": "UMALLORY",
                      "text": "devops", "ts": "4.1", "team": "TEVIL"},
            "authorizations": [{"team_id": "TEVIL", "user_id": harness.BOT_USER, "is_bot": True}]}
    resp = await bot.post(json.dumps(body), "application/json")
    assert resp.status == 200
    await bot.stub.settle(0.3)
    assert bot.stub.sent("response_url", "chat.postMessage") == []
    assert bot.store.questions == []
    assert caplog.text.count("is not the installed workspace T0001") == 2
    # the installed workspace is still answered
    await bot.command("devops")
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == "DevOps Engineer"
