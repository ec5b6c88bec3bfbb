"""End to end over loopback HTTP: signed requests in, Web API calls out (to a local stub)."""

from __future__ import annotations

import json
import time

import aiohttp

from tests.slack.harness import BOT_ID, BOT_USER, TEAM, sign


def all_text(payloads) -> str:
    return json.dumps(payloads, ensure_ascii=False)


# --- slash command ------------------------------------------------------------------------------

async def test_command_role_is_an_ephemeral_card_with_share_and_feedback(bot):
    resp = await bot.command("devops")
    assert resp.status == 200
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "DevOps Engineer",
                                                              "emoji": True}}
    action_ids = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"mlrole_share", "mlrole_feedback_yes", "mlrole_feedback_no"} <= set(action_ids)
    assert "DevOps Engineer" in reply["text"]
    assert bot.store.questions[-1] | {"at": 0} == {
        "text": "devops", "surface": "command", "user_id": "UALICE", "answered": True,
        "answer_id": "role:devops-engineer", "score": 100.0, "team_id": TEAM, "at": 0}


async def test_command_ownership_names_the_accountable_role(bot):
    await bot.command("who owns model deployment?")
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == "Model deployment is owned by the ML Engineer."
    assert "*Owner (accountable):* ML Engineer" in all_text(reply["blocks"])
    assert bot.store.questions[-1]["answer_id"] == "responsibility:model-deployment"


async def test_command_help_and_empty_list_the_roles(bot):
    await bot.command("")
    await bot.command("help")
    replies = await bot.stub.wait_for("response_url", count=2)
    for reply in replies:
        text = all_text(reply["blocks"])
        assert "DevOps Engineer" in text and "Data Scientist" in text and "/mlrole" in text
    assert bot.store.questions == []  # help is not a question


async def test_command_off_topic_says_it_does_not_know(bot):
    await bot.command("what's the weather")
    [reply] = await bot.stub.wait_for("response_url")
    assert "I don't know that one" in reply["text"]
    assert "mlrole_share" not in all_text(reply["blocks"])
    assert bot.store.questions[-1]["answered"] is False


async def test_channel_ping_is_never_echoed_live(bot):
    # Slack sends a typed "<!channel>" as entities; a real @channel arrives as markup
    await bot.command("&lt;!channel&gt; weather <!here> <@U999> <!subteam^S1|@team> please")
    [reply] = await bot.stub.wait_for("response_url")
    sent = all_text(reply)
    for live in ("<!channel>", "<!here>", "<@U999>", "<!subteam"):
        assert live not in sent
    assert "&lt;!channel&gt;" in sent  # shown, but as text


async def test_a_20000_character_question_is_acked_fast(bot):
    started = time.perf_counter()
    resp = await bot.command("who owns model deployment " + "x" * 20000)
    assert resp.status == 200
    assert time.perf_counter() - started < 3.0
    [reply] = await bot.stub.wait_for("response_url")
    assert len(json.dumps(reply)) < 40000
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply["blocks"])


# --- request verification -------------------------------------------------------------------------

async def test_forged_signature_is_refused(bot):
    resp = await bot.command("devops", secret="not-the-secret")
    assert resp.status == 401
    await bot.stub.settle(0.1)
    assert bot.stub.sent("response_url") == []


async def test_stale_timestamp_is_refused(bot):
    resp = await bot.command("devops", timestamp=int(time.time()) - 600)
    assert resp.status == 401


async def test_url_verification_echoes_the_challenge(bot):
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    resp = await bot.post(body, "application/json")
    assert resp.status == 200
    async with bot.session.post(bot.url, data=body.encode(),
                                headers={"Content-Type": "application/json", **sign(body)}) as r:
        assert (await r.json())["challenge"] == "c-123"


async def test_oversized_body_is_refused(bot):
    resp = await bot.command("x" * (1024 * 1024 + 1))
    assert resp.status == 413


async def test_healthz(bot):
    async with bot.session.get(bot.server.make_url("/healthz")) as resp:
        assert resp.status == 200
        data = await resp.json()
    assert data["ok"] is True and data["roles"] == 3 and data["version"]


# --- direct messages ------------------------------------------------------------------------------

def dm(text: str, **extra):
    return {"type": "message", "channel": "DALICE", "channel_type": "im", "user": "UALICE", "text": text,
            "ts": extra.pop("ts", "1700000000.000100"), "team": TEAM, **extra}


