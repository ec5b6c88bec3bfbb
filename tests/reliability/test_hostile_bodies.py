"""Hostile and oversized bodies, replays, floods, foreign response_urls: refused or answered calmly."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest

from bot.slack import blocks, respond, verify
from bot.slack.respond import ResponseSender, response_url_origins
from tests.slack import harness

JUNK: dict[str, tuple[bytes, str]] = {
    "bad json": (b'{"type": "event_callback", "event": ', "application/json"),
    "null": (b"null", "application/json"),
    "deep brackets": (b"[" * 200_000, "application/json"),
    "payload not json": (b"payload=not-json", "application/x-www-form-urlencoded"),
    "payload a list": (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    "not utf-8": (b"command=%2Fmlrole&text=\xff\xfe\xfa\x80", "application/x-www-form-urlencoded"),
    "bogus charset": (b"command=%2Fmlrole&text=devops", "application/x-www-form-urlencoded; charset=no-such-charset"),
}


@pytest.fixture(autouse=True)
def fresh_rate_limited_logs():
    """Each test sees its own first line (the limiters are per process)."""
    for limiter in (verify.refusals, respond.refused):
        limiter.reset()


def bot_log(caplog) -> str:
    """What the bot logged (the test server's access log is not the bot's: `serve` turns it off)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")


def sign_bytes(raw: bytes, timestamp: str | None = None, secret: str = harness.SECRET) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


async def post_raw(bot, raw: bytes, content_type: str, headers: dict[str, str]) -> int:
    async with bot.session.post(bot.url, data=raw, headers={"Content-Type": content_type, **headers}) as resp:
        await resp.read()
        return resp.status


def assert_calm(caplog, limit: int = 400) -> None:
    """No traceback, no error, and every line short and single."""
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR], caplog.text[-2000:]
    assert "Traceback" not in caplog.text
    for record in caplog.records:
        message = record.getMessage()
        assert "\n" not in message and len(message) < limit, message[:500]


@pytest.mark.parametrize("name", list(JUNK))
async def test_unsigned_junk_gets_401_and_one_short_line(bot, caplog, name):
    caplog.set_level(logging.INFO)
    raw, content_type = JUNK[name]
    forged = sign_bytes(raw, secret="not-the-secret")
    assert await post_raw(bot, raw, content_type, {}) == 401
    assert await post_raw(bot, raw, content_type, forged) == 401
    assert_calm(caplog)
    assert "request refused (401" in bot_log(caplog)


@pytest.mark.parametrize("name", [n for n in JUNK if n != "bogus charset"])
async def test_signed_junk_gets_400(bot, caplog, name):
    """With a leaked signing secret: still no 500, no traceback."""
    caplog.set_level(logging.INFO)
    raw, content_type = JUNK[name]
    assert await post_raw(bot, raw, content_type, sign_bytes(raw)) == 400
    assert_calm(caplog)


async def test_a_bogus_charset_on_a_signed_body_is_read_as_utf8(bot, caplog):
    raw, content_type = JUNK["bogus charset"]
    form = urlencode({"command": "/mlrole", "text": "devops", "team_id": harness.TEAM, "user_id": "UALICE",
                      "channel_id": "C1", "trigger_id": harness.trigger_id(),
                      "response_url": bot.stub.response_url("charset")}).encode()
    assert await post_raw(bot, form, content_type, sign_bytes(form)) == 200
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == "DevOps Engineer"
    assert_calm(caplog)


@pytest.mark.parametrize("timestamp", ["9" * 5000, "1" * 13, "１２３", "-1", " "],
                         ids=["5000 digits", "13 digits", "fullwidth", "negative", "blank"])
async def test_absurd_timestamps_get_401(bot, caplog, timestamp):
    body = b"command=%2Fmlrole&text=devops"
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + "0" * 64}
    assert await post_raw(bot, body, "application/x-www-form-urlencoded", headers) == 401
    assert_calm(caplog)


async def test_failed_signature_never_logs_the_body(bot, caplog):
    caplog.set_level(logging.DEBUG)
    forged_line = "\n2026-01-01 00:00:00 INFO mlrole.slack request surface=command FORGED-LINE"
    raw = ("command=%2Fmlrole&text=" + "x" * 500_000 + forged_line).encode()
    for _ in range(50):
        assert await post_raw(bot, raw, "application/x-www-form-urlencoded", sign_bytes(raw, secret="bad")) == 401
    raw_line = "junk\r\n\x1b[31mWARNING fake\x1b[0m".encode()
    assert await post_raw(bot, raw_line, "text/plain", {}) == 401
    text = bot_log(caplog)
    assert "FORGED-LINE" not in text and "xxxxxxxxxx" not in text and "fake" not in text
    assert len(text) < 600, text  # 51 refusals: a couple of lines, not megabytes
    assert_calm(caplog)


