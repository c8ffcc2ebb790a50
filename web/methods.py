"""HEAD wherever GET is answered, and an Allow header that lists every method a path answers.

Litestar answers HEAD only on handlers that declare it, so an uptime monitor's HEAD got a 404 on
every page. Rather than declare HEAD on each GET handler (and forget it on the next one), the
app routes a HEAD as the GET of the same path and sends the GET's status and headers without the
body. A handler whose GET records something (the reveal page marks a secret viewed) asks
`is_head` and skips it: a HEAD only looks.

Litestar's automatic OPTIONS answer fixes its Allow header when a path's first handler is
registered, so a path that several handlers share (GET and POST of a receipt) listed too few;
`allow_every_method` writes the header from the path's route instead.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_HEAD = "ots.methods.head"  # scope state: this GET was asked as a HEAD


def is_head(request: Request[Any, Any, Any]) -> bool:
    """Return whether the request was a HEAD, routed to the GET handler of its path."""
    return bool(request.scope["state"].get(_HEAD, False))


def answer_head_as_get(app: ASGIApp) -> ASGIApp:
    """Wrap the app's ASGI handler so a HEAD gets what a GET gets, without the body."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return
        scope["method"] = "GET"
        scope["state"][_HEAD] = True

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.start":
                scope["method"] = "HEAD"  # the access log says what was asked
                await send(message)
            elif message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await send(message)

        await app(scope, receive, send_without_body)

    return handle


def methods_of(app: Litestar, path_template: str) -> list[str]:
    """Return the methods a path answers (HEAD wherever GET), sorted; `/secret/{key}` names a path."""
    methods: set[str] = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path_format == path_template:
            methods.update(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def allow_every_method(message: Message, scope: Scope) -> None:
    """Write the Allow header of an OPTIONS answer from its path's route (a before-send hook)."""
    if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
        return
    path_template = scope.get("path_template")
    if scope["method"] != "OPTIONS" or path_template is None:
        return
    headers = MutableScopeHeaders.from_message(message)
    if "allow" in headers:
        headers["allow"] = ", ".join(methods_of(scope["app"], path_template))
