"""Regression tests for real message shapes that were silently ignored (issue 11), over signed HTTP.

Payloads are Slack's own captures (tests/slack/fixtures/captured, sources inside each file).
"""

from __future__ import annotations

import json

from tests.slack.captured import payload, send_event


async def test_a_dm_question_with_a_file_attached_is_answered(bot):
    body = payload("dm_file_share")
    assert body["event"]["subtype"] == "file_share" and body["event"]["files"]
    assert (await send_event(bot, body)).status == 200
    [reply] = await bot.stub.wait_for("chat.postMessage")
    assert reply["channel"] == body["event"]["channel"]
    assert bot.store.questions[-1]["text"] == "who labels the training data?"
    assert bot.store.questions[-1]["surface"] == "dm"


async def test_a_dm_thread_reply_also_sent_to_the_conversation_is_answered_in_its_thread(bot):
    body = payload("dm_thread_broadcast")
    assert body["event"]["subtype"] == "thread_broadcast"
    await send_event(bot, body)
    [reply] = await bot.stub.wait_for("chat.postMessage")
    assert reply["channel"] == body["event"]["channel"]
    assert reply["thread_ts"] == body["event"]["thread_ts"]
    assert bot.store.questions[-1]["text"] == "who builds the data pipelines?"


async def test_a_mention_in_a_thread_also_sent_to_the_channel_is_answered_in_the_thread(bot):
    body = payload("app_mention_thread_broadcast")
    assert body["event"]["type"] == "app_mention" and body["event"]["subtype"] == "thread_broadcast"
    await send_event(bot, body)
    [reply] = await bot.stub.wait_for("chat.postMessage")
    assert reply["channel"] == body["event"]["channel"]
    assert reply["thread_ts"] == body["event"]["thread_ts"]
    assert "Model deployment is owned by the ML Engineer." in json.dumps(reply)
    assert bot.store.questions[-1]["answer_id"] == "responsibility:model-deployment"


async def test_slackbot_in_the_dm_gets_no_reply_and_never_reaches_storage(bot):
    body = payload("dm_from_slackbot")
    assert body["event"]["user"] == "USLACKBOT" and "bot_id" not in body["event"]
    assert (await send_event(bot, body)).status == 200
    await bot.stub.settle()
    assert bot.stub.sent("chat.postMessage", "chat.postEphemeral") == []
    assert bot.store.questions == []  # so nothing of it shows up in `mlrole report`


async def test_edits_and_the_bots_own_posts_are_still_ignored(bot):
    for name in ("dm_message_changed", "dm_own_bot_message"):
        await send_event(bot, payload(name))
    await bot.stub.settle()
    assert bot.stub.sent("chat.postMessage") == []
    assert bot.store.questions == []


async def test_a_plain_dm_and_a_dm_thread_reply_are_still_answered(bot):
    await send_event(bot, payload("dm_message_im"))
    await send_event(bot, payload("dm_thread_reply"))
    replies = await bot.stub.wait_for("chat.postMessage", count=2)
    assert {r.get("thread_ts") for r in replies} == {None, "1726133698.626339"}
