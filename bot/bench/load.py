"""Load: N signed `/mlrole` slash commands from C concurrent clients against the Slack app.

The app (`bot.slack.server.create_web_app`) runs in its own process on loopback, as `mlrole
serve` would, with its Web API base URL and every `response_url` pointing at a stub in this
process, so nothing leaves the machine. Everything is bounded: a fixed number of requests, a
per-request timeout, a deadline for the delayed responses, and the server is stopped by its pid.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import importlib
import inspect
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlencode

from bot.bench.speed import percentile

DEFAULT_FACTORY = "bot.slack.server:create_web_app"
SECRET = "bench-signing-secret"
REQUEST_TIMEOUT = 10.0
DELIVERY_DEADLINE = 15.0
SERVER_LIFETIME = 900.0


def sign(secret: str, timestamp: str, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


# -- the server process ------------------------------------------------------------------------

async def _serve(knowledge: str, api_url: str, factory: str) -> None:
    import logging

    from aiohttp import web

    logging.basicConfig(level=logging.WARNING)
    from bot.live import LiveKnowledge
    from bot.settings import Settings
    from bot.storage import MemoryStore

    module_name, func_name = factory.split(":")
    create = getattr(importlib.import_module(module_name), func_name)
    settings = Settings(knowledge=Path(knowledge), bot_token="xoxb-bench-token", signing_secret=SECRET,
                        api_url=api_url, port=0, log_level="WARNING")
    app = create(settings, LiveKnowledge(knowledge), MemoryStore())
    if inspect.isawaitable(app):
        app = await app
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {port}", flush=True)
    await asyncio.sleep(SERVER_LIFETIME)  # bounded even if the parent forgets us
    await runner.cleanup()


def _serve_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--knowledge", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--factory", default=DEFAULT_FACTORY)
    args = parser.parse_args(argv)

    def stdin_watch() -> None:  # the parent closing our stdin means: stop now
        try:
            sys.stdin.read()
        finally:
            os._exit(0)

    threading.Thread(target=stdin_watch, daemon=True).start()
    try:
        asyncio.run(_serve(args.knowledge, args.api_url, args.factory))
    except Exception as exc:
        print(f"ERROR {type(exc).__name__}: {exc}", flush=True)
        return 2
    return 0


# -- the stub Web API and response_url ---------------------------------------------------------

class Stub:
    def __init__(self) -> None:
        self.api_calls: dict[str, int] = {}
        self.delivered: dict[int, float] = {}
        self.port = 0
        self._runner: Any = None

    async def start(self) -> None:
        from aiohttp import web

        async def api(request: web.Request) -> web.Response:
            method = request.match_info["method"]
            self.api_calls[method] = self.api_calls.get(method, 0) + 1
            await request.read()
            body: dict[str, Any] = {"ok": True}
            if method == "auth.test":
                body.update(url="https://bench.slack.invalid/", team="bench", user="mlrole",
                            team_id="T0BENCH", user_id="U0MLROLE", bot_id="B0MLROLE", is_enterprise_install=False)
            elif method in ("chat.postMessage", "chat.postEphemeral", "chat.update"):
                body.update(channel="C0BENCH", ts=f"{time.time():.6f}", message_ts=f"{time.time():.6f}",
                            message={"text": ""})
            elif method == "conversations.open":
                body.update(channel={"id": "D0BENCH"})
            elif method == "users.info":
                body.update(user={"id": "U0BENCH", "name": "bench", "tz": "UTC"})
            return web.json_response(body)

        async def respond(request: web.Request) -> web.Response:
            await request.read()
            number = int(request.match_info["number"])
            self.delivered.setdefault(number, time.perf_counter())
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_route("*", "/api/{method}", api)
        app.router.add_post("/respond/{number}", respond)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()


# -- the clients ------------------------------------------------------------------------------

async def _wait_ready(proc: subprocess.Popen, timeout: float = 30.0) -> int:
    loop = asyncio.get_running_loop()
    line = await asyncio.wait_for(loop.run_in_executor(None, proc.stdout.readline), timeout)  # type: ignore[union-attr]
    if not line.startswith("READY "):
        raise RuntimeError(line.strip() or "server exited")
    return int(line.split()[1])


def _last_error_line(proc: subprocess.Popen) -> str:
    """The server's last stderr line, once it has exited (bounded wait)."""
    try:
        proc.stdin.close()  # type: ignore[union-attr]
        _, err = proc.communicate(timeout=5)
    except Exception:
        return ""
    lines = [l for l in (err or "").strip().splitlines() if l.strip()]
    return lines[-1] if lines else ""


