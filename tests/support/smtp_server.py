"""A real SMTP server for tests (aiosmtpd on loopback, a free port) that keeps what it accepts.

aiosmtpd runs its own event loop in a thread; tests wait for messages with `await received(n)`.
It can be started, stopped and started again on the same port, to play an outage.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.redis_server import free_port


@dataclass
class Received:
    """One accepted message: the envelope and the parsed message, with its raw bytes."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage = field(init=False)

    def __post_init__(self) -> None:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.message = parsed


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, _server: Any, _session: Any, envelope: Any, address: str, _options: list[str]) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.sink.refuse_recipients:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.sink.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts (or refuses) mail and keeps every message."""

    def __init__(
        self, port: int | None = None, *, refuse_recipients: bool = False, login: tuple[str, str] | None = None
    ) -> None:
        self.port = port or free_port()
        self.refuse_recipients = refuse_recipients
        self.login = login
        self.logins: list[tuple[str, str]] = []
        self.messages: list[Received] = []
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """Return the OTS_SMTP_URL that reaches this server."""
        credentials = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        return f"smtp://{credentials}127.0.0.1:{self.port}"

    def _authenticate(self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        given = (data.login.decode(), data.password.decode())
        self.logins.append(given)
        return AuthResult(success=given == self.login)

    def start(self) -> Self:
        """Listen on the port (again)."""
        options: dict[str, Any] = {}
        if self.login:
            options = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening; connections are refused until `start()`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def received(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Wait until at least `count` messages arrived; return all of them."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} messages arrived in {timeout} s"
            await asyncio.sleep(0.02)
        return list(self.messages)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
