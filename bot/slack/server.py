"""`mlrole serve`: the Slack app over HTTP (aiohttp) or Socket Mode, with /healthz and a clean stop."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack.connections import (
    GUARD,
    ConnectionGuard,
    GuardedSite,
    quiet_accept_errors,
    track_requests,
)
from bot.slack.health import SlackState, healthz_handler
from bot.slack.verify import check_signature, decode_signed, is_ssl_check, log_refusal

log = logging.getLogger("mlrole.slack")

MAX_BODY_BYTES = 1024 * 1024
"""Above anything Slack sends, refused before it is read. Slack's big bodies: a button press in an
App Home carries the whole home view (100 roles: ~76 KiB; Slack allows 100 blocks of up to 3,000
characters), a DM carries its text twice (text and rich_text blocks; Slack allows 40,000 characters,
up to 12 bytes each once JSON-escaped: ~940 KiB). 1 MiB answers all of them; at most `cap`
connections can hold one, and a body must arrive within BODY_TIMEOUT."""
SHUTDOWN_TIMEOUT = 10.0
EVENTS_PATH = "/slack/events"
BOLT_APP = web.AppKey("bolt_app", AsyncApp)


def create_health_app(knowledge: Any, store: Any, slack: SlackState) -> web.Application:
    """Socket Mode: no Slack requests come over HTTP, but the platform and probes still need /healthz."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_get("/healthz", healthz_handler(knowledge, store, slack))
    return web_app


class PortInUse(RuntimeError):
    pass


async def start_site(web_app: web.Application, port: int, guard: ConnectionGuard | None = None) -> web.AppRunner:
    """Listen on `port` (through `guard`, when given); a port that is taken is one line (PortInUse)."""
    runner = web.AppRunner(web_app, shutdown_timeout=SHUTDOWN_TIMEOUT, access_log=None)
    await runner.setup()
    site = (GuardedSite(runner, guard, host="0.0.0.0", port=port) if guard is not None
            else web.TCPSite(runner, host="0.0.0.0", port=port))
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise PortInUse(f"cannot listen on port {port} ({exc.strerror or exc}): another process has it; "
                        "stop it or set PORT to a free port") from None
    return runner


