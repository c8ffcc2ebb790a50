"""A read-only deployment (OTS_MODE=read) serves only the routes declared to reveal.

Routes declare `opt={IN_READ_MODE: True}` (reveal pages and APIs, the status routes, static files
and brand assets); routes for the machine's own tools (`ANY_HOST`) check their callers themselves.
Every other route (creating, receipts, accounts, domains) answers `ReadOnlyDeployment`: a 403 with
the reason, in the shape of its face (a page, a v1 error, a v2 error).
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from onetime.policy import IN_READ_MODE, ReadOnlyDeployment
from web.sites import ANY_HOST


async def refuse_in_read_mode(_connection: ASGIConnection, route_handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    """Refuse a route a read-only deployment does not serve (a guard: it runs before the handler).

    Installed only when OTS_MODE=read (web/app.py). A coroutine on purpose: Litestar runs a plain
    function guard in a worker thread, a thread hop on every request of every route (issue 13).
    """
    opt = route_handler.opt
    if not (opt.get(IN_READ_MODE, False) or opt.get(ANY_HOST, False)):
        raise ReadOnlyDeployment