async def test_ssl_check_needs_no_signature(bot):
    assert await post_raw(bot, b"token=random&ssl_check=1", "application/x-www-form-urlencoded", {}) == 200


# --- response_url: only Slack's hooks host ---------------------------------------------------

@pytest.fixture
async def canary():
    """A listener on loopback that must never be contacted."""
    hits: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hits.append(await reader.read(200))
        writer.close()

    server = await asyncio.start_server(record, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, hits
    finally:
        server.close()
        await server.wait_closed()


async def test_response_url_outside_slack_is_never_contacted(bot, canary, caplog):
    caplog.set_level(logging.INFO)
    port, hits = canary
    foreign = f"http://127.0.0.1:{port}/hooks/T1/B1/x"
    bot.stub.response_url = lambda token="r1": foreign
    assert (await bot.command("devops")).status == 200
    assert (await bot.action(blocks.ACTION_FEEDBACK_NO, "role:devops-engineer\ndevops")).status == 200
    assert (await bot.action(f"{blocks.ACTION_OPEN_PREFIX}0", "role:devops-engineer")).status == 200
    await harness.wait_for_log(caplog, "response_url refused")
    await bot.stub.settle(0.5)
    assert hits == []
    assert caplog.text.count("response_url refused") == 1  # one line (the rest are counted, not printed)
    assert "/hooks/T1/B1/x" not in caplog.text


def test_only_slacks_hooks_hosts_and_the_configured_api_host_are_allowed():
    sender = ResponseSender(allowed=response_url_origins("http://127.0.0.1:4000/api/"))
    for url in ("https://hooks.slack.com/commands/T1/2/x", "https://hooks.slack.com:443/actions/T1/2/x",
                "https://hooks.slack-gov.com/commands/T1/2/x", "http://127.0.0.1:4000/response/x"):
        assert sender.allows(url), url
    for url in ("http://hooks.slack.com/commands/T1/2/x", "https://hooks.slack.com.evil.example/x",
                "https://evil.example/hooks.slack.com/x", "https://user@hooks.slack.com@evil.example/x",
                "https://169.254.169.254/latest/meta-data", "http://127.0.0.1:4001/response/x",
                "file:///etc/passwd", "https://hooks.slack.com:8443/x", "not a url", ""):
        assert not sender.allows(url), url
    assert not ResponseSender().allows("http://127.0.0.1:4000/response/x")


# --- large but legitimate bodies --------------------------------------------------------------

async def test_app_home_button_press_with_a_big_home_view_is_answered(bot):
    """A Home-tab button press echoes the whole published view: ~76 KiB with 100 roles."""
    sections = [{"type": "section", "block_id": f"b{i}",
                 "text": {"type": "mrkdwn", "text": f"*Role {i}*  " + "owns a part of the ML lifecycle. " * 20},
                 "accessory": {"type": "button", "action_id": f"{blocks.ACTION_OPEN_PREFIX}{i}",
                               "text": {"type": "plain_text", "text": "Open"}, "value": f"role:role-{i}"}}
                for i in range(100)]
    payload = {"type": "block_actions", "user": {"id": "UALICE", "username": "alice", "team_id": harness.TEAM},
               "api_app_id": "A1", "token": "x", "trigger_id": harness.trigger_id(),
               "team": {"id": harness.TEAM, "domain": "test"}, "enterprise": None, "is_enterprise_install": False,
               "container": {"type": "view", "view_id": "V1"},
               "view": {"id": "V1", "team_id": harness.TEAM, "type": "home", "blocks": sections,
                        "private_metadata": "", "callback_id": "", "state": {"values": {}}, "hash": "1.a"},
               "actions": [{"action_id": f"{blocks.ACTION_OPEN_PREFIX}0", "block_id": "b0", "type": "button",
                            "value": "role:devops-engineer", "text": {"type": "plain_text", "text": "Open"},
                            "action_ts": f"{time.time():.6f}"}]}
    body = urlencode({"payload": json.dumps(payload)})
    assert 70 * 1024 < len(body) < 1024 * 1024
    resp = await bot.post(body, "application/x-www-form-urlencoded")
    assert resp.status == 200
    [reply] = await bot.stub.wait_for("chat.postMessage")
    assert reply["channel"] == "UALICE"


async def test_a_32k_character_dm_is_answered(bot):
    text = ("who owns model deployment? " + "and who’s on call for the feature store? " * 1000)[:32_000]
    rich = [{"type": "rich_text", "block_id": "r", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]
    event = {"type": "message", "channel": "DALICE", "channel_type": "im", "user": "UALICE", "text": text,
             "blocks": rich, "ts": "9.1", "team": harness.TEAM, "client_msg_id": "c-1"}
    size = len(json.dumps({"event": event}))  # Slack escapes ’ as \u2019, as json.dumps does
    assert 66 * 1024 < size < 1024 * 1024, size
    resp = await bot.event(event, event_id="EvBig")
    assert resp.status == 200
    [reply] = await bot.stub.wait_for("chat.postMessage")
    assert reply["channel"] == "DALICE"


# --- replays, missing team, floods -----------------------------------------------------------

async def test_a_replayed_slash_command_is_answered_once(bot, caplog):
    caplog.set_level(logging.INFO)
    form = urlencode({"token": "x", "team_id": harness.TEAM, "channel_id": "C1", "user_id": "UALICE",
                      "command": "/mlrole", "text": "devops", "api_app_id": "A1",
                      "response_url": bot.stub.response_url("replay"), "trigger_id": harness.trigger_id()})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **harness.sign(form)}
    for _ in range(3):  # the same signed bytes, captured and sent again within the five minutes
        async with bot.session.post(bot.url, data=form.encode(), headers=headers) as r:
            assert r.status == 200
    await bot.stub.wait_for("response_url")
    await bot.stub.settle(0.3)
    assert len(bot.stub.sent("response_url")) == 1
    assert len(bot.store.questions) == 1


async def test_a_replayed_button_press_is_handled_once(bot):
    payload = {"type": "block_actions", "team": {"id": harness.TEAM}, "user": {"id": "UALICE", "team_id": harness.TEAM},
               "api_app_id": "A1", "token": "x", "trigger_id": harness.trigger_id(),
               "container": {"type": "message", "message_ts": "1.1", "channel_id": "C1", "is_ephemeral": True},
               "channel": {"id": "C1"}, "response_url": bot.stub.response_url("press"),
               "actions": [{"type": "button", "action_id": blocks.ACTION_FEEDBACK_NO, "block_id": "b",
                            "value": "role:devops-engineer\ndevops", "action_ts": "1.2"}]}
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **harness.sign(body)}
    for _ in range(3):
        async with bot.session.post(bot.url, data=body.encode(), headers=headers) as r:
            assert r.status == 200
    await bot.stub.wait_for("response_url")
    await bot.stub.settle(0.3)
    assert len(bot.store.feedback_rows) == 1
    assert len(bot.stub.sent("response_url")) == 1


