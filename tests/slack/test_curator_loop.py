"""The curator loop end to end, on SQLite and on PostgreSQL, over signed HTTP against the Web API stub:

abstain → Ask the ML team → triage post → Answer → modal (views.open) → a real-shaped view_submission
→ the asker's DM → a lesson stored → `mlrole kb learn --apply` on a copy of the knowledge base.
"""

from __future__ import annotations

import asyncio
import copy
import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot import cli
from bot.answers import Answerer
from bot.knowledge import check_knowledge, load_knowledge
from bot.live import LiveKnowledge
from bot.settings import default_knowledge_path
from bot.slack.server import create_web_app
from bot.storage.sql import SqlStore
from tests.slack.harness import TEAM, Bot, sign, trigger_id
from tests.storage.conftest import (  # noqa: F401  (pytest fixtures: SQLite and PostgreSQL)
    backend,
    database_url,
    postgres_database,
    postgres_server,
)

FIXTURES = Path(__file__).parent / "fixtures"
TRIAGE = "CTRIAGE"
ASKER = "UALICE"
CURATOR = "UCAROL"
DM_CHANNEL = "DALICE"
QUESTION = "who signs off on buying more GPUs?"
TAUGHT = ("responsibility", "mlops-infrastructure")
TAUGHT_FILE = Path("responsibilities") / "mlops-infrastructure.yaml"
COMMENT = "# Reviewed with the platform team; keep the aliases close to how people ask.\n"


class CuratorBot(Bot):
    kb_path: Path
    database_url: str


async def start_bot(stub, make_settings, url: str, kb: Path, **overrides: Any):
    store = await SqlStore(url).start(strict=True)
    settings = make_settings(**{"knowledge": kb, "triage_channel": TRIAGE, "database_url": url, **overrides})
    server = TestServer(create_web_app(settings, LiveKnowledge(kb), store), host="127.0.0.1")
    await server.start_server()
    return server, store