async def _drive(knowledge: Path, questions: Sequence[str], requests: int, concurrency: int,
                 factory: str) -> dict[str, Any]:
    import aiohttp

    stub = Stub()
    await stub.start()
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.bench.load", "--knowledge", str(knowledge),
         "--api-url", f"http://127.0.0.1:{stub.port}/api/", "--factory", factory],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        try:
            port = await _wait_ready(proc)
        except (RuntimeError, asyncio.TimeoutError) as exc:
            reason = str(exc) or "no READY line within 30 s"
            if reason == "server exited":
                reason = _last_error_line(proc) or reason
            return {"status": "skipped", "reason": f"server did not start: {reason}"}
        url = f"http://127.0.0.1:{port}/slack/events"
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        sent_at: dict[int, float] = {}
        errors: list[str] = []
        numbers = iter(range(requests))

        async def client(session: aiohttp.ClientSession) -> None:
            for number in numbers:
                question = questions[number % len(questions)]
                body = urlencode({
                    "token": "legacy-verification-token", "team_id": "T0BENCH", "team_domain": "bench",
                    "channel_id": "C0BENCH", "channel_name": "general", "user_id": f"U0BENCH{number % 500}",
                    "user_name": f"bench{number % 500}", "command": "/mlrole", "text": question,
                    "api_app_id": "A0BENCH", "is_enterprise_install": "false",
                    "response_url": f"http://127.0.0.1:{stub.port}/respond/{number}",
                    "trigger_id": f"{number}.bench"})
                ts = str(int(time.time()))
                headers = {"Content-Type": "application/x-www-form-urlencoded",
                           "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SECRET, ts, body)}
                start = time.perf_counter()
                sent_at[number] = start
                try:
                    async with session.post(url, data=body.encode(), headers=headers) as resp:
                        await resp.read()
                        status = str(resp.status)
                except Exception as exc:  # timeouts and resets count as errors, not crashes
                    status = type(exc).__name__
                    if len(errors) < 5:
                        errors.append(f"{status}: {exc}")
                latencies.append((time.perf_counter() - start) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

        # warm-up: a few requests one at a time, not counted
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency),
                                         timeout=timeout) as session:
            warm = iter(range(min(5, requests)))
            for _ in warm:
                try:
                    ts = str(int(time.time()))
                    body = urlencode({"command": "/mlrole", "text": "help", "team_id": "T0BENCH",
                                      "user_id": "U0WARM", "channel_id": "C0BENCH",
                                      "response_url": f"http://127.0.0.1:{stub.port}/respond/-1"})
                    async with session.post(url, data=body.encode(), headers={
                            "Content-Type": "application/x-www-form-urlencoded",
                            "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sign(SECRET, ts, body)}) as r:
                        await r.read()
                except Exception:
                    pass
            began = time.perf_counter()
            await asyncio.gather(*(client(session) for _ in range(concurrency)))
            wall = time.perf_counter() - began
        ok = statuses.get("200", 0)
        deadline = time.perf_counter() + DELIVERY_DEADLINE
        while len([n for n in stub.delivered if n >= 0]) < ok and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        delivered = [stub.delivered[n] - sent_at[n] for n in stub.delivered if n >= 0 and n in sent_at]
        latencies.sort()
        delivered_ms = sorted(d * 1000 for d in delivered)
        return {
            "status": "ok", "requests": requests, "concurrency": concurrency,
            "ack_p50_ms": round(percentile(latencies, 50), 2), "ack_p99_ms": round(percentile(latencies, 99), 2),
            "ack_max_ms": round(latencies[-1], 2) if latencies else 0.0,
            "throughput_rps": round(requests / wall, 1) if wall else 0.0,
            "errors": requests - ok, "statuses": statuses, "error_samples": errors,
            "responses_delivered": len(delivered),
            "response_p50_ms": round(percentile(delivered_ms, 50), 2),
            "response_p99_ms": round(percentile(delivered_ms, 99), 2),
            "api_calls": dict(sorted(stub.api_calls.items())),
        }
    finally:
        if proc.poll() is None:
            try:
                proc.stdin.close()  # type: ignore[union-attr]
                proc.wait(timeout=5)
            except Exception:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
        await stub.stop()


def run_load(knowledge: Path, questions: Sequence[str], requests: int = 2000, concurrency: int = 100,
             factory: str = DEFAULT_FACTORY) -> dict[str, Any]:
    """Run the load test, or report `skipped: <reason>` when the Slack app cannot be started."""
    module_name = factory.split(":")[0]
    try:
        importlib.import_module("aiohttp")
        module = importlib.import_module(module_name)
        if not hasattr(module, factory.split(":")[1]):
            return {"status": "skipped", "reason": f"{factory} does not exist yet"}
    except Exception as exc:
        return {"status": "skipped", "reason": f"cannot import {module_name}: {type(exc).__name__}: {exc}"}
    try:
        return asyncio.run(_drive(knowledge, questions, requests, concurrency, factory))
    except Exception as exc:
        return {"status": "skipped", "reason": f"{type(exc).__name__}: {exc}"}


if __name__ == "__main__":
    sys.exit(_serve_main(sys.argv[1:]))
