"""Issue 11's surfaces end to end over signed HTTP against the Web API stub: the Messages tab as an
agent, the "Who owns this?" message shortcut, the "Find the owner" workflow step, the RACI canvas."""

from __future__ import annotations

import json

import pytest

from bot.live import LiveKnowledge
from bot.matrix import MATRIX_TITLE
from bot.slack import agent
from tests.slack.captured import payload, send_event, send_interaction
from tests.slack.harness import FIXTURE_KB

ORG = "ml-engineer: {group: S0123ABC, channel: C0456DEF, people: [U02ALICE, U03BOB]}\n"


@pytest.fixture
def knowledge(tmp_path) -> LiveKnowledge:
    """The fixture knowledge base with an org overlay naming who the ML engineers are."""
    org = tmp_path / "org.yaml"
    org.write_text(ORG)
    return LiveKnowledge(FIXTURE_KB, org_file=org)


@pytest.fixture(autouse=True)
def agent_state():
    agent._unsupported.clear()
    yield
    agent._unsupported.clear()


def texts(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- the Messages tab as an agent ----------------------------------------------------------------

async def test_opening_the_messages_tab_sets_four_prompts_from_the_knowledge_base(bot):
    body = payload("app_home_opened_messages")
    assert (await send_event(bot, body)).status == 200
    [call] = await bot.stub.wait_for("assistant.threads.setSuggestedPrompts")
    assert call["channel_id"] == body["event"]["channel"]
    assert "thread_ts" not in call  # agent apps: a thread_ts makes Slack drop the call
    prompts = call["prompts"]
    assert 1 <= len(prompts) <= 4 and all(p["title"] and p["message"] for p in prompts)
    kb = LiveKnowledge(FIXTURE_KB).answerer.kb
    titles = [e.title.lower() for e in kb.entries()]
    assert all(any(t in p["message"].lower() for t in titles) for p in prompts)
    assert bot.stub.sent("views.publish") == []  # the Home tab is not published for the Messages tab


async def test_each_suggested_prompt_gets_an_answer_when_picked(bot):
    await send_event(bot, payload("app_home_opened_messages"))
    [call] = await bot.stub.wait_for("assistant.threads.setSuggestedPrompts")
    for i, prompt in enumerate(call["prompts"]):  # picking a prompt sends it as the person's message
        await send_event(bot, payload("dm_message_im", text=prompt["message"], ts=f"1700000000.00000{i}"))
    await bot.stub.wait_for("chat.postMessage", count=len(call["prompts"]))
    assert all(q["answered"] for q in bot.store.questions)


async def test_the_home_tab_is_still_published_with_the_new_entry_points(bot):
    await send_event(bot, payload("app_home_opened_home"))
    [call] = await bot.stub.wait_for("views.publish")
    view = call["view"] if isinstance(call["view"], dict) else json.loads(call["view"])
    accessories = [b.get("accessory", {}) for b in view["blocks"]]
    assert {"type": "conversations_select", "action_id": "mlrole_matrix_channel"}.items() <= \
        next(a for a in accessories if a.get("type") == "conversations_select").items()
    assert "Who owns this?" in texts(view) and "Find the owner" in texts(view)
    assert len(view["blocks"]) <= 100


async def test_a_dm_shows_a_status_while_answering_and_clears_it(bot):
    body = payload("dm_message_im")
    await send_event(bot, body)
    await bot.stub.wait_for("chat.postMessage")
    statuses = await bot.stub.wait_for("assistant.threads.setStatus", count=2)
    assert [s["status"] for s in statuses] == [agent.T_STATUS, ""]
    assert all(s["channel_id"] == body["event"]["channel"] and s["thread_ts"] == body["event"]["ts"]
               for s in statuses)


async def test_where_slack_refuses_the_status_the_answer_still_comes_and_it_stops_asking(bot):
    bot.stub.newer.refuse["assistant.threads.setStatus"] = "not_allowed"
    await send_event(bot, payload("dm_message_im"))
    await bot.stub.wait_for("chat.postMessage")
    await bot.stub.settle()
    await send_event(bot, payload("dm_message_im", ts="1700000001.000001"))
    await bot.stub.wait_for("chat.postMessage", count=2)
    await bot.stub.settle()
    assert len(bot.stub.sent("assistant.threads.setStatus")) == 1
    await send_event(bot, payload("app_home_opened_messages"))
    await bot.stub.settle()
    assert bot.stub.sent("assistant.threads.setSuggestedPrompts") == []


# --- message shortcut "Who owns this?" ----------------------------------------------------------------

async def test_the_message_shortcut_answers_ephemerally_about_the_message(bot):
    body = payload("message_action")
    assert (await send_interaction(bot, body)).status == 200
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["type"] == "context" and "About this message" in texts(reply["blocks"][0])
    assert "Model deployment is owned by the ML Engineer." in texts(reply)
    actions = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"mlrole_share", "mlrole_feedback_yes", "mlrole_feedback_no"} <= set(actions)
    assert bot.store.questions[-1]["surface"] == "shortcut"
    assert bot.store.questions[-1]["answer_id"] == "responsibility:model-deployment"
    # Share posts the same answer in the channel, as from /mlrole
    share = next(e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == "mlrole_share")
    await bot.action("mlrole_share", share["value"])
    shared = await bot.stub.wait_for("response_url", count=2)
    assert shared[1]["response_type"] == "in_channel"