@pytest.fixture
def kb_path(tmp_path: Path) -> Path:
    """A copy of the bundled knowledge base, with a comment in the file the lesson will go into."""
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_path(), target)
    path = target / TAUGHT_FILE
    path.write_text(COMMENT + path.read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.fixture
async def cbot(stub, make_settings, database_url, kb_path):
    server, store = await start_bot(stub, make_settings, database_url, kb_path)
    async with aiohttp.ClientSession() as session:
        bot = CuratorBot(server, stub, store, session)  # type: ignore[arg-type]
        bot.kb_path, bot.database_url = kb_path, database_url
        try:
            yield bot
        finally:
            await server.close()
            await store.close()


# --- payloads shaped like Slack's (tests/slack/fixtures, shared/slack_real) -----------------------

def block_actions(bot: Bot, action: dict[str, Any], *, user: str, channel: str, message: dict | None,
                  ephemeral: bool = False, state: dict | None = None) -> str:
    payload: dict[str, Any] = {
        "type": "block_actions", "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A1", "token": "x", "trigger_id": trigger_id(),
        "container": {"type": "message", "message_ts": (message or {}).get("ts", "1.1"), "channel_id": channel,
                      "is_ephemeral": ephemeral},
        "channel": {"id": channel, "name": "directmessage" if channel.startswith("D") else "ml-triage"},
        "response_url": bot.stub.response_url("act"),
        "actions": [{**action, "action_ts": "1700000200.000100"}],
        "enterprise": None, "is_enterprise_install": False,
    }
    if message is not None:
        payload["message"] = message
    if state is not None:
        payload["state"] = {"values": state}
    return urlencode({"payload": json.dumps(payload)})


def button(blocks: list[dict], action_id: str) -> dict[str, Any]:
    for block in blocks:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id", "b")}
    raise AssertionError(f"no {action_id} in {json.dumps(blocks)[:500]}")


def view_submission(view: dict[str, Any], *, entry: str | None, text: str | None, user: str = CURATOR) -> str:
    payload = copy.deepcopy(json.loads((FIXTURES / "view_submission.json").read_text())["payload"])
    payload["user"].update(id=user, username=user.lower(), name=user.lower())
    submitted = payload["view"]
    submitted.update(blocks=view["blocks"], callback_id=view["callback_id"],
                     private_metadata=view["private_metadata"], title=view["title"], submit=view["submit"],
                     close=view["close"])
    values: dict[str, Any] = {"mlrole_entry": {"mlrole_triage_entry": {
        "type": "external_select",
        "selected_option": None if entry is None else {"text": {"type": "plain_text", "text": entry},
                                                       "value": entry}}},
        "mlrole_text": {"mlrole_answer_text": {"type": "plain_text_input", "value": text}}}
    submitted["state"] = {"values": values}
    return urlencode({"payload": json.dumps(payload)})


def block_suggestion(view: dict[str, Any], query: str) -> str:
    payload = {"type": "block_suggestion", "user": {"id": CURATOR, "username": "ucarol", "team_id": TEAM},
               "container": {"type": "view", "view_id": "V0AF71PAUQK"}, "api_app_id": "A1", "token": "x",
               "action_id": "mlrole_triage_entry", "block_id": "mlrole_entry", "value": query,
               "team": {"id": TEAM, "domain": "test"}, "view": {**view, "id": "V0AF71PAUQK"}}
    return urlencode({"payload": json.dumps(payload)})


FORM = "application/x-www-form-urlencoded"


async def post_json(bot: Bot, body: str) -> tuple[int, Any]:
    async with bot.session.post(bot.url, data=body.encode(), headers={"Content-Type": FORM, **sign(body)}) as r:
        text = await r.text()
        return r.status, (json.loads(text) if text.strip().startswith("{") else text)


def dm(text: str, ts: str = "1700000000.000100") -> dict[str, Any]:
    return {"type": "message", "channel": DM_CHANNEL, "channel_type": "im", "user": ASKER, "text": text,
            "ts": ts, "team": TEAM}


# --- the flow ----------------------------------------------------------------------------------

async def run_flow(bot: CuratorBot) -> dict[str, Any]:
    """Drive the whole loop and return what Slack saw; asserts each step on the way."""
    stub = bot.stub
    await bot.event(dm(QUESTION), event_id="EvAsk")
    [answer] = await stub.wait_for("chat.postMessage")
    assert answer["channel"] == DM_CHANNEL and "I don't know" in answer["text"]
    escalate = button(answer["blocks"], "mlrole_escalate")
    assert escalate["text"]["text"] == "Ask the ML team"

    # the asker presses "Ask the ML team" on the bot's message in their DM
    message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": "1700000001.000200",
               "text": answer["text"], "blocks": answer["blocks"], "team": TEAM}
    status, _ = await post_json(bot, block_actions(bot, escalate, user=ASKER, channel=DM_CHANNEL, message=message))
    assert status == 200
    posts = await stub.wait_for("chat.postMessage", count=2)
    triage = posts[1]
    assert triage["channel"] == TRIAGE
    [told] = await stub.wait_for("response_url")
    assert told["replace_original"] is True and "Passed on to the ML team" in json.dumps(told["blocks"])

    # a curator presses Answer on the triage post: the modal opens with the trigger
    triage_message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "ts": "1700000002.000300",
                      "text": triage["text"], "blocks": triage["blocks"], "team": TEAM}
    answer_button = button(triage["blocks"], "mlrole_triage_answer")
    pressed = block_actions(bot, answer_button, user=CURATOR, channel=TRIAGE, message=triage_message)
    status, _ = await post_json(bot, pressed)
    assert status == 200
    [opened] = await stub.wait_for("views.open")
    modal = opened["view"] if isinstance(opened["view"], dict) else json.loads(opened["view"])
    assert opened["trigger_id"] == json.loads(parse_qs(pressed)["payload"][0])["trigger_id"]

    # the searchable select asks for options as the curator types
    status, options = await post_json(bot, block_suggestion(modal, "mlops infra"))
    assert status == 200
    values = [o["value"] for g in options["option_groups"] for o in g["options"]]
    assert values[0] == ":".join(TAUGHT)

    # the curator picks the entry, adds a line of their own, and sends
    status, body = await post_json(bot, view_submission(modal, entry=":".join(TAUGHT),
                                                        text="Ask #ml-platform; <!channel> is not needed."))
    assert status == 200 and not body  # a plain ack closes the modal
    posts = await stub.wait_for("chat.postMessage", count=3)
    [resolved] = await stub.wait_for("chat.update")
    return {"answer": answer, "triage": triage, "told": told, "modal": modal, "options": options,
            "dm": posts[2], "resolved": resolved}


