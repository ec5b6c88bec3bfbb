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
from tests.slack.harness import BOT_USER, TEAM, free_port, trigger_id

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
    settings = make_settings(app_token=APP_TOKEN, signing_secret=None, database_url="memory://", port=free_port())
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
    bot = BotThread(make_settings(app_token=APP_TOKEN, signing_secret=None, database_url="memory://", port=free_port()), knowledge)
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


async def healthz(port: int) -> tuple[int, dict]:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
            return resp.status, await resp.json()


async def _poll_health(port: int, predicate, timeout: float = 5.0) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, body = await healthz(port)
            if predicate(status, body):
                return status, body
        except OSError:
            pass
        assert time.monotonic() < deadline, "healthz never satisfied the condition"
        await asyncio.sleep(0.05)


async def test_socket_mode_serves_healthz_on_port(stub, knowledge, make_settings):
    """A `web:` dyno in Socket Mode binds $PORT; /healthz reports the Slack connection."""
    port = free_port()
    bot = BotThread(make_settings(app_token=APP_TOKEN, signing_secret=None, database_url="memory://",
                                  port=port), knowledge)
    bot.start()
    try:
        await bot.wait_ready(5)
        status, body = await _poll_health(port, lambda s, b: s == 200)
        assert body["ok"] is True and body["slack"] == {"ok": True, "mode": "socket", "connected": True}
        assert body["knowledge"]["ok"] is True and body["knowledge"]["roles"] == 3
        assert body["storage"] == {"ok": True, "kind": "memory", "persistent": False}
    finally:
        assert await bot.stop(10) == 0


async def test_socket_mode_unreachable_logs_one_line_per_attempt_and_healthz_is_503(
        stub, knowledge, make_settings, caplog, monkeypatch):
    from bot.slack.socket import BackoffSocketModeClient

    monkeypatch.setattr(BackoffSocketModeClient, "first_backoff", 0.05)
    monkeypatch.setattr(BackoffSocketModeClient, "max_backoff", 0.2)
    stub.fail_always["apps.connections.open"] = 403
    port = free_port()
    bot = BotThread(make_settings(app_token=APP_TOKEN, signing_secret=None, database_url="memory://",
                                  port=port), knowledge)
    caplog.set_level("INFO")
    bot.start()
    try:
        status, body = await _poll_health(port, lambda s, b: True)
        assert status == 503 and body["ok"] is False
        assert body["slack"] == {"ok": False, "mode": "socket", "connected": False}
        deadline = time.monotonic() + 5
        while caplog.text.count("cannot open a connection to Slack") < 3:
            assert time.monotonic() < deadline, caplog.text
            await asyncio.sleep(0.05)
    finally:
        assert await bot.stop(5) == 0
    assert "Traceback" not in caplog.text
    attempts = [r.getMessage() for r in caplog.records if "cannot open a connection" in r.getMessage()]
    assert all(r.exc_info is None for r in caplog.records if r.name.startswith("mlrole"))
    assert "attempt 1, retrying in 0.05 s" in attempts[0]
    assert "attempt 2, retrying in 0.1 s" in attempts[1]


async def test_healthz_over_http_reports_storage_down_as_degraded_not_503(knowledge):
    from bot.slack.health import SlackState, health

    class DownStore:
        where, dialect, healthy = "postgresql+asyncpg://db/x", "postgresql", False

    status, body = await health(knowledge, DownStore(), SlackState("http"))
    assert status == 200 and body["ok"] is True and body["degraded"] is True
    assert body["storage"] == {"ok": False, "kind": "postgresql", "persistent": True}
    assert body["slack"] == {"ok": True, "mode": "http"} and body["knowledge"]["ok"] is True

    class NoKnowledge:
        def status(self):
            raise RuntimeError("not loaded")

    status, body = await health(NoKnowledge(), DownStore(), SlackState("http"))
    assert status == 503 and body["ok"] is False