async def test_the_shortcut_never_echoes_a_live_mention_and_handles_a_message_without_text(bot):
    body = payload("message_action")
    body["message"]["text"] = "<!channel> <@U999> please look at the weather"
    await send_interaction(bot, body)
    [reply] = await bot.stub.wait_for("response_url")
    assert "<!channel>" not in texts(reply) and "<@U999>" not in texts(reply)
    body["message"]["text"] = ""
    await send_interaction(bot, body)
    replies = await bot.stub.wait_for("response_url", count=2)
    assert "no text I can read" in replies[1]["text"]


# --- Workflow Builder step "Find the owner" -----------------------------------------------------------

async def test_the_workflow_step_completes_with_the_owner_and_the_overlay_contacts(bot):
    body = payload("function_executed")
    assert (await send_event(bot, body)).status == 200
    [done] = await bot.stub.wait_for("functions.completeSuccess")
    assert done["function_execution_id"] == body["event"]["function_execution_id"]
    outputs = json.loads(done["outputs"])
    assert outputs["owner_role"] == "ML Engineer"
    assert outputs["answer"].startswith("Model deployment is owned by the ML Engineer.")
    assert outputs["owner_user"] == "U02ALICE" and outputs["owner_usergroup"] == "S0123ABC"
    assert outputs["owner_channel"] == "C0456DEF"
    assert ("functions.completeSuccess", "xwfp-valid-workflow-token") in bot.stub.tokens
    assert bot.store.questions[-1]["surface"] == "workflow"


async def test_the_workflow_step_fails_clearly_without_a_confident_owner(bot):
    for question in ("what's the weather like?", "", "data scientist vs ml engineer"):
        body = payload("function_executed")
        body["event"]["inputs"] = {"question": question}
        body["event"]["function_execution_id"] = f"Fx{len(question)}"
        await send_event(bot, body)
    errors = await bot.stub.wait_for("functions.completeError", count=3)
    by_id = {e["function_execution_id"]: e["error"] for e in errors}
    assert "no confident owner" in by_id["Fx24"]
    assert "input is empty" in by_id["Fx0"]
    assert "not one task with one owner" in by_id["Fx29"]
    assert bot.stub.sent("functions.completeSuccess") == []


# --- the RACI matrix as a channel canvas -----------------------------------------------------------

