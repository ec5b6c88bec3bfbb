"""A local stand-in for Slack: a Web API stub that records calls, signed requests, a running bot."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import socket
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.live import LiveKnowledge
from bot.settings import Settings
from bot.slack.server import create_web_app
from bot.storage import MemoryStore
from tests.slack.stub_methods import NewerMethods

FIXTURE_KB = Path(__file__).parent / "fixtures" / "knowledge"
SECRET = "test-signing-secret"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"
CHANNEL_NAMES = {"CONBOARD": "onboarding", "CWELCOME": "welcome", "CRANDOM": "random"}
_triggers = itertools.count(1)


def trigger_id() -> str:
    """Unique per call, as Slack's are (a repeated one is a replay and is answered once)."""
    return f"{next(_triggers)}.2.3"


class SlackStub:
    """Answers like Slack's Web API and response_url endpoints; keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_next: dict[str, int] = {}  # method -> HTTP status to send once
        self.fail_always: dict[str, int] = {}  # method (or "response_url") -> HTTP status every time
        self.retry_after = "0"  # the Retry-After header sent with a 429
        self.response_delay = 0.0  # seconds each response_url call takes
        self.response_tokens: list[str] = []  # the {token} of every response_url call, in order
        # Socket Mode: apps.connections.open hands out socket_url; envelopes queued with
        # send_envelope() go to the connected client, whose messages land in socket_received
        self.socket_outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.socket_received: list[dict[str, Any]] = []
        self.socket_connections = 0
        self.socket_disconnects = 0
        self.app_tokens: list[str] = []  # the bearer token of every apps.connections.open call
        self.newer = NewerMethods()  # canvases, agent prompts/status, workflow step completion
        self.tokens: list[tuple[str, str]] = []  # (method, bearer token) of every Web API call
        self.oauth_scopes: str | None = None  # sent as x-oauth-scopes (Slack sends it on every call)
        self.not_member: set[str] = set()  # channel IDs the bot is not in (conversations.info/list)
        self.app = web.Application()
        self.app.router.add_route("*", "/api/{method}", self.api)
        self.app.router.add_post("/response/{token}", self.handle_response)
        self.app.router.add_get("/socket", self.handle_socket)
        self.server = TestServer(self.app, host="127.0.0.1")

    @property
    def api_url(self) -> str:
        return str(self.server.make_url("/api/"))

    def response_url(self, token: str = "r1") -> str:
        return str(self.server.make_url(f"/response/{token}"))

    async def handle_response(self, request: web.Request) -> web.Response:
        if self.response_delay:  # a slow Slack: a reply cut off meanwhile is never recorded
            await asyncio.sleep(self.response_delay)
        self.calls.append(("response_url", await request.json()))
        self.response_tokens.append(request.match_info["token"])
        status = self.fail_always.get("response_url")
        if status:
            return web.Response(status=status, text="failed")
        return web.json_response({"ok": True})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        return params

    async def _record(self, request: web.Request) -> tuple[str, dict[str, Any], web.Response | None]:
        """Note the call; the refusal a test asked for (fail_next / fail_always), if any."""
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        status = self.fail_next.pop(method, None) or self.fail_always.get(method)
        if status == 429:
            return method, params, web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                                     headers={"Retry-After": self.retry_after})
        if status:
            return method, params, web.json_response({"ok": False, "error": "fatal_error"}, status=status)
        return method, params, None

    async def api(self, request: web.Request) -> web.Response:
        method, params, refused = await self._record(request)
        if refused is not None:
            return refused
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        self.tokens.append((method, token))
        if token.endswith("-revoked"):  # any token ending so is refused, as Slack refuses a bad one
            return web.json_response({"ok": False, "error": "invalid_auth"})
        body: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            body.update(user_id=BOT_USER, bot_id=BOT_ID, team_id=TEAM, user="mlrole", team="Test",
                        url="https://test.slack.com/")
        elif method in ("chat.postMessage", "chat.postEphemeral"):
            body.update(channel=params.get("channel"), ts=f"{time.time():.6f}", message_ts="1.000001")
        elif method == "users.info":
            user = str(params.get("user"))
            body["user"] = {"id": user, "name": user.lower(), "is_bot": user.startswith("UBOTX")}
        elif method == "conversations.info":
            ch = str(params.get("channel"))
            if not ch.startswith(("C", "G", "D")) or ch.startswith("CMISSING"):
                return web.json_response({"ok": False, "error": "channel_not_found"})
            body["channel"] = {"id": ch, "name": CHANNEL_NAMES.get(ch, "general"),
                               "is_member": ch not in self.not_member, **self.newer.channel_properties(ch)}
        elif method == "conversations.list":
            body["channels"] = [{"id": ch, "name": name, "is_member": ch not in self.not_member}
                                for ch, name in CHANNEL_NAMES.items()]
            body["response_metadata"] = {"next_cursor": ""}
        elif method == "views.publish":
            body["view"] = {"id": "V1", **(params.get("view") if isinstance(params.get("view"), dict) else {})}
        elif method in NewerMethods.METHODS:
            body = self.newer.handle(method, params)
        elif method == "apps.connections.open":
            self.app_tokens.append(request.headers.get("Authorization", "").removeprefix("Bearer "))
            body["url"] = self.socket_url
        headers = {"x-oauth-scopes": self.oauth_scopes} if self.oauth_scopes is not None else None
        return web.json_response(body, headers=headers)

    @property
    def socket_url(self) -> str:
        return str(self.server.make_url("/socket").with_scheme("ws"))

    async def handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Slack's Socket Mode server: hello, then queued envelopes; the client's acks are kept."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.socket_connections += 1
        await ws.send_json({"type": "hello", "num_connections": self.socket_connections,
                            "debug_info": {"host": "stub", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A1"}})

        async def pump() -> None:
            while True:
                await ws.send_json(await self.socket_outbox.get())

        sender = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self.socket_received.append(json.loads(msg.data))
        finally:
            self.socket_disconnects += 1
            sender.cancel()
        return ws

    def send_envelope(self, envelope_id: str, type_: str, payload: dict[str, Any], **extra: Any) -> None:
        self.socket_outbox.put_nowait({"envelope_id": envelope_id, "type": type_, "payload": payload,
                                       "accepts_response_payload": type_ != "events_api", **extra})

    async def wait_for_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.socket_received:
                if message.get("envelope_id") == envelope_id:
                    return message
            await asyncio.sleep(0.01)
        raise AssertionError(f"no ack for envelope {envelope_id}; got {self.socket_received}")

    def sent(self, *methods: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name in methods]

    async def wait_for(self, *methods: str, count: int = 1, timeout: float = 3.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(*methods)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.01)
        raise AssertionError(f"expected {count} call(s) to {methods}, got {self.calls}")

    async def settle(self, delay: float = 0.2) -> None:
        """Give background listeners time to (not) reply."""
        await asyncio.sleep(delay)


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class Bot:
    """The running mlrole app and helpers that talk to it as Slack would."""

    def __init__(self, server: TestServer, stub: SlackStub, store: MemoryStore, session: aiohttp.ClientSession):
        self.server, self.stub, self.store, self.session = server, stub, store, session

    @property
    def url(self) -> str:
        return str(self.server.make_url("/slack/events"))

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None,
                   timestamp: int | None = None, secret: str = SECRET) -> aiohttp.ClientResponse:
        h = {"Content-Type": content_type, **sign(body, timestamp, secret), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=h) as resp:
            await resp.read()
            return resp

    async def command(self, text: str, user: str = "UALICE", channel: str = "CRANDOM", **kw: Any):
        form = {"token": "x", "team_id": TEAM, "team_domain": "test", "channel_id": channel,
                "channel_name": "random", "user_id": user, "user_name": "alice", "command": "/mlrole",
                "text": text, "api_app_id": "A1", "response_url": self.stub.response_url("cmd"),
                "trigger_id": trigger_id()}
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    async def event(self, event: dict[str, Any], event_id: str = "Ev1", headers: dict[str, str] | None = None,
                    **kw: Any):
        body = {"token": "x", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
                "event_id": event_id, "event_time": int(time.time()), "event": event,
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}
        return await self.post(json.dumps(body), "application/json", headers=headers, **kw)

    async def action(self, action_id: str, value: str, *, user: str = "UALICE", channel: str = "CRANDOM",
                     ephemeral: bool = True, message: dict[str, Any] | None = None,
                     response_url: bool = True, container_type: str = "message"):
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": TEAM, "domain": "test"},
            "user": {"id": user, "username": "alice", "team_id": TEAM}, "api_app_id": "A1", "token": "x",
            "trigger_id": trigger_id(),
            "container": {"type": container_type, "message_ts": "1.1", "channel_id": channel,
                          "is_ephemeral": ephemeral},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value,
                         "text": {"type": "plain_text", "text": "x"}, "action_ts": f"{time.time():.6f}"}],
        }
        if container_type == "message":
            payload["channel"] = {"id": channel, "name": "x"}
        if response_url:
            payload["response_url"] = self.stub.response_url("act")
        if message is not None:
            payload["message"] = message
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


@asynccontextmanager
async def running(stub: SlackStub) -> AsyncIterator[SlackStub]:
    """A Web API stub listening on loopback for the duration of the block."""
    await stub.server.start_server()
    try:
        yield stub
    finally:
        await stub.server.close()


@pytest.fixture
async def stub():
    async with running(SlackStub()) as s:
        yield s


def serve_env(stub: SlackStub, tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    """The environment of a real `mlrole serve` process talking to the stub (HTTP mode, no org file)."""
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "PORT": str(port),
           "SLACK_API_URL": stub.api_url, "MLROLE_KNOWLEDGE": str(FIXTURE_KB), "LOG_LEVEL": "INFO",
           "DATABASE_URL": "memory://", "XDG_DATA_HOME": str(tmp_path), **settings}
    for name in ("SLACK_APP_TOKEN", "MLROLE_ORG"):
        env.pop(name, None)
    return env


@pytest.fixture
def knowledge() -> LiveKnowledge:
    return LiveKnowledge(FIXTURE_KB)


@pytest.fixture
def make_settings(stub: SlackStub) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = dict(knowledge=FIXTURE_KB, bot_token="xoxb-test-token", signing_secret=SECRET,
                                      api_url=stub.api_url, onboarding_channels=("CONBOARD", "#welcome"))
        values.update(overrides)
        return Settings(**values)

    return make


class RecordingStore(MemoryStore):
    """A MemoryStore that also keeps every call, so tests can see what the adapters passed to storage."""

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[dict] = []
        self.feedback_rows: list[dict] = []

    async def record_question(self, **kwargs: Any) -> None:
        self.questions.append({**kwargs, "at": time.time()})
        await super().record_question(**kwargs)

    async def record_feedback(self, **kwargs: Any) -> None:
        self.feedback_rows.append({"question": None, "team_id": None, **kwargs})
        await super().record_feedback(**kwargs)


@pytest.fixture
async def bot(stub: SlackStub, knowledge: LiveKnowledge, make_settings):
    store = RecordingStore()
    web_app = create_web_app(make_settings(), knowledge, store)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        try:
            yield Bot(server, stub, store, session)
        finally:
            await server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_healthy(session: aiohttp.ClientSession, base: str, proc: Any, timeout: float = 15) -> None:
    """Poll a `mlrole serve` subprocess's /healthz until it answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            async with session.get(f"{base}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "mlrole serve did not start"
        await asyncio.sleep(0.1)


async def wait_for_log(caplog: Any, text: str, timeout: float = 5.0) -> None:
    """Background listeners log after the ack: wait until `text` shows up, then assert it."""
    deadline = time.monotonic() + timeout
    while text not in caplog.text and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert text in caplog.text
