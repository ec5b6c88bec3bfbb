"""Issue 11's surfaces over Socket Mode, where delivery differs: envelopes acked on the websocket."""

from __future__ import annotations

import json

from tests.slack.captured import payload
from tests.slack.test_socket_mode import APP_TOKEN, BotThread


async def test_shortcut_workflow_step_and_messages_tab_over_socket_mode(stub, knowledge, make_settings):
    bot = BotThread(make_settings(app_token=APP_TOKEN, signing_secret=None, database_url="memory://"), knowledge)
    bot.start()
    try:
        await bot.wait_ready(5)
        await stub.wait_for("apps.connections.open")

        shortcut = payload("message_action")
        shortcut["response_url"] = stub.response_url("sock")
        stub.send_envelope("s1", "interactive", shortcut)
        assert (await stub.wait_for_ack("s1"))["envelope_id"] == "s1"
        [reply] = await stub.wait_for("response_url")
        assert reply["response_type"] == "ephemeral" and "About this message" in json.dumps(reply)

        stub.send_envelope("s2", "events_api", payload("function_executed"), retry_attempt=0, retry_reason="")
        await stub.wait_for_ack("s2")
        [done] = await stub.wait_for("functions.completeSuccess")
        assert json.loads(done["outputs"])["owner_role"] == "ML Engineer"

        stub.send_envelope("s3", "events_api", payload("app_home_opened_messages"), retry_attempt=0,
                           retry_reason="")
        await stub.wait_for_ack("s3")
        [prompts] = await stub.wait_for("assistant.threads.setSuggestedPrompts")
        assert 1 <= len(prompts["prompts"]) <= 4
    finally:
        assert await bot.stop(10) == 0
