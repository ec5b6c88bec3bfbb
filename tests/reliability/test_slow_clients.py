"""Idle, half-sent and endless connections from one client (raw sockets): Slack is still answered."""

from __future__ import annotations

import asyncio
import logging
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import aiohttp

from bot.slack import connections
from bot.slack.server import run
from tests.slack import harness
from tests.slack.harness import free_port, wait_healthy

HOSTILE_SOCKETS = 1100
FD_LIMIT = 1024  # a common default; 1,100 sockets exhaust it


def _hostile(port: int, i: int) -> socket.socket | None:
    """Every third socket idle, every third with half its headers, every third with half a body."""
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        if i % 3 == 1:
            s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nX-Slow: ")
        elif i % 3 == 2:
            s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100000\r\n\r\n{\"type\": ")
    except OSError:
        s.close()
        return None
    return s


class Attacker:
    """Opens HOSTILE_SOCKETS sockets, then keeps opening new ones (closing its oldest) until stopped."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sockets: list[socket.socket] = []
        self.opened = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._churn, daemon=True)

    def open_all(self) -> None:
        for i in range(HOSTILE_SOCKETS):
            s = _hostile(self.port, i)
            if s is not None:
                self.sockets.append(s)
                self.opened += 1

    def _churn(self) -> None:
        i = 0
        while not self.stop.is_set():
            s = _hostile(self.port, i)
            i += 1
            if s is not None:
                self.sockets.append(s)
                self.opened += 1
            while len(self.sockets) > HOSTILE_SOCKETS:
                self.sockets.pop(0).close()
            time.sleep(0.002)

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(5)
        for s in self.sockets:
            s.close()


def _limit_fds() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


async def _signed_command(session: aiohttp.ClientSession, base: str, stub, token: str) -> tuple[int, float]:
    form = urlencode({"command": "/mlrole", "text": "devops", "user_id": f"U{token}", "team_id": harness.TEAM,
                      "channel_id": "C1", "trigger_id": harness.trigger_id(),
                      "response_url": stub.response_url(token)})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **harness.sign(form)}
    started = time.perf_counter()
    async with session.post(f"{base}/slack/events", data=form, headers=headers) as resp:
        await resp.read()
        return resp.status, (time.perf_counter() - started) * 1000


async def test_a_thousand_idle_and_half_sent_sockets_do_not_lock_slack_out(stub, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = harness.serve_env(stub, tmp_path, port)
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.DEVNULL,
                                stderr=stderr, preexec_fn=_limit_fds)
    attacker = Attacker(port)
    latencies: list[float] = []
    try:
        async with aiohttp.ClientSession() as probe:
            await wait_healthy(probe, base, proc)
        await asyncio.to_thread(attacker.open_all)
        attacker.thread.start()  # and it keeps coming while Slack talks to the bot
        timeout = aiohttp.ClientTimeout(total=15)
        for n in range(10):
            async with aiohttp.ClientSession(timeout=timeout,
                                             connector=aiohttp.TCPConnector(force_close=True)) as slack:
                status, ms = await _signed_command(slack, base, stub, f"slow{n}")
            assert status == 200
            latencies.append(ms)
        await stub.wait_for("response_url", count=10, timeout=15)
        async with aiohttp.ClientSession(timeout=timeout) as probe:
            async with probe.get(f"{base}/healthz") as resp:
                assert resp.status == 200
    finally:
        attacker.close()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(proc.wait, 20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    log = stderr_path.read_text(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert len(log) < 20_000, len(log)  # a few rate-limited lines, not a traceback per accept()
    print(f"hostile sockets opened={attacker.opened} signed requests: max={max(latencies):.0f} ms "
          f"median={sorted(latencies)[len(latencies) // 2]:.0f} ms; log={len(log)} bytes")


async def _closed_by_server(port: int, payload: bytes, timeout: float = 10.0) -> bool:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        try:
            await asyncio.wait_for(reader.read(), timeout)  # returns at EOF
        except (ConnectionResetError, BrokenPipeError):
            pass
        except asyncio.TimeoutError:
            return False
        return True
    finally:
        writer.close()


async def test_slow_headers_slow_bodies_and_idle_connections_are_cut_off(stub, knowledge, make_settings,
                                                                         monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    connections.notes.reset()  # the first line of each kind is printed: this test's
    monkeypatch.setattr(connections, "HEADER_TIMEOUT", 0.5)
    monkeypatch.setattr(connections, "BODY_TIMEOUT", 0.5)
    port = free_port()
    stop, ready = asyncio.Event(), asyncio.Event()
    server = asyncio.create_task(run(make_settings(port=port, database_url="memory://"), knowledge, stop, ready))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        nothing = b""
        half_headers = b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nX-Slow: "
        half_body = (b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 5000\r\n\r\n{\"type\": ")
        results = await asyncio.gather(*(_closed_by_server(port, p) for p in (nothing, half_headers, half_body)))
        assert results == [True, True, True]
        async with aiohttp.ClientSession() as session:
            status, _ms = await _signed_command(session, f"http://127.0.0.1:{port}", stub, "after")
        assert status == 200
        await stub.wait_for("response_url")
    finally:
        stop.set()
        await asyncio.wait_for(server, 20)
    assert not [r for r in caplog.records if r.exc_info], caplog.text[-3000:]
    assert "did not send its headers in time" in caplog.text
    assert "did not send its body in time" in caplog.text


async def test_at_the_connection_cap_the_oldest_idle_connection_makes_room(stub, knowledge, make_settings,
                                                                           monkeypatch):
    monkeypatch.setattr(connections, "MAX_CONNECTIONS", 20)
    port = free_port()
    stop, ready = asyncio.Event(), asyncio.Event()
    server = asyncio.create_task(run(make_settings(port=port, database_url="memory://"), knowledge, stop, ready))
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        await asyncio.wait_for(ready.wait(), 10)
        for _ in range(60):
            idle.append(await asyncio.open_connection("127.0.0.1", port))
        async with aiohttp.ClientSession() as session:
            status, _ms = await _signed_command(session, f"http://127.0.0.1:{port}", stub, "cap")
        assert status == 200
        await stub.wait_for("response_url")
        closed = 0
        for reader, _writer in idle[:40]:
            try:
                closed += await asyncio.wait_for(reader.read(), 5) == b""
            except ConnectionResetError:
                closed += 1
            except asyncio.TimeoutError:
                pass
        assert closed == 40  # the oldest went first
    finally:
        for _reader, writer in idle:
            writer.close()
        stop.set()
        await asyncio.wait_for(server, 20)


async def test_failed_accepts_log_one_line_not_a_traceback_each(caplog):
    caplog.set_level(logging.INFO)
    connections.notes.reset()
    loop = asyncio.get_running_loop()
    before = loop.get_exception_handler()
    connections.quiet_accept_errors(loop)
    try:
        for _ in range(1000):  # what asyncio reports while the process has no descriptors left
            loop.call_exception_handler({"message": "socket.accept() out of system resource",
                                         "exception": OSError(24, "Too many open files"), "socket": None})
    finally:
        loop.set_exception_handler(before)
    lines = [r for r in caplog.records if "cannot accept connections" in r.getMessage()]
    assert len(lines) == 1 and not lines[0].exc_info
    assert "Too many open files" in lines[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]
