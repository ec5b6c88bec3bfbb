"""SIGTERM during load (a deploy): every acknowledged request still gets its answer; exit 0, quickly."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from urllib.parse import urlencode

import aiohttp

from tests.slack import harness
from tests.slack.harness import free_port, wait_healthy

REQUESTS = 200
CLIENTS = 20
SIGTERM_AFTER = 60  # acks


async def test_sigterm_under_load_loses_no_acknowledged_request(stub, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = harness.serve_env(stub, tmp_path, port)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    acked: list[str] = []
    refused: list[str] = []
    other: list[tuple[str, int]] = []
    termed_at: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(REQUESTS):
        queue.put_nowait(i)

    async def client(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            token = f"q{i}"
            form = urlencode({"command": "/mlrole", "text": "who owns model deployment?" if i % 2 else "devops",
                              "user_id": f"U{i:04d}", "team_id": harness.TEAM, "channel_id": "C1",
                              "response_url": stub.response_url(token)})
            headers = {"Content-Type": "application/x-www-form-urlencoded", **harness.sign(form)}
            try:
                async with session.post(f"{base}/slack/events", data=form, headers=headers) as resp:
                    await resp.read()
                    if resp.status == 200:
                        acked.append(token)
                    else:
                        other.append((token, resp.status))
            except (aiohttp.ClientError, asyncio.TimeoutError):
                refused.append(token)  # shutdown had begun: never acknowledged, Slack shows an error
            if len(acked) == SIGTERM_AFTER and not termed_at:
                termed_at.append(time.monotonic())
                proc.send_signal(signal.SIGTERM)

    try:
        async with aiohttp.ClientSession() as probe:
            await wait_healthy(probe, base, proc)
        timeout = aiohttp.ClientTimeout(total=10)
        sessions = [aiohttp.ClientSession(timeout=timeout) for _ in range(CLIENTS)]
        try:
            await asyncio.gather(*(client(s) for s in sessions))
        finally:
            for s in sessions:
                await s.close()
        assert termed_at, "SIGTERM was never sent"
        _out, err = await asyncio.to_thread(proc.communicate, timeout=20)
        exited_after = time.monotonic() - termed_at[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    assert exited_after < 6, exited_after
    assert other == []
    assert len(acked) + len(refused) == REQUESTS
    assert len(acked) >= SIGTERM_AFTER
    delivered = set(stub.response_tokens)
    lost = [t for t in acked if t not in delivered]
    assert lost == [], f"{len(lost)} acknowledged request(s) never answered: {lost[:10]}"
    assert len(stub.response_tokens) == len(set(stub.response_tokens))  # and none answered twice
    assert "mlrole stopped" in err
    print(f"acked={len(acked)} refused={len(refused)} delivered={len(delivered)} exit_s={exited_after:.2f}")
