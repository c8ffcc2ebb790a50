"""Collect what the app logs, to prove that no secret, password, token or address reaches a log."""

from __future__ import annotations

import logging
from typing import Self

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
