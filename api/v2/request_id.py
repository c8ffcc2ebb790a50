"""Every v2 answer carries an `x-request-id` header; its error bodies repeat it as `request_id`.

The id is always made here (a client's own is not echoed), so a log line or an error body never
carries text a client chose.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_STATE_KEY = "ots.v2.request_id"


def request_id_of(request: Request[Any, Any, Any]) -> str | None:
    """Return the id of this request, if the v2 router gave it one."""
    value = request.scope["state"].get(_STATE_KEY)
    return value if isinstance(value, str) else None


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give the request an id and put it on the answer's headers."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        request_id = secrets.token_hex(16)
        scope["state"][_STATE_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware
