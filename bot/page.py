"""GET / for `mlrole serve` when MLROLE_PUBLIC_PAGE is on: the exported page, kept current.

The page is rebuilt when the served knowledge base or the people directory changes (a reload
swaps the Answerer), not per request. It has no sign-in, so it carries no one's name: user
groups and channels from the overlay are shown, their members are not.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiohttp import web

from bot.export_html import build_page


def page_handler(knowledge: Any) -> Callable[[web.Request], Awaitable[web.Response]]:
    built: dict[str, Any] = {"key": None, "body": b""}

    async def page(_request: web.Request) -> web.Response:
        answerer = knowledge.answerer
        key = (answerer, answerer.people.directory)  # held, so identity cannot be reused
        if built["key"] is None or built["key"][0] is not key[0] or built["key"][1] is not key[1]:
            built["body"] = build_page(answerer.kb, answerer.org, answerer.people.directory,
                                       names=False).encode("utf-8")
            built["key"] = key
        return web.Response(body=built["body"], content_type="text/html", charset="utf-8",
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                     "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                                     "form-action 'none'; frame-ancestors 'none'",
                                     "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    return page
