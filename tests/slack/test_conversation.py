"""Issue 10 in Slack, end to end: follow-ups in threads, small talk, and the *probably* band.

Events are shaped on real captured payloads (tests/slack/fixtures/payloads), with the text, the
timestamps and the bot's user id swapped in.
"""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from bot.slack import ask as ask_module
from bot.slack import blocks
from bot.slack.server import create_web_app
from bot.storage.sql import SqlStore, thread_context
from tests.slack.harness import BOT_USER, TEAM, Bot, trigger_id
from tests.slack.test_replicas import replicas, shared_database  # noqa: F401  (pytest fixtures)

PAYLOADS = Path(__file__).parent / "fixtures" / "payloads"
REAL_BOT_USER = "U0442US8QGH"  # the bot's user id in the captured payloads

PROBABLY = "which roles are part of the deployment stage"
"""Answered with confidence "probably" on the test knowledge base (checked in the test that uses it)."""


def real_event(name: str, text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    event = copy.deepcopy(json.loads((PAYLOADS / name).read_text())["payload"]["event"])
    event.update(text=text.replace(REAL_BOT_USER, BOT_USER), ts=ts, event_ts=ts)
    event.pop("blocks", None)  # the bot reads `text`; rich_text blocks would only repeat it
    event.pop("client_msg_id", None)
    if thread_ts:
        event["thread_ts"] = thread_ts
    else:
        event.pop("thread_ts", None)
        event.pop("parent_user_id", None)
    return event


def dm(text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    return real_event("dm_thread_reply.json", text, ts, thread_ts)


def mention(text: str, ts: str, thread_ts: str | None = None) -> dict[str, Any]:
    return real_event("app_mention_thread.json", f"<@{REAL_BOT_USER}> {text}", ts, thread_ts)


REMEMBERED = {"calls": 0}


@pytest.fixture(autouse=True)
def count_remembered(monkeypatch):
    """The bot stores a thread's context just after replying: let `say` wait for it, not for a clock."""
    original = ask_module.remember_answer

    async def counted(*args: Any, **kwargs: Any) -> None:
        try:
            await original(*args, **kwargs)
        finally:
            REMEMBERED["calls"] += 1

    monkeypatch.setattr(ask_module, "remember_answer", counted)


async def say(bot: Bot, event: dict[str, Any], n: int, *, answer: bool = True) -> dict[str, Any]:
    """Send one event; return the bot's n-th chat.postMessage (1-based) once the bot is done with it."""
    before = REMEMBERED["calls"]
    await bot.event(event, event_id=f"Ev{event['ts'].replace('.', '')}")
    post = (await bot.stub.wait_for("chat.postMessage", count=n))[n - 1]
    for _ in range(300 if answer else 0):
        if REMEMBERED["calls"] > before:
            break
        await asyncio.sleep(0.01)
    else:
        assert not answer, "the bot never got to remembering the thread's context"
    return post


def header(post: dict[str, Any]) -> str:
    return post["blocks"][0]["text"]["text"]


def action_ids(message_blocks: list[dict]) -> list[str]:
    return [e["action_id"] for b in message_blocks if b["type"] == "actions" for e in b["elements"]]


# --- follow-ups in a thread -----------------------------------------------------------------------

async def test_follow_up_in_a_dm_thread_is_answered_in_context(bot):
    first = await say(bot, dm("who owns model deployment?", "1726133698.626339"), 1)
    assert "thread_ts" not in first  # a top-level DM gets a top-level answer
    follow = await say(bot, dm("what do they do?", "1726133700.887259", thread_ts="1726133698.626339"), 2)
    assert follow["thread_ts"] == "1726133698.626339"
    assert header(follow) == "ML Engineer"  # "they": the owner of model deployment
    assert bot.store.questions[-1]["answer_id"] == "role:ml-engineer"
    # the thread's context moved on: "who else is involved?" is now about the ML Engineer
    again = await say(bot, dm("who else is involved?", "1726133702.000001", thread_ts="1726133698.626339"), 3)
    assert header(again) == "ML Engineer"


async def test_follow_up_in_the_thread_of_the_bots_answer(bot):
    await say(bot, dm("who owns model deployment?", "1726133698.626339"), 1)
    # Replying to the bot's message starts a thread on *its* ts, which the stub made up
    [reply_ts] = [k[2] for k in bot.store._threads if k[2] != "1726133698.626339"]
    follow = await say(bot, dm("who else is involved?", "1726133705.000001", thread_ts=reply_ts), 2)
    assert follow["thread_ts"] == reply_ts
    assert header(follow) == "Model deployment is owned by the ML Engineer."


async def test_follow_up_with_its_own_subject_is_answered_on_its_own(bot):
    await say(bot, dm("who owns model deployment?", "1726133698.626339"), 1)
    own = await say(bot, dm("what does a data scientist do?", "1726133700.1", thread_ts="1726133698.626339"), 2)
    assert header(own) == "Data Scientist"


async def test_follow_up_without_a_thread_context_is_not_guessed(bot):
    post = await say(bot, dm("what do they do?", "1726133700.2", thread_ts="1726133000.000001"), 1)
    assert post["blocks"][0]["type"] != "header"
    assert "I don't know that one" in post["text"]
    assert bot.store.questions[-1]["answered"] is False


async def test_follow_up_in_the_thread_of_a_mention(bot):
    first = await say(bot, mention("who owns model deployment?", "1604565265.015200"), 1)
    assert first["thread_ts"] == "1604565265.015200"
    follow = await say(bot, mention("what do they do?", "1604565284.015600", thread_ts="1604565265.015200"), 2)
    assert follow["channel"] == "C043YJGBY49" and follow["thread_ts"] == "1604565265.015200"
    assert header(follow) == "ML Engineer"


async def test_follow_up_also_sent_to_the_conversation_is_answered_in_its_thread(bot):
    """`thread_broadcast`: a thread reply with "Also send to direct message / #channel" ticked."""
    await say(bot, dm("who owns model deployment?", "1726133698.626339"), 1)
    broadcast = real_event("dm_thread_broadcast.json", "what do they do?", "1726133701.1", "1726133698.626339")
    assert broadcast["subtype"] == "thread_broadcast"
    follow = await say(bot, broadcast, 2)
    assert follow["thread_ts"] == "1726133698.626339" and header(follow) == "ML Engineer"
    await say(bot, mention("who owns model deployment?", "1604738675.007700"), 3)
    broadcast = real_event("app_mention_thread_broadcast.json", f"<@{REAL_BOT_USER}> who else is involved?",
                           "1604738785.007800", "1604738675.007700")
    follow = await say(bot, broadcast, 4)
    assert follow["thread_ts"] == "1604738675.007700"
    assert header(follow) == "Model deployment is owned by the ML Engineer."


async def test_thread_context_holds_no_people_and_no_text(bot):
    await say(bot, dm("who owns model deployment?", "1726133698.626339"), 1)
    stored = json.dumps({str(k): v for k, v in bot.store._threads.items()})
    assert "model-deployment" in stored
    assert "U043H11ES4V" not in stored and "who owns" not in stored


async def sqlite_bot(stub, knowledge, make_settings, url: str):
    store = await SqlStore(url).start(strict=True)
    server = TestServer(create_web_app(make_settings(), knowledge, store), host="127.0.0.1")
    await server.start_server()
    return server, store


async def test_thread_context_expires(stub, knowledge, make_settings, tmp_path):
    server, store = await sqlite_bot(stub, knowledge, make_settings, f"sqlite:///{tmp_path / 'mlrole.db'}")
    try:
        async with aiohttp.ClientSession() as session:
            bot = Bot(server, stub, store, session)
            await say(bot, dm("who owns model deployment?", "1726133698.626339"), 1)
            in_time = await say(bot, dm("what do they do?", "1726133700.1", thread_ts="1726133698.626339"), 2)
            assert header(in_time) == "ML Engineer"
            async with store.engine.begin() as conn:  # a day later
                await conn.execute(sa.update(thread_context).values(expires_at=thread_context.c.expires_at - 86401))
            late = await say(bot, dm("what do they do?", "1726133800.1", thread_ts="1726133698.626339"), 3)
            assert "I don't know that one" in late["text"]
    finally:
        await server.close()
        await store.close()


async def test_thread_context_survives_a_restart(stub, knowledge, make_settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'mlrole.db'}"
    server, store = await sqlite_bot(stub, knowledge, make_settings, url)
    async with aiohttp.ClientSession() as session:
        try:
            await say(Bot(server, stub, store, session), dm("who owns model deployment?", "1726133698.626339"), 1)
        finally:
            await server.close()
            await store.close()
        server, store = await sqlite_bot(stub, knowledge, make_settings, url)
        try:
            follow = await say(Bot(server, stub, store, session),
                               dm("what do they do?", "1726133700.1", thread_ts="1726133698.626339"), 2)
            assert header(follow) == "ML Engineer"
        finally:
            await server.close()
            await store.close()


# --- small talk -----------------------------------------------------------------------------------

async def test_small_talk_in_a_dm_is_a_friendly_reply_and_not_recorded(bot):
    for n, text in enumerate(["hi", "thanks!", "hey there :wave:"], start=1):
        post = await say(bot, dm(text, f"1726133710.{n}"), n)
        assert "I don't know" not in post["text"]
        assert "who owns model deployment?" in post["text"]  # an example question
        ids = action_ids(post["blocks"])
        assert ids and all(i.startswith(blocks.ACTION_OPEN_PREFIX) for i in ids)  # examples as buttons
        assert blocks.ACTION_FEEDBACK_NO not in ids
    assert bot.store.questions == []
    assert bot.store._threads == {}  # small talk is no thread context either


async def test_small_talk_in_a_mention(bot):
    post = await say(bot, mention("hello :wave:", "1604565400.000100"), 1)
    assert post["thread_ts"] == "1604565400.000100" and post["text"].startswith("Hi!")
    assert bot.store.questions == []


async def test_small_talk_example_button_opens_that_answer(bot):
    post = await say(bot, dm("hello", "1726133720.1"), 1)
    button = next(e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["text"]["text"] == "who owns model deployment?")
    await bot.action(button["action_id"], button["value"], channel="D0442US94JD", ephemeral=False)
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == "Model deployment is owned by the ML Engineer."


async def test_small_talk_in_a_thread_keeps_the_context(bot):
    await say(bot, dm("who owns model deployment?", "1726133698.626339"), 1)
    thanks = await say(bot, dm("thanks!", "1726133699.1", thread_ts="1726133698.626339"), 2)
    assert thanks["text"].startswith("You're welcome")
    follow = await say(bot, dm("what do they do?", "1726133699.2", thread_ts="1726133698.626339"), 3)
    assert header(follow) == "ML Engineer"
    assert [q["text"] for q in bot.store.questions] == ["who owns model deployment?", "what do they do?"]


async def test_small_talk_in_the_slash_command(bot):
    await bot.command("hi")
    await bot.command("help")
    greeting, help_ = await bot.stub.wait_for("response_url", count=2)
    assert greeting["text"].startswith("Hi!") and blocks.ACTION_SHARE not in action_ids(greeting["blocks"])
    assert blocks.T_HELP_TITLE in json.dumps(help_["blocks"])  # /mlrole help keeps the help card
    assert bot.store.questions == []


async def test_help_in_a_dm_still_shows_the_help_card(bot):
    post = await say(bot, dm("help", "1726133730.1"), 1, answer=False)
    assert blocks.T_HELP_TITLE in json.dumps(post["blocks"])
    assert bot.store.questions == []


# --- the probably band ---------------------------------------------------------------------------

async def test_probably_answer_says_so_and_offers_the_other_candidates(bot, knowledge):
    expected = knowledge.answerer.ask(PROBABLY)
    assert expected.probably and expected.suggestions, f"pick another *probably* question: {expected}"
    post = await say(bot, mention(PROBABLY, "1604565300.000100"), 1)
    assert header(post).startswith("I think you're asking about")
    text = json.dumps(post["blocks"])
    assert "Not it?" in text and "Not it?" in post["text"]
    not_it = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
              if e["action_id"].startswith(f"{blocks.ACTION_OPEN_PREFIX}not_it_")]
    assert [e["text"]["text"] for e in not_it] == [s.title for s in expected.suggestions]
    kind, entry_id, question = blocks.parse_value(not_it[0]["value"])
    assert (kind, entry_id, question) == (expected.suggestions[0].kind, expected.suggestions[0].id, PROBABLY)
    assert bot.store.questions[-1]["answered"] is True  # a probably answer counts as answered


async def press_in_thread(bot: Bot, button: dict[str, Any], channel: str, message_ts: str, thread_ts: str):
    """A block_actions payload as Slack sends it for a button on a message inside a thread."""
    payload = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "test"},
        "user": {"id": "U043H11ES4V", "username": "alice", "team_id": TEAM}, "api_app_id": "A1", "token": "x",
        "trigger_id": trigger_id(), "response_url": bot.stub.response_url("act"),
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False,
                      "thread_ts": thread_ts},
        "channel": {"id": channel, "name": "tests"},
        "actions": [{"type": "button", "action_id": button["action_id"], "block_id": "b1",
                     "value": button["value"], "text": button["text"], "action_ts": "1.2"}],
    }
    return await bot.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