async def test_abstain_ask_answer_learn(cbot, capsys, monkeypatch):
    seen = await run_flow(cbot)
    triage, dm_post, resolved = seen["triage"], seen["dm"], seen["resolved"]
    sent = json.dumps(triage)
    # the triage post: the question, the asker as a mention of the asker only, what the bot said
    assert f"<@{ASKER}> asked:" in sent and QUESTION in sent and "mlrole did not know the answer" in sent
    assert "<!channel>" not in sent and "<!here>" not in sent
    # the modal: a searchable select over the knowledge base and optional free text
    modal = seen["modal"]
    assert modal["type"] == "modal" and modal["callback_id"] == "mlrole_triage_answer_modal"
    elements = [b["element"] for b in modal["blocks"] if b["type"] == "input"]
    assert [e["type"] for e in elements] == ["external_select", "plain_text_input"]
    # the asker's DM: threaded under the bot's answer in their DM, with the curator's words escaped
    assert dm_post["channel"] == DM_CHANNEL and dm_post["thread_ts"] == "1700000001.000200"
    dm_text = json.dumps(dm_post["blocks"])
    assert "MLOps infrastructure" in dm_text or "mlops" in dm_text.lower()
    assert f"<@{CURATOR}>" in dm_text and "&lt;!channel&gt;" in dm_text and "<!channel>" not in dm_text
    # the triage post is marked resolved by the curator, its Answer button gone
    assert resolved["channel"] == TRIAGE and resolved["ts"] == "1700000002.000300"
    assert f"Resolved by <@{CURATOR}>" in json.dumps(resolved["blocks"])
    assert "mlrole_triage_answer" not in json.dumps(resolved["blocks"])

    # a lesson: the question and the entry, nobody's ID
    [lesson] = await cbot.store.lessons()
    assert (lesson.question, lesson.kind, lesson.entry_id) == (QUESTION, *TAUGHT)
    assert ASKER not in json.dumps(lesson.to_json()) and CURATOR not in json.dumps(lesson.to_json())

    # `mlrole kb learn` shows the diff; --apply writes it, validates, marks the lesson done
    monkeypatch.setenv("DATABASE_URL", cbot.database_url)
    before = (cbot.kb_path / TAUGHT_FILE).read_text(encoding="utf-8")
    assert await asyncio.to_thread(cli.main, ["kb", "learn", "--knowledge", str(cbot.kb_path)]) == 0
    diff = capsys.readouterr().out
    assert f"+  - {QUESTION}" in diff
    assert [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")] == []
    assert (cbot.kb_path / TAUGHT_FILE).read_text(encoding="utf-8") == before  # nothing written yet
    assert await asyncio.to_thread(cli.main, ["kb", "learn", "--apply", "--knowledge", str(cbot.kb_path)]) == 0
    after = (cbot.kb_path / TAUGHT_FILE).read_text(encoding="utf-8")
    assert after.startswith(COMMENT) and f"\n  - {QUESTION}\n" in after
    assert after.replace(f"  - {QUESTION}\n", "", 1) == before
    kb, problems = check_knowledge(cbot.kb_path)
    assert problems == [] and kb is not None
    assert QUESTION in kb.get(*TAUGHT).examples
    assert await cbot.store.lessons() == []
    capsys.readouterr()
    assert await asyncio.to_thread(cli.main, ["kb", "lessons"]) == 0
    assert "No pending lessons" in capsys.readouterr().out


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_the_taught_question_is_answered_after_learn(cbot, monkeypatch):
    assert not Answerer(load_knowledge(cbot.kb_path)).ask(QUESTION).answered  # abstains today
    await run_flow(cbot)
    monkeypatch.setenv("DATABASE_URL", cbot.database_url)
    assert await asyncio.to_thread(cli.main, ["kb", "learn", "--apply", "--knowledge", str(cbot.kb_path)]) == 0
    answer = Answerer(load_knowledge(cbot.kb_path)).ask(QUESTION)
    assert answer.answered and (answer.kind, answer.id) == TAUGHT


# --- 👎 with a reason, and the edges --------------------------------------------------------------

@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_thumbs_down_with_a_reason_reaches_triage_with_what_the_bot_said(cbot):
    stub = cbot.stub
    await cbot.event(dm("who owns model deployment?"), event_id="EvDeploy")
    [answer] = await stub.wait_for("chat.postMessage")
    message = {"type": "message", "user": "UBOT", "ts": "1700000001.000500", "text": answer["text"],
               "blocks": answer["blocks"]}
    down = button(answer["blocks"], "mlrole_feedback_no")
    await post_json(cbot, block_actions(cbot, down, user=ASKER, channel=DM_CHANNEL, message=message))
    [follow] = await stub.wait_for("response_url")
    assert follow["replace_original"] is True
    escalate = button(follow["blocks"], "mlrole_escalate")
    select = next(e for b in follow["blocks"] for e in b.get("elements", []) if e["type"] == "static_select")
    assert [o["text"]["text"] for o in select["options"]] == ["Wrong owner", "Outdated", "Not what I asked"]
    state = {"mlrole_escalate": {"mlrole_escalate_reason": {
        "type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "Outdated"},
                                                     "value": "outdated"}}}}
    message["blocks"] = follow["blocks"]
    await post_json(cbot, block_actions(cbot, escalate, user=ASKER, channel=DM_CHANNEL, message=message,
                                        state=state))
    posts = await stub.wait_for("chat.postMessage", count=2)
    sent = json.dumps(posts[1]["blocks"], ensure_ascii=False)
    assert posts[1]["channel"] == TRIAGE
    assert "mlrole answered: *Model deployment* (`responsibility:model-deployment`)" in sent
    assert "👎 Outdated" in sent and "<@UALICE> asked:" in sent


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_double_click_posts_one_triage_message(cbot):
    await cbot.event(dm(QUESTION), event_id="EvTwice")
    [answer] = await cbot.stub.wait_for("chat.postMessage")
    message = {"type": "message", "user": "UBOT", "ts": "1700000001.000600", "text": "x", "blocks": answer["blocks"]}
    body = block_actions(cbot, button(answer["blocks"], "mlrole_escalate"), user=ASKER, channel=DM_CHANNEL,
                         message=message)
    await asyncio.gather(post_json(cbot, body), post_json(cbot, body))
    await cbot.stub.wait_for("chat.postMessage", count=2)
    await cbot.stub.settle(0.3)
    assert len([p for p in cbot.stub.sent("chat.postMessage") if p["channel"] == TRIAGE]) == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_an_empty_submission_is_refused_in_the_modal(cbot):
    seen_modal = {"type": "modal", "callback_id": "mlrole_triage_answer_modal", "blocks": [],
                  "private_metadata": json.dumps({"q": QUESTION, "u": ASKER, "ch": TRIAGE, "ts": "1.2"}),
                  "title": {"type": "plain_text", "text": "Answer"}, "submit": {"type": "plain_text", "text": "Send"},
                  "close": {"type": "plain_text", "text": "Cancel"}}
    status, body = await post_json(cbot, view_submission(seen_modal, entry=None, text=""))
    assert status == 200 and body["response_action"] == "errors" and "mlrole_entry" in body["errors"]
    status, body = await post_json(cbot, view_submission(seen_modal, entry="role:no-such-role", text=""))
    assert body["response_action"] == "errors"
    assert await cbot.store.lessons() == [] and cbot.stub.sent("chat.postMessage") == []