def create_web_app(settings: Settings, knowledge: Any, store: Any, client: AsyncWebClient | None = None,
                   app: AsyncApp | None = None, guard: ConnectionGuard | None = None,
                   **app_kwargs: Any) -> web.Application:
    if app is None:
        from bot.slack.app import build_app

        app = build_app(settings, knowledge, store, client=client, **app_kwargs)
    bolt_app = app

    secret = settings.signing_secret or ""

    async def events(request: web.Request) -> web.StreamResponse:
        """Signature first, over the raw bytes; only a signed body is decoded and handed to bolt."""
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise
        except (OSError, asyncio.TimeoutError, aiohttp.ClientError):  # closed or timed out mid-body
            return web.Response(status=408)
        refusal = check_signature(secret, raw, request.headers.get("X-Slack-Request-Timestamp"),
                                  request.headers.get("X-Slack-Signature"))
        text = None
        if refusal is None:
            # the content type exactly as bolt will read it (`extract_content_type`)
            text, refusal = decode_signed(raw, (request.headers.get("Content-Type") or "").split(";")[0] or None)
        if refusal is not None and is_ssl_check(raw):
            return web.Response(status=200)  # Slack's certificate probe; bolt answers it unsigned too
        if refusal is not None:
            log_refusal(refusal, request.remote, len(raw), request.path)
            return web.Response(status=refusal.status)
        guard = request.app.get(GUARD)
        if guard is not None:
            guard.busy(request)
        bolt_request = AsyncBoltRequest(body=text or "", query=request.query_string,
                                        headers=request.headers)  # type: ignore[arg-type]
        bolt_response = await bolt_app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[track_requests])
    web_app[BOLT_APP] = bolt_app
    if guard is not None:
        web_app[GUARD] = guard
    sender = getattr(bolt_app, "_mlrole_sender", None)
    if sender is not None:
        async def close_sender(_app: web.Application) -> None:
            await sender.aclose()

        web_app.on_cleanup.append(close_sender)
    web_app.router.add_post(EVENTS_PATH, events)
    web_app.router.add_get("/healthz", healthz_handler(knowledge, store, SlackState("http")))
    if settings.public_page:
        from bot.page import page_handler

        web_app.router.add_get("/", page_handler(knowledge))
    oauth_flow = getattr(bolt_app, "oauth_flow", None)
    if oauth_flow is not None:  # multi-workspace install pages, when OAuth is configured
        def bolt_get(request: web.Request) -> AsyncBoltRequest:  # the query is all these pages read
            return AsyncBoltRequest(body="", query=request.query_string, headers=request.headers)  # type: ignore[arg-type]

        async def install(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(await oauth_flow.handle_installation(bolt_get(request)))

        async def callback(request: web.Request) -> web.StreamResponse:
            return await to_aiohttp_response(await oauth_flow.handle_callback(bolt_get(request)))

        web_app.router.add_get(oauth_flow.install_path, install)
        web_app.router.add_get(oauth_flow.redirect_uri_path, callback)
    return web_app


def configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)
    # slack_sdk logs request bodies (and headers) at DEBUG; keep tokens out of the logs
    for noisy in ("slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLogger().level))


def serve(knowledge: str | None = None) -> int:
    from bot.preflight import environment_problems

    problems = environment_problems()
    if problems:
        for problem in problems:
            print(f"mlrole: {problem}", file=sys.stderr)
        return 2
    settings = Settings.from_env(knowledge=knowledge)
    from bot.slack.app import SlackSettingsError, check_settings

    try:
        check_settings(settings, oauth=settings.oauth_configured)
    except SlackSettingsError as missing:
        print(f"mlrole: {missing}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    from bot.knowledge import KnowledgeError
    from bot.live import LiveKnowledge

    try:
        live = LiveKnowledge(settings.knowledge, settings.org_file)
    except KnowledgeError as e:
        problems = getattr(e, "problems", None) or [str(e)]
        print(f"mlrole: the knowledge base at {settings.knowledge} has {len(problems)} problem(s):",
              file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    try:
        problem = asyncio.run(_refused_token(settings))
        if problem:
            print(f"mlrole: {problem}", file=sys.stderr)
            return 2
        return asyncio.run(run(settings, live))
    except PortInUse as exc:
        print(f"mlrole: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


_REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


async def _refused_token(settings: Settings) -> str | None:
    """Ask Slack once whether it accepts the tokens, so a typo fails at start, not on every message.

    Only a definite refusal stops the bot; if Slack cannot be reached it starts anyway and
    the retry handlers take over.
    """
    from slack_sdk.errors import SlackApiError

    client = AsyncWebClient(base_url=settings.api_url, timeout=10)
    checks = []
    if settings.bot_token:
        checks.append(("SLACK_BOT_TOKEN", lambda: client.auth_test(token=settings.bot_token)))
    if settings.app_token:
        checks.append(("SLACK_APP_TOKEN",
                       lambda: client.apps_connections_open(app_token=settings.app_token)))
    for name, call in checks:
        try:
            await call()
        except SlackApiError as e:
            error = e.response.get("error") if e.response is not None else None
            if error in _REFUSED:
                return f"Slack refused {name} ({error}): check the token in your app's settings"
            log.warning("could not check %s with Slack (%s); starting anyway", name, error)
        except Exception as e:  # unreachable, DNS, timeout: not a verdict on the token
            log.warning("could not check %s with Slack (%s); starting anyway", name, type(e).__name__)
    return None


async def run(settings: Settings, knowledge: Any, stop: asyncio.Event | None = None,
              ready: asyncio.Event | None = None) -> int:
    """Serve until SIGTERM/SIGINT (or `stop`), then finish in-flight requests and close storage."""
    from bot.storage import open_store

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
            handled.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    before = set(asyncio.all_tasks())
    store = await open_store(settings)
    where = getattr(store, "where", None)
    log.info("storage: %s; data kept %s", where or "memory only (nothing persists)",
             f"{settings.retention_days} days" if settings.retention_days else "without a time limit")
    watcher = asyncio.create_task(knowledge.watch(stop), name="knowledge-watch")
    from bot.retention import enforce_retention

    retention = asyncio.create_task(enforce_retention(store, settings.retention_days, stop), name="retention")
    runner: web.AppRunner | None = None
    socket_handler = None
    app: AsyncApp | None = None
    web_app: web.Application | None = None
    connected = True  # False only when stopped before Socket Mode connected
    digest: asyncio.Task | None = None  # the weekly digest (MLROLE_DIGEST=weekly)
    try:
        oauth_kwargs = _oauth_kwargs(settings, store)
        if settings.app_token:
            from bot.slack.app import build_app
            from bot.slack.socket import SocketModeHandler

            app = build_app(settings, knowledge, store, **oauth_kwargs)
            # the handler's Web API client (apps.connections.open) is app.client, built on SLACK_API_URL
            socket_handler = SocketModeHandler(app, settings.app_token, web_client=app.client)
            runner = await start_site(create_health_app(knowledge, store, SlackState(
                "socket", socket_handler.client.is_connected)), settings.port)
            log.info("mlrole serving /healthz on port %d while in Socket Mode", settings.port)
            connected = await _connect_or_stop(socket_handler, stop)
            if not connected:
                log.warning("mlrole stopped before the Socket Mode connection was established")
            else:
                log.info("mlrole connected over Socket Mode (knowledge version %s)",
                         knowledge.status()["version"])
        else:
            guard = ConnectionGuard()
            quiet_accept_errors(asyncio.get_running_loop())
            web_app = create_web_app(settings, knowledge, store, guard=guard, **oauth_kwargs)
            runner = await start_site(web_app, settings.port, guard)
            log.info("mlrole listening on port %d (knowledge version %s)", settings.port,
                     knowledge.status()["version"])
        bolt_app = app if app is not None else (web_app[BOLT_APP] if web_app is not None else None)
        if bolt_app is not None and connected:
            from bot.slack.digest import start_digest

            digest = start_digest(bolt_app.client, settings, knowledge, store, stop)
        if ready is not None and connected:
            ready.set()
        await stop.wait()
        log.info("mlrole stopping: finishing requests in flight")
    finally:
        stop.set()
        if socket_handler is not None:
            try:
                await socket_handler.close_async()
            except Exception:
                log.exception("error closing the Socket Mode connection")
        if runner is not None:
            await runner.cleanup()  # stops accepting, waits for handlers up to shutdown_timeout
        if digest is not None:
            digest.cancel()
            await asyncio.gather(digest, return_exceptions=True)
        await _drain_background_tasks(before, watcher, retention, *([digest] if digest is not None else []))
        bolt = app if app is not None else (web_app.get(BOLT_APP) if web_app is not None else None)
        sender = getattr(bolt, "_mlrole_sender", None)
        if sender is not None:  # replies sent while draining may have reopened it
            await sender.aclose()
        for task in (watcher, retention):
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        try:
            await store.close()
        except Exception:
            log.exception("error closing storage")
        for sig in handled:
            loop.remove_signal_handler(sig)
    log.info("mlrole stopped")
    return 0


async def _drain_background_tasks(before: set[asyncio.Task], *keep: asyncio.Task,
                                  timeout: float = SHUTDOWN_TIMEOUT) -> None:
    """Listeners run after the ack (bolt schedules them as tasks): let them finish their replies."""
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks()
               if t is not current and t not in keep and t not in before and not t.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout)


async def _connect_or_stop(handler: Any, stop: asyncio.Event) -> bool:
    """Connect over Socket Mode unless `stop` comes first: the SDK retries a failing
    apps.connections.open (bad app token, Slack unreachable) forever, and SIGTERM must still end it."""
    connecting = asyncio.create_task(handler.connect_async(), name="socket-mode-connect")
    stopping = asyncio.create_task(stop.wait(), name="socket-mode-stop")
    try:
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
        await asyncio.gather(connecting, stopping, return_exceptions=True)
    if connecting.cancelled():
        return False
    connecting.result()  # a connect that raised is an error at start-up
    return True


def _oauth_kwargs(settings: Settings, store: Any) -> dict[str, Any]:
    """Multi-workspace OAuth (bot.slack.oauth) when SLACK_CLIENT_ID/SECRET and SLACK_STATE_SECRET are set."""
    if not settings.oauth_configured:
        return {}
    from bot.slack.oauth import build_oauth_settings

    engine_or_url = store if getattr(store, "engine", None) is not None else settings.database_url
    oauth_settings = build_oauth_settings(settings, engine_or_url)
    return {"oauth_settings": oauth_settings} if oauth_settings is not None else {}