async def test_dm_is_answered_with_chat_post_message(bot):
    resp = await bot.event(dm("who owns model deployment?"))
    assert resp.status == 200
    [post] = await bot.stub.wait_for("chat.postMessage")
    assert post["channel"] == "DALICE"
    assert "owned by the ML Engineer" in post["text"]
    assert post["blocks"][0]["type"] == "header"
    assert bot.store.questions[-1]["surface"] == "dm"


async def test_retried_event_is_not_answered_twice(bot):
    await bot.event(dm("devops"), event_id="EvRetry")
    await bot.stub.wait_for("chat.postMessage")
    resp = await bot.event(dm("devops"), event_id="EvRetry",
                           headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert resp.status == 200
    await bot.stub.settle()
    assert len(bot.stub.sent("chat.postMessage")) == 1
    assert len(bot.store.questions) == 1


async def test_own_and_other_bots_messages_edits_and_deletes_are_ignored(bot):
    await bot.event(dm("devops", user=BOT_USER), event_id="Ev1")
    await bot.event(dm("devops", bot_id=BOT_ID, user="UOTHER"), event_id="Ev2")
    await bot.event(dm("devops", bot_id="BOTHER", user="UOTHERBOT"), event_id="Ev3")
    await bot.event(dm("devops", subtype="bot_message", ts="1.2"), event_id="Ev4")
    await bot.event(dm("devops", subtype="message_changed", ts="1.3"), event_id="Ev5")
    await bot.event(dm("", subtype="message_deleted", ts="1.4"), event_id="Ev6")
    await bot.event(dm("devops", channel="CRANDOM", channel_type="channel", ts="1.5"), event_id="Ev7")
    await bot.stub.settle()
    assert bot.stub.sent("chat.postMessage", "chat.postEphemeral") == []
    assert bot.store.questions == []


# --- mentions ---------------------------------------------------------------------------------

async def test_mention_is_answered_in_a_thread_once_with_the_mention_stripped(bot):
    event = {"type": "app_mention", "channel": "CRANDOM", "user": "UALICE", "team": TEAM,
             "text": f"<@{BOT_USER}> who owns model deployment?", "ts": "1700000001.000200"}
    await bot.event(event, event_id="EvMention")
    # the same message also delivered as a channel `message` event
    await bot.event({**event, "type": "message", "channel_type": "channel"}, event_id="EvMessage")
    [post] = await bot.stub.wait_for("chat.postMessage")
    assert post["channel"] == "CRANDOM" and post["thread_ts"] == "1700000001.000200"
    assert "owned by the ML Engineer" in post["text"]
    assert bot.store.questions[-1]["text"] == "who owns model deployment?"
    await bot.stub.settle()
    assert len(bot.stub.sent("chat.postMessage")) == 1


async def test_mention_inside_a_thread_replies_in_that_thread(bot):
    event = {"type": "app_mention", "channel": "CRANDOM", "user": "UALICE", "text": f"<@{BOT_USER}> devops",
             "ts": "1700000003.000300", "thread_ts": "1700000000.000001"}
    await bot.event(event, event_id="EvThread")
    [post] = await bot.stub.wait_for("chat.postMessage")
    assert post["thread_ts"] == "1700000000.000001"


# --- onboarding -------------------------------------------------------------------------------

def joined(user: str, channel: str) -> dict:
    return {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "team": TEAM}


async def test_welcome_only_in_onboarding_channels_once_and_never_bots(bot):
    await bot.event(joined("UALICE", "CONBOARD"), event_id="EvJ1")  # configured by ID
    [welcome] = await bot.stub.wait_for("chat.postEphemeral")
    assert welcome["channel"] == "CONBOARD" and welcome["user"] == "UALICE"
    assert "DevOps Engineer" in all_text(welcome["blocks"]) and welcome["text"]

    await bot.event(joined("UALICE", "CONBOARD"), event_id="EvJ2")  # re-join: no second welcome
    await bot.event(joined("UBOB", "CRANDOM"), event_id="EvJ3")  # not an onboarding channel
    await bot.event(joined("UBOTXHELPER", "CONBOARD"), event_id="EvJ4")  # a bot
    await bot.event(joined(BOT_USER, "CONBOARD"), event_id="EvJ5")  # the bot itself
    await bot.event(joined("UCAROL", "CWELCOME"), event_id="EvJ6")  # configured by name "#welcome"
    await bot.stub.wait_for("chat.postEphemeral", count=2)
    await bot.stub.settle()
    welcomes = bot.stub.sent("chat.postEphemeral")
    assert [(w["user"], w["channel"]) for w in welcomes] == [("UALICE", "CONBOARD"), ("UCAROL", "CWELCOME")]


async def test_channel_names_are_resolved_once(bot):
    await bot.event(joined("UD1", "CWELCOME"), event_id="EvN1")
    await bot.stub.wait_for("chat.postEphemeral")
    await bot.event(joined("UD2", "CWELCOME"), event_id="EvN2")
    await bot.stub.wait_for("chat.postEphemeral", count=2)
    assert len(bot.stub.sent("conversations.info")) == 1


# --- App Home -----------------------------------------------------------------------------------

async def test_app_home_is_published(bot):
    await bot.event({"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "home"},
                    event_id="EvHome")
    [publish] = await bot.stub.wait_for("views.publish")
    assert publish["user_id"] == "UALICE"
    view = publish["view"] if isinstance(publish["view"], dict) else json.loads(publish["view"])
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    text = all_text(view)
    assert "DevOps Engineer" in text and "Model deployment → *ML Engineer*" in text


async def test_app_home_messages_tab_is_not_published(bot):
    await bot.event({"type": "app_home_opened", "user": "UALICE", "channel": "DALICE", "tab": "messages"},
                    event_id="EvHome2")
    await bot.stub.settle()
    assert bot.stub.sent("views.publish") == []


# --- buttons ------------------------------------------------------------------------------------

async def test_feedback_press_is_recorded_and_acknowledged(bot):
    resp = await bot.action("mlrole_feedback_no", "role:devops-engineer\ndevops")
    assert resp.status == 200
    [reply] = await bot.stub.wait_for("response_url")
    assert "Thanks for the feedback" in reply["text"]
    assert bot.store.feedback_rows == [{"answer_id": "role:devops-engineer", "helpful": False, "user_id": "UALICE",
                                        "question": "devops", "team_id": TEAM}]


async def test_feedback_in_a_dm_replaces_the_buttons(bot):
    message = {"type": "message", "text": "DevOps Engineer", "ts": "1.1",
               "blocks": [{"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "hi"}},
                          {"type": "actions", "block_id": "mlrole_feedback", "elements": []}]}
    await bot.action("mlrole_feedback_yes", "role:devops-engineer", channel="DALICE", ephemeral=False,
                     message=message)
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["replace_original"] is True
    assert reply["blocks"][1]["type"] == "context" and "Thanks" in all_text(reply["blocks"][1])
    assert bot.store.feedback_rows[-1]["helpful"] is True


async def test_did_you_mean_press_answers_that_entry(bot):
    await bot.action("mlrole_open_0", "role:ml-engineer")
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == "ML Engineer"
    assert reply["replace_original"] is True  # the ephemeral "did you mean" is replaced


async def test_home_directory_press_answers_in_the_dm(bot):
    await bot.action("mlrole_open_2", "role:data-scientist", response_url=False, container_type="view")
    [post] = await bot.stub.wait_for("chat.postMessage")
    assert post["channel"] == "UALICE" and "Data Scientist" in post["text"]


async def test_share_posts_in_channel_and_removes_the_private_copy(bot):
    await bot.action("mlrole_share", "role:devops-engineer")
    shared, deleted = await bot.stub.wait_for("response_url", count=2)
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert "Shared by <@UALICE>" in all_text(shared["blocks"])
    assert "mlrole_share" not in all_text(shared["blocks"])
    assert deleted["delete_original"] is True


# --- resilience -------------------------------------------------------------------------------

async def test_rate_limited_web_api_call_is_retried(bot):
    bot.stub.fail_next["chat.postMessage"] = 429
    await bot.event(dm("devops", ts="9.9"), event_id="EvRate")
    await bot.stub.wait_for("chat.postMessage", count=2)
    await bot.stub.settle(0.1)
    assert len(bot.stub.sent("chat.postMessage")) == 2


async def test_store_failure_does_not_break_the_reply(bot):
    async def broken(**_):
        raise RuntimeError("database down")

    bot.store.record_question = broken
    await bot.command("devops")
    [reply] = await bot.stub.wait_for("response_url")
    assert reply["blocks"][0]["text"]["text"] == "DevOps Engineer"


async def test_unsigned_request_is_refused(bot):
    async with bot.session.post(bot.url, data=b"{}", headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 401
    assert isinstance(bot.session, aiohttp.ClientSession)