async def test_two_replicas_resolve_a_question_once(stub, make_settings, database_url, kb_path):
    """Two curators press Send at once on two replicas sharing the database: one answer, one lesson."""
    first, store_a = await start_bot(stub, make_settings, database_url, kb_path)
    second, store_b = await start_bot(stub, make_settings, database_url, kb_path)
    modal = {"type": "modal", "callback_id": "mlrole_triage_answer_modal", "blocks": [],
             "private_metadata": json.dumps({"q": QUESTION, "u": ASKER, "ch": TRIAGE, "ts": "1700000009.1"}),
             "title": {"type": "plain_text", "text": "Answer"}, "submit": {"type": "plain_text", "text": "Send"},
             "close": {"type": "plain_text", "text": "Cancel"}}
    try:
        async with aiohttp.ClientSession() as session:
            bots = [Bot(first, stub, store_a, session), Bot(second, stub, store_b, session)]  # type: ignore[arg-type]
            results = await asyncio.gather(
                post_json(bots[0], view_submission(modal, entry=":".join(TAUGHT), text=None, user="UCAROL")),
                post_json(bots[1], view_submission(modal, entry=":".join(TAUGHT), text=None, user="UDAVE")))
            await stub.wait_for("chat.update")
            await stub.settle(0.3)
        refused = [body for _, body in results if body]
        assert len(refused) == 1 and "already answered" in refused[0]["errors"]["mlrole_entry"]
        assert len(stub.sent("chat.update")) == 1 and len(stub.sent("chat.postMessage")) == 1
        assert len(await store_a.lessons()) == 1
    finally:
        for server, store in ((first, store_a), (second, store_b)):
            await server.close()
            await store.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_without_a_triage_channel_there_is_no_button(stub, make_settings, database_url, kb_path):
    server, store = await start_bot(stub, make_settings, database_url, kb_path, triage_channel=None)
    try:
        async with aiohttp.ClientSession() as session:
            bot = Bot(server, stub, store, session)  # type: ignore[arg-type]
            await bot.event(dm(QUESTION), event_id="EvNoTriage")
            [answer] = await stub.wait_for("chat.postMessage")
            assert "mlrole_escalate" not in json.dumps(answer["blocks"])
            await bot.command(QUESTION)
            [reply] = await stub.wait_for("response_url")
            assert "mlrole_escalate" not in json.dumps(reply["blocks"])
    finally:
        await server.close()
        await store.close()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_slash_command_abstention_offers_the_button_and_answers_unthreaded(cbot):
    await cbot.command(QUESTION)
    [reply] = await cbot.stub.wait_for("response_url")
    escalate = button(reply["blocks"], "mlrole_escalate")
    await post_json(cbot, block_actions(cbot, escalate, user=ASKER, channel="CRANDOM", message=None,
                                        ephemeral=True))
    [triage] = await cbot.stub.wait_for("chat.postMessage")
    assert triage["channel"] == TRIAGE
    replies = await cbot.stub.wait_for("response_url", count=2)
    assert "Passed on" in replies[1]["text"] and replies[1]["response_type"] == "ephemeral"
    case = json.loads(button(triage["blocks"], "mlrole_triage_answer")["value"])
    assert case["u"] == ASKER and "c" not in case and "t" not in case  # the answer goes to the asker's DM
