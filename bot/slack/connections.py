"""Open connections, kept few and short-lived, so slow or idle clients cannot lock Slack out.

aiohttp waits for a request's headers and body as long as the client likes, and accepts
connections until the process runs out of file descriptors; then every `accept()` fails (each
logged with a traceback) and Slack's signed requests time out. Every connection here is in one
of three states:

* waiting: connected or idle between requests, headers not complete (HEADER_TIMEOUT applies);
* reading: headers in, body still arriving (BODY_TIMEOUT applies);
* busy: a signed request is being answered (no timer; it is Slack's).

Waiting and reading connections are *evictable*. At `cap` open connections a new one closes the
oldest evictable one, so a flood of idle or half-sent sockets churns itself while a fresh
connection (Slack's) always gets in and becomes busy within milliseconds. Closures are logged at
most once per interval, with a count.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import OrderedDict
from typing import Any, Callable

from aiohttp import web

from bot.ratelog import RateLimitedLog

log = logging.getLogger("mlrole.slack")
notes = RateLimitedLog(log, interval=10.0)

HEADER_TIMEOUT = 10.0
"""Seconds a connection may take to send a request's headers, and may sit idle between requests."""
BODY_TIMEOUT = 10.0
"""Seconds a request's body may take to arrive once its headers are in (1 MiB at 100 KiB/s)."""
MAX_CONNECTIONS = 512


def connection_cap(limit: int | None = None) -> int:
    """Half the process's file-descriptor limit at most: the rest stays free for the database,
    Slack's Web API and the knowledge files, so `accept()` never fails for want of descriptors."""
    limit = MAX_CONNECTIONS if limit is None else limit
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):  # pragma: no cover - every supported platform has it
        return limit
    if soft == resource.RLIM_INFINITY:
        return limit
    return max(16, min(limit, soft // 2))


class _Tracked(asyncio.Protocol):
    """Wraps aiohttp's per-connection protocol; only adds the state and the timer."""

    def __init__(self, inner: Any, guard: "ConnectionGuard") -> None:
        self.inner = inner
        self.guard = guard
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.state = "waiting"
        self.admitted = False

    # asyncio.Protocol, delegated
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if not self.guard.admit(self):
            transport.abort()  # type: ignore[attr-defined]
            return
        self.admitted = True
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.forget(self)
        if self.admitted:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def _arm(self, seconds: float, why: str) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(seconds, self.guard.expire, self, why)


class ConnectionGuard:
    """The open connections of one server: caps them, times out slow ones, evicts idle ones."""

    def __init__(self, cap: int | None = None, header_timeout: float | None = None,
                 body_timeout: float | None = None) -> None:
        self.cap = cap if cap is not None else connection_cap()
        self.header_timeout = HEADER_TIMEOUT if header_timeout is None else header_timeout
        self.body_timeout = BODY_TIMEOUT if body_timeout is None else body_timeout
        self.open: dict[asyncio.BaseTransport, _Tracked] = {}
        self.evictable: OrderedDict[_Tracked, None] = OrderedDict()
        self.closed_slow = 0
        self.evicted = 0
        self.refused = 0

    def wrap(self, factory: Callable[[], Any]) -> Callable[[], asyncio.Protocol]:
        return lambda: _Tracked(factory(), self)

    def admit(self, conn: _Tracked) -> bool:
        while len(self.open) >= self.cap and self.evictable:
            oldest, _ = self.evictable.popitem(last=False)
            self.evicted += 1
            self._drop(oldest)
            notes.warning("evicted", "connection limit (%d) reached: closed the oldest idle or slow "
                          "connection (%d so far)", self.cap, self.evicted)
        if len(self.open) >= self.cap:
            self.refused += 1
            notes.warning("refused", "connection limit (%d) reached with every connection busy: "
                          "refused a new one (%d so far)", self.cap, self.refused)
            return False
        assert conn.transport is not None
        self.open[conn.transport] = conn
        self._wait(conn)
        return True

    def _wait(self, conn: _Tracked) -> None:
        conn.state = "waiting"
        self.evictable[conn] = None
        self.evictable.move_to_end(conn)
        conn._arm(self.header_timeout, "headers")

    def forget(self, conn: _Tracked) -> None:
        if conn.timer is not None:
            conn.timer.cancel()
            conn.timer = None
        self.evictable.pop(conn, None)
        if conn.transport is not None:
            self.open.pop(conn.transport, None)

    def expire(self, conn: _Tracked, why: str) -> None:
        conn.timer = None
        self.closed_slow += 1
        notes.warning(f"timeout-{why}", "closed a connection that did not send its %s in time "
                      "(%d so far)", "headers" if why == "headers" else "body", self.closed_slow)
        self._drop(conn)

    def _drop(self, conn: _Tracked) -> None:
        self.forget(conn)
        if conn.transport is not None and not conn.transport.is_closing():
            conn.transport.abort()  # type: ignore[attr-defined]

    # called by the request middleware and the events handler
    def _of(self, request: web.BaseRequest) -> _Tracked | None:
        transport = request.transport
        return self.open.get(transport) if transport is not None else None

    def headers_received(self, request: web.BaseRequest) -> None:
        conn = self._of(request)
        if conn is not None:
            conn.state = "reading"
            self.evictable[conn] = None
            self.evictable.move_to_end(conn)
            conn._arm(self.body_timeout, "body")

    def busy(self, request: web.BaseRequest) -> None:
        """A signed request: nothing evicts or times out this connection until it is answered."""
        conn = self._of(request)
        if conn is not None:
            conn.state = "busy"
            self.evictable.pop(conn, None)
            if conn.timer is not None:
                conn.timer.cancel()
                conn.timer = None

    def done(self, request: web.BaseRequest) -> None:
        conn = self._of(request)
        if conn is not None:
            self._wait(conn)


GUARD = web.AppKey("connection_guard", ConnectionGuard)


@web.middleware
async def track_requests(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    guard = request.app.get(GUARD)
    if guard is None:
        return await handler(request)
    guard.headers_received(request)
    try:
        return await handler(request)
    finally:
        guard.done(request)


class GuardedSite(web.TCPSite):
    """aiohttp's TCPSite, with every connection passing through a ConnectionGuard."""

    def __init__(self, runner: web.BaseRunner, guard: ConnectionGuard, *args: Any, **kwargs: Any) -> None:
        super().__init__(runner, *args, **kwargs)
        self.guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self.guard.wrap(server), self._host, self._port, ssl=self._ssl_context,
            backlog=self._backlog, reuse_address=self._reuse_address, reuse_port=self._reuse_port)


ACCEPT_FAILED = "socket.accept() out of system resource"


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """asyncio logs a traceback for every failed `accept()` (EMFILE): one line per interval instead."""
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if str(context.get("message", "")).startswith(ACCEPT_FAILED):
            exc = context.get("exception")
            notes.warning("accept", "cannot accept connections: %s (pausing; raise the file limit "
                          "or lower the load)", getattr(exc, "strerror", None) or type(exc).__name__)
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