async def test_mlrole_matrix_creates_the_channel_canvas_then_updates_it_never_twice(bot):
    await bot.command("matrix", channel="CRANDOM")
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["response_type"] == "ephemeral" and "RACI matrix is now this channel's canvas" in reply["text"]
    [create] = bot.stub.sent("conversations.canvases.create")
    assert create["channel_id"] == "CRANDOM"
    markdown = create["document_content"]["markdown"]
    assert markdown.startswith(f"# {MATRIX_TITLE}")
    assert "| Model deployment | Deployment |  | A | R |" in markdown
    canvas_id = bot.stub.newer.channel_canvas["CRANDOM"]

    await bot.command("raci", channel="CRANDOM")
    replies = await bot.stub.wait_for("response_url", count=2)
    assert "Updated the RACI matrix canvas in <#CRANDOM>" in replies[1]["text"]
    assert len(bot.stub.sent("conversations.canvases.create")) == 1
    [edit] = bot.stub.sent("canvases.edit")
    assert edit["canvas_id"] == canvas_id and edit["changes"][0]["operation"] == "replace"
    assert bot.stub.newer.canvas_markdown[canvas_id] == markdown
    assert bot.store.questions == []  # not a question


async def test_a_channel_canvas_someone_else_wrote_is_left_alone(bot):
    canvas_id = bot.stub.newer.add_foreign_canvas("CRANDOM")
    await bot.command("matrix", channel="CRANDOM")
    [reply] = await bot.stub.wait_for("response_url")
    assert "not mlrole's matrix" in reply["text"]
    assert bot.stub.sent("canvases.edit") == [] and bot.stub.newer.canvas_markdown[canvas_id].startswith("# Team")


async def test_a_channel_the_bot_is_not_in_gets_a_clear_answer(bot):
    bot.stub.newer.refuse["conversations.canvases.create"] = "not_in_channel"
    await bot.command("matrix", channel="CRANDOM")
    [reply] = await bot.stub.wait_for("response_url")
    assert "invite me with `/invite @mlrole`" in reply["text"]


async def test_picking_a_channel_in_app_home_publishes_there_and_says_so_in_the_dm(bot):
    body = payload("block_actions_app_home")
    body["actions"] = [{"type": "conversations_select", "action_id": "mlrole_matrix_channel", "block_id": "m1",
                        "selected_conversation": "CONBOARD", "action_ts": "1613575488.406573"}]
    assert (await send_interaction(bot, body)).status == 200
    [dm] = await bot.stub.wait_for("chat.postMessage")
    assert dm["channel"] == body["user"]["id"]
    assert "<#CONBOARD>" in dm["text"]
    assert bot.stub.newer.channel_canvas.get("CONBOARD")


async def test_help_mentions_the_new_surfaces(bot):
    await bot.command("help")
    [reply] = await bot.stub.wait_for("response_url")
    text = texts(reply["blocks"])
    assert "/mlrole matrix" in text and "Who owns this?" in text and "Find the owner" in text


async def test_mlrole_matrix_in_a_direct_message_asks_for_a_channel(bot):
    await bot.command("matrix", channel="D0442US94JD")
    [reply] = await bot.stub.wait_for("response_url")
    assert "in the channel that should get the matrix" in reply["text"]
    assert bot.stub.sent("conversations.canvases.create", "conversations.info") == []


async def test_a_canvas_created_meanwhile_is_updated_not_duplicated(bot, knowledge):
    """Two runs at once (or two replicas): the second create fails as Slack's does, and updates instead."""
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.slack.canvas import publish_matrix

    stub, kb = bot.stub, knowledge.answerer.kb
    client = AsyncWebClient(token="xoxb-test-token", base_url=stub.api_url)
    real_handle = stub.newer.handle

    def create_meanwhile(method, params):
        if method == "conversations.canvases.create" and "CRANDOM" not in stub.newer.channel_canvas:
            real_handle(method, params)  # the other run wins
        return real_handle(method, params)

    stub.newer.handle = create_meanwhile
    outcome = await publish_matrix(client, "CRANDOM", kb)
    assert outcome.status == "updated" and outcome.canvas_id == stub.newer.channel_canvas["CRANDOM"]
    assert len(stub.newer.canvas_markdown) == 1 and len(stub.sent("canvases.edit")) == 1
