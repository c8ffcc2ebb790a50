"""Collect what the app logs, to prove that no secret, password, token or address reaches a log."""

from __future__ import annotations

import json
import logging
from typing import Any, Self

NOT_THE_SERVER = {"mail", "httpx"}
"""Loggers of the test's own SMTP server (aiosmtpd logs as "mail") and HTTP client."""


class CollectedLogs(logging.Handler):
    """Keep every log record logged inside a `with` block, as a handler of the root logger.

    Enter the block after the app has started: Litestar's logging config replaces the root
    logger's handlers, caplog's among them.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> Self:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *_: object) -> None:
        logging.getLogger().removeHandler(self)

    def server_messages(self) -> list[str]:
        """Return the messages the server logged, without those of the test's own SMTP server and client."""
        return [record.getMessage() for record in self.records if record.name.split(".")[0] not in NOT_THE_SERVER]


def json_lines(output: str) -> list[dict[str, Any]]:
    """Parse a server's output written with OTS_LOG_FORMAT=json: every line must be one JSON object."""
    lines = []
    for number, line in enumerate(output.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed = json.loads(line)
        except ValueError:
            raise AssertionError(f"line {number} is not JSON: {line!r}") from None
        assert isinstance(parsed, dict), line
        assert {"time", "level", "logger", "message", "request_id"} <= parsed.keys(), line
        lines.append(parsed)
    return lines


def messages(output: str, log_format: str) -> str:
    """Return what a server's lines say, one message a line, whichever format wrote them."""
    if log_format == "json":
        return "\n".join(str(line["message"]) for line in json_lines(output))
    return output
