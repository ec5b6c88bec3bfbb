"""A broken knowledge-base edit under a running server: it keeps answering, then picks up the fix."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode

import aiohttp

from bot.live import LiveKnowledge
from bot.slack.server import run
from tests.slack import harness
from tests.slack.harness import free_port


async def _health(session: aiohttp.ClientSession, base: str) -> dict:
    async with session.get(f"{base}/healthz") as resp:
        assert resp.status == 200
        return await resp.json()


async def _ask(session: aiohttp.ClientSession, base: str, stub, text: str, token: str) -> dict:
    form = urlencode({"command": "/mlrole", "text": text, "user_id": "UALICE", "team_id": harness.TEAM,
                      "channel_id": "C1", "response_url": stub.response_url(token)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **harness.sign(form)}
    before = len(stub.sent("response_url"))
    async with session.post(f"{base}/slack/events", data=form, headers=headers) as resp:
        assert resp.status == 200
    replies = await stub.wait_for("response_url", count=before + 1, timeout=5)
    return replies[-1]


async def _poll(session, base, predicate, timeout: float = 8.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = await _health(session, base)
        if predicate(status):
            return status
        assert time.monotonic() < deadline, f"healthz never satisfied the condition: {status}"
        await asyncio.sleep(0.1)


async def test_broken_edit_under_running_server_then_fix(kb_copy, stub, make_settings):
    settings = make_settings(knowledge=kb_copy, port=free_port(), database_url="memory://")
    live = LiveKnowledge(kb_copy)
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run(settings, live, stop=stop, ready=ready))
    base = f"http://127.0.0.1:{settings.port}"
    role = kb_copy / "roles" / "devops-engineer.yaml"
    good = role.read_text()
    try:
        await asyncio.wait_for(ready.wait(), 10)
        await asyncio.sleep(0.3)  # the watcher is up
        async with aiohttp.ClientSession() as session:
            first = await _health(session, base)
            assert first["last_reload_error"] is None
            reply = await _ask(session, base, stub, "devops", "t1")
            assert reply["blocks"][0]["text"]["text"] == "DevOps Engineer"

            role.write_text(good + "aliases: [\n")  # a YAML syntax error, as a hurried editor leaves it
            broken = await _poll(session, base, lambda s: s["last_reload_error"])
            assert "devops-engineer.yaml:" in broken["last_reload_error"]
            line = broken["last_reload_error"].split("devops-engineer.yaml:", 1)[1]
            assert line[:1].isdigit(), broken["last_reload_error"]  # file:line
            assert broken["version"] == first["version"] and broken["entries"] == first["entries"]
            for i in range(3):  # still answering, from the last good version
                reply = await _ask(session, base, stub, "devops", f"b{i}")
                assert reply["blocks"][0]["text"]["text"] == "DevOps Engineer"
            reply = await _ask(session, base, stub, "who owns model deployment?", "b9")
            assert "owned by the Machine Learning Engineer" in reply["text"]

            fixed_at = time.monotonic()
            role.write_text(good.replace("title: DevOps Engineer", "title: Platform DevOps Engineer"))
            fixed = await _poll(session, base, lambda s: s["version"] != first["version"], timeout=5)
            assert time.monotonic() - fixed_at < 5
            assert fixed["last_reload_error"] is None
            reply = await _ask(session, base, stub, "devops", "f1")
            assert reply["blocks"][0]["text"]["text"] == "Platform DevOps Engineer"
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0
