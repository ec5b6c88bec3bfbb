"""Socket Mode end to end, offline: `run()` with SLACK_APP_TOKEN against the stub's Web API and websocket.

The bot runs in its own thread and event loop, as it would in its own process: `run()` drains every
task its loop started before returning, and the stub's server-side connection tasks must not be
among them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from bot.slack.server import run
from tests.slack.harness import BOT_USER, TEAM, trigger_id

APP_TOKEN = "xapp-1-A1-test-app-token"


class BotThread:
    """`run(settings, knowledge, stop, ready)` on a separate loop; `stop()` sets its stop event."""

    def __init__(self, settings: Any, knowledge: Any) -> None:
        self.settings, self.knowledge = settings, knowledge
        self.ready = threading.Event()
        self.result: int | BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="mlrole-socket-mode", daemon=True)

    def _main(self) -> None:
        async def main() -> int:
            self._loop, self._stop, ready = asyncio.get_running_loop(), asyncio.Event(), asyncio.Event()
            signal_ready = asyncio.create_task(ready.wait())
            signal_ready.add_done_callback(lambda _: self.ready.set())
            try:
                return await run(self.settings, self.knowledge, stop=self._stop, ready=ready)
            finally:
                signal_ready.cancel()

        try:
            self.result = asyncio.run(main())
        except BaseException as e:  # noqa: BLE001 - reported by the test
            self.result = e
        finally:
            self.ready.set()  # never leave the test waiting on a bot that died while starting

    def start(self) -> None:
        self._thread.start()

    async def wait_ready(self, timeout: float) -> None:
        assert await asyncio.to_thread(self.ready.wait, timeout), "run() did not become ready"
        assert self.result is None, f"run() ended while starting: {self.result!r}"

    async def stop(self, timeout: float) -> int | BaseException | None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # the loop closed meanwhile
                pass
        await asyncio.to_thread(self._thread.join, timeout)
        assert not self._thread.is_alive(), f"run() did not return within {timeout} s of stop"
        return self.result


def command_payload(stub, text: str) -> dict:
    return {"token": "x", "team_id": TEAM, "team_domain": "test", "channel_id": "CRANDOM",
            "channel_name": "random", "user_id": "UALICE", "user_name": "alice", "command": "/mlrole",
            "text": text, "api_app_id": "A1", "is_enterprise_install": "false",
            "response_url": stub.response_url("sock"), "trigger_id": trigger_id()}


def dm_event_payload(text: str, event_id: str) -> dict:
    event = {"type": "message", "channel": "DALICE", "channel_type": "im", "user": "UALICE", "text": text,
             "ts": "1700000000.000200", "event_ts": "1700000000.000200", "team": TEAM}
    return {"token": "x", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
            "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True,
                                "is_enterprise_install": False}]}


async def test_socket_mode_acks_envelopes_answers_and_stops_cleanly(stub, knowledge, make_settings):
    settings = make_settings(app_token=APP_TOKEN, signing_secret=None, database_url="memory://")
    bot = BotThread(settings, knowledge)
    bot.start()
    stopped = False
    try:
        await bot.wait_ready(5)
        # the handler's Web API client honours SLACK_API_URL and opens the connection with the app token
        await stub.wait_for("apps.connections.open")
        assert stub.app_tokens == [APP_TOKEN]
        assert stub.socket_connections == 1

        # a slash command: acked over the socket within 3 s, answered at its response_url
        started = time.monotonic()
        stub.send_envelope("e1", "slash_commands", command_payload(stub, "devops"))
        ack = await stub.wait_for_ack("e1", timeout=3)
        assert time.monotonic() - started < 3
        assert ack["envelope_id"] == "e1"
        [reply] = await stub.wait_for("response_url", timeout=3)
        assert stub.response_tokens == ["sock"]
        assert reply["response_type"] == "ephemeral"
        assert reply["blocks"][0] == {"type": "header",
                                      "text": {"type": "plain_text", "text": "DevOps Engineer", "emoji": True}}
        assert "DevOps Engineer" in reply["text"]

        # a DM over events_api: acked, answered with chat.postMessage
        stub.send_envelope("e2", "events_api", dm_event_payload("devops", "EvSock1"),
                           retry_attempt=0, retry_reason="")
        ack = await stub.wait_for_ack("e2", timeout=3)
        assert ack["envelope_id"] == "e2"
        [post] = await stub.wait_for("chat.postMessage", timeout=3)
        assert post["channel"] == "DALICE"
        assert "DevOps Engineer" in post["text"]
        assert post["blocks"][0]["type"] == "header"

        # nothing went to slack.com: the connection and the replies all reached the stub
        assert {name for name, _ in stub.calls} >= {"apps.connections.open", "chat.postMessage"}

        started = time.monotonic()
        assert await bot.stop(10) == 0
        stopped = True
        assert time.monotonic() - started < 5
        deadline = time.monotonic() + 3
        while stub.socket_disconnects < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert stub.socket_disconnects == 1, "the websocket was left open"
    finally:
        if not stopped:
            await bot.stop(10)
    assert not [m for m in stub.socket_received if m.get("envelope_id") not in ("e1", "e2")]


async def test_stop_while_socket_mode_cannot_connect_still_returns_promptly(stub, knowledge, make_settings):
    """apps.connections.open failing (bad app token, Slack down): the SDK retries forever; stop must win."""
    stub.fail_always["apps.connections.open"] = 403
    bot = BotThread(make_settings(app_token=APP_TOKEN, signing_secret=None, database_url="memory://"), knowledge)
    bot.start()
    try:
        await stub.wait_for("apps.connections.open", timeout=5)
        assert not bot.ready.is_set()
    finally:
        started = time.monotonic()
        result = await bot.stop(5)
    assert result == 0
    assert time.monotonic() - started < 3
    assert stub.socket_connections == 0
