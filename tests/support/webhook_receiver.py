"""A real HTTP receiver for webhook tests: http.server on loopback, in a thread, answering scripted statuses."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass(frozen=True)
class Hit:
    """One request the receiver got: its path, headers (lower-case names) and body."""

    path: str
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """Listen on 127.0.0.1 (a free port); answer each POST with the next scripted status (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.hits: list[Hit] = []
        self.answered: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.hits.append(Hit(self.path, headers, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.answered.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the URL to set as an account's webhook."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ots?source=test"

    async def received(self, count: int, timeout: float = 10.0) -> list[Hit]:
        """Wait until at least `count` requests arrived; return all of them."""
        deadline = time.monotonic() + timeout
        while len(self.hits) < count:
            assert time.monotonic() < deadline, f"{len(self.hits)} of {count} webhook requests arrived in {timeout} s"
            await asyncio.sleep(0.02)
        return list(self.hits)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
