"""Access log that never records a full key: paths are shortened, query strings dropped.

Every logged field is escaped to printable text, so a request cannot write a line of its own
(a `%0A` in a path) or move the cursor of a terminal showing the log (`%1B`). The middleware also
gives each request its id (shared by every line logged while it is served) and times it for the
metrics, by route template (never by path, which may hold a key), whether the access log is on or off.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.types.protocols import Logger

from onetime import metrics
from onetime.errors import OnetimeError
from onetime.keys import shorten
from web.log_format import new_request_id, request_id

log = logging.getLogger("ots.access")
_KEYISH = re.compile(r"[A-Za-z0-9]{20,}")
_ROUTED = "ots.access_log.routed"  # scope state: the middleware logs this request


def printable(text: str) -> str:
    """Return text fit for one log line: control and other non-printable characters escaped.

    Backslashes and double quotes are escaped too, so an escape in the log is always ours and a quoted field
    always ends where the line says it does.
    """
    if text.isprintable() and "\\" not in text and '"' not in text:
        return text
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char in '\\"':
        return "\\" + char
    return char if char.isprintable() else char.encode("unicode_escape").decode("ascii")


def safe_path(path: str) -> str:
    """Return the path fit for a log line, with every key-like segment cut to six characters."""
    return printable(_KEYISH.sub(lambda match: shorten(match.group(0)) + "...", path))


def _write(scope: Scope, status: int, elapsed_ms: float | None) -> None:
    client = scope.get("client") or ("-", 0)
    elapsed = "-" if elapsed_ms is None else f"{elapsed_ms:.1f}ms"
    method = printable(str(scope.get("method", "-")))
    path = safe_path(scope["path"])
    fields = {"client": printable(str(client[0])), "method": method, "path": path, "status": status}
    if elapsed_ms is not None:
        fields["ms"] = round(elapsed_ms, 1)
    log.info('%s "%s %s" %s %s', fields["client"], method, path, status, elapsed, extra={"http": fields})


def request_middleware(*, access_log: bool) -> Callable[[ASGIApp], ASGIApp]:
    """Return the middleware that gives each routed HTTP request its id and times it for the metrics.

    With `access_log` it also logs one line per request: client, method, safe path, status,
    milliseconds. Without it (Caddy logs the requests) the id and the metrics stay: only the line goes.
    """

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            scope["state"][_ROUTED] = True
            token = request_id.set(new_request_id())
            status = 500

            async def send_wrapper(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, send_wrapper)
            finally:
                elapsed = time.perf_counter() - started
                metrics.request_answered(scope.get("path_template") or metrics.UNROUTED, status, elapsed)
                if access_log:
                    _write(scope, status, elapsed * 1000)
                request_id.reset(token)

        return middleware

    return factory


access_log_middleware = request_middleware(access_log=True)
"""The middleware with the access log on (the default)."""


async def log_unrouted_response(message: Message, scope: Scope) -> None:
    """Log a response that no route produced (unknown path, wrong method): a before-send hook.

    Litestar runs middleware only for requests that match a route, so without this hook a
    scanner probing for paths would leave no trace.
    """
    routed = scope.get("state", {}).get(_ROUTED, False)
    if message["type"] == "http.response.start" and scope["type"] == ScopeType.HTTP and not routed:
        request_id.set(new_request_id())  # this task serves only this response
        _write(scope, message["status"], None)


def log_uncaught_exception(logger: Logger, scope: Scope, traceback_lines: list[str]) -> None:
    """Log a bug with its traceback and a safe path; expected errors are not bugs."""
    error = sys.exc_info()[1]
    if isinstance(error, OnetimeError) or (isinstance(error, HTTPException) and error.status_code < 500):  # noqa: PLR2004
        return
    logger.error(
        "uncaught %s on %s %s\n%s",
        type(error).__name__,
        printable(str(scope.get("method", "-"))),
        safe_path(scope["path"]),
        "".join(traceback_lines),
    )