async def test_not_it_press_answers_that_entry_and_becomes_the_threads_context(bot, knowledge):
    expected = knowledge.answerer.ask(PROBABLY)
    other = expected.suggestions[0]
    post = await say(bot, mention(PROBABLY, "1604565300.000100"), 1)
    button = next(e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == f"{blocks.ACTION_OPEN_PREFIX}not_it_0")
    assert (await press_in_thread(bot, button, "C043YJGBY49", "1604565301.000200", "1604565300.000100")).status == 200
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == knowledge.answerer.answer_entry(other.kind, other.id).headline
    thread = {"team_id": TEAM, "channel_id": "C043YJGBY49", "thread_ts": "1604565300.000100"}
    for _ in range(300):  # stored just after the reply
        if await bot.store.thread_context(**thread) == (other.kind, other.id):
            break
        await asyncio.sleep(0.01)
    follow = await say(bot, mention("what do they do?", "1604565310.000100", thread_ts="1604565300.000100"), 2)
    assert header(follow) == knowledge.answerer.ask_in_thread("what do they do?", (other.kind, other.id)).headline


# --- two replicas on one PostgreSQL database ---------------------------------------------------

async def test_follow_up_reaching_the_other_replica_is_answered_in_context(replicas):
    (first, second), _ = replicas
    await say(first, dm("who owns model deployment?", "1726133698.626339"), 1)
    follow = await say(second, dm("what do they do?", "1726133700.887259", thread_ts="1726133698.626339"), 2)
    assert header(follow) == "ML Engineer"
    in_mention = await say(first, mention("who owns model deployment?", "1604565265.015200"), 3)
    assert in_mention["thread_ts"] == "1604565265.015200"
    follow = await say(second, mention("who else is involved?", "1604565284.015600", thread_ts="1604565265.015200"), 4)
    assert header(follow) == "Model deployment is owned by the ML Engineer."
    async with second.store.engine.connect() as conn:
        rows = (await conn.execute(sa.select(thread_context))).all()
    assert {(r.channel_id, r.thread_ts, r.kind, r.entry_id) for r in rows} >= {
        ("D0442US94JD", "1726133698.626339", "role", "ml-engineer"),
        ("C043YJGBY49", "1604565265.015200", "responsibility", "model-deployment")}
