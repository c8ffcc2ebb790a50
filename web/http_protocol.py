"""The HTTP protocol `ots serve` speaks: uvicorn's httptools protocol with a deadline for headers.

uvicorn has no header-read timeout. Its keep-alive timeout runs only between two requests and is
cancelled by every byte received, and nothing runs before the first request: a client that
connects and sends nothing, or trickles a request line a byte at a time, holds the connection
(and its memory) for as long as it likes. This protocol closes a connection whose request headers
are not complete within `header_timeout` seconds of the connection opening (for the first request)
or of the request's first byte (for the next ones on a kept-alive connection), and refuses
headers larger than `MAX_HEADER_BYTES`, which httptools does not limit either.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

MAX_HEADER_BYTES = 64 * 1024
"""The request line and headers together; Caddy in front sends far less."""


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that closes connections whose request headers come too slowly."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        header_timeout: float,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout = header_timeout
        self._header_deadline: asyncio.TimerHandle | None = None
        self._header_bytes = 0
        self._parsed_header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request's headers as soon as the client connects."""
        super().connection_made(transport)
        self._start_header_clock()

    def data_received(self, data: bytes) -> None:
        """Parse the bytes; refuse a request whose headers are still incomplete after too many."""
        super().data_received(data)
        if self._header_deadline is None or self.transport.is_closing():
            return
        # Counted after parsing, so a chunk that completes the headers and carries a body is never
        # mistaken for headers.
        self._header_bytes += len(data)
        if self._header_bytes > MAX_HEADER_BYTES:
            self._stop_header_clock()
            self.send_400_response("Request headers too large.")

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count header bytes as they are parsed: a whole oversized block read at once is refused too."""
        self._parsed_header_bytes += len(name) + len(value) + 4  # ": " and CRLF
        if self._parsed_header_bytes > MAX_HEADER_BYTES:
            # httptools turns a callback's exception into a parser error, which uvicorn answers with 400.
            raise ValueError("request headers too large")
        super().on_header(name, value)

    def on_message_begin(self) -> None:
        """Start the clock for a later request's headers at its first byte."""
        super().on_message_begin()
        if self._header_deadline is None:
            self._start_header_clock()

    def on_headers_complete(self) -> None:
        """Stop the clock: the headers are in."""
        self._stop_header_clock()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock of a connection that went away."""
        self._stop_header_clock()
        super().connection_lost(exc)

    def _start_header_clock(self) -> None:
        self._header_bytes = 0
        self._parsed_header_bytes = 0
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _stop_header_clock(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
