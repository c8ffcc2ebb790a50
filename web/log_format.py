"""How log lines look: plain text (the default), or one JSON object a line (OTS_LOG_FORMAT=json).

Every line written while a request is served carries that request's id (a context variable set by
the access log middleware), so the access line and an error line of one request can be matched.
What a line says is up to the code that logs it, which never logs a secret, key, token, email or
passphrase; this module only shapes the line.
"""

from __future__ import annotations

import json
import logging
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from litestar.logging import LoggingConfig
from litestar.types.callable_types import ExceptionLoggingHandler

JSON = "json"
REQUEST_ID_BYTES = 8
NO_REQUEST = "-"

request_id: ContextVar[str] = ContextVar("ots_request_id", default=NO_REQUEST)
"""The id of the request being served in this task ("-" outside any request)."""


def new_request_id() -> str:
    """Return a fresh random request id (16 hex characters)."""
    return secrets.token_hex(REQUEST_ID_BYTES)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id, in the thread that logs it (before any queue)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` to the record; never drop it."""
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line: time, level, logger, message, request id.

    An access line adds its fields under "http"; an exception's traceback goes under "exception"
    (escaped, so it stays on the line).
    """

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        http = getattr(record, "http", None)
        if http is not None:
            line["http"] = http
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def app_logging_config(log_format: str, exception_handler: ExceptionLoggingHandler) -> LoggingConfig:
    """Return the Litestar logging config of a server process for this format."""
    if log_format != JSON:
        return LoggingConfig(log_exceptions="always", exception_logging_handler=exception_handler)
    config = LoggingConfig(
        formatters={"standard": {"()": JsonFormatter}},
        filters={"request_id": {"()": RequestIdFilter}},
        log_exceptions="always",
        exception_logging_handler=exception_handler,
    )
    # The id is read where the line is logged: the queue's listener writes from another thread.
    config.handlers = {name: {**handler, "filters": ["request_id"]} for name, handler in config.handlers.items()}
    return config


def configure_command_logging(level: int, log_format: str) -> None:
    """Set up the logging of the `ots` command itself (the parent of a server's workers)."""
    handler = logging.StreamHandler()
    if log_format == JSON:
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])


def uvicorn_log_config(log_format: str) -> dict[str, Any] | None:
    """Return the logging config uvicorn applies in the parent and in each worker (None: its own)."""
    if log_format != JSON:
        return None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "filters": {"request_id": {"()": RequestIdFilter}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["json"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["json"], "level": "INFO"},
    }