async def test_a_request_without_team_id_is_dropped(bot, caplog):
    caplog.set_level(logging.INFO)
    form = {"token": "x", "channel_id": "C1", "user_id": "UMALLORY", "command": "/mlrole", "text": "devops",
            "api_app_id": "A1", "response_url": bot.stub.response_url("noteam"), "trigger_id": harness.trigger_id()}
    assert (await bot.post(urlencode(form), "application/x-www-form-urlencoded")).status == 200
    await bot.stub.settle(0.3)
    assert bot.stub.sent("response_url") == [] and bot.store.questions == []
    assert "team=(none) is not the installed workspace" in caplog.text


async def test_a_flood_of_dms_gets_a_burst_of_answers_and_one_friendly_note(bot):
    for i in range(30):
        await bot.event({"type": "message", "channel": "DALICE", "channel_type": "im", "user": "UALICE",
                         "text": "devops", "ts": f"20.{i}", "team": harness.TEAM}, event_id=f"EvFlood{i}")
    await bot.stub.wait_for("chat.postMessage", count=11)
    await bot.stub.settle(0.3)
    replies = bot.stub.sent("chat.postMessage")
    notes = [r for r in replies if "faster than I can keep up" in str(r.get("text"))]
    assert len(notes) == 1 and len(replies) == 11
    assert len(bot.store.questions) == 10
    # someone else is not affected
    await bot.event({"type": "message", "channel": "DBOB", "channel_type": "im", "user": "UBOB",
                     "text": "devops", "ts": "21.1", "team": harness.TEAM}, event_id="EvBob")
    await bot.stub.wait_for("chat.postMessage", count=12)


async def test_thirty_not_helpful_presses_count_once(bot):
    for _ in range(30):
        assert (await bot.action(blocks.ACTION_FEEDBACK_NO, "role:devops-engineer\ndevops")).status == 200
    await bot.stub.wait_for("response_url", count=30)
    assert len(bot.store.feedback_rows) == 1
    rows = await bot.store.feedback()
    assert rows[0].not_helpful == 1


async def test_the_unanswered_question_is_quoted_as_plain_text(bot):
    await bot.event({"type": "app_mention", "channel": "CRANDOM", "user": "UALICE", "ts": "30.1",
                     "text": f"<@{harness.BOT_USER}> *lunch* menu <https://evil.example|click here> `code`",
                     "team": harness.TEAM}, event_id="EvQuote")
    [reply] = await bot.stub.wait_for("chat.postMessage")
    reply_blocks = reply["blocks"] if isinstance(reply["blocks"], list) else json.loads(reply["blocks"])
    quoted = [e for b in reply_blocks if b["type"] == "context" for e in b["elements"]
              if "You asked" in e.get("text", "")]
    assert quoted and all(e["type"] == "plain_text" for e in quoted), reply_blocks
