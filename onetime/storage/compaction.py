"""Rewrite the embedded Redis's append-only file on a schedule, so consumed secrets leave the disk.

Redis appends every write to its AOF, the SET that stored a secret included, and keeps it after
the secret is revealed, burned or expired until a rewrite. A rewrite keeps only what is live. The
embedded Redis is asked for one every `OTS_AOF_COMPACT_SECONDS` when the file changed since the
last; one process of the deployment does it per interval (a short lock in Redis).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from onetime.errors import StorageUnavailable
from onetime.storage.client import RedisClient, storage_errors

COMPACTION_LOCK = "ots:aof:compacting"


class AofCompaction:
    """Ask Redis for an AOF rewrite every `interval` seconds when the file has grown since the last."""

    def __init__(self, client: RedisClient, interval: int) -> None:
        self.client = client
        self.interval = interval

    @storage_errors
    async def compact_if_changed(self) -> bool:
        """Start a rewrite if the AOF holds writes since the last one; True when one was started."""
        info = await self.client.info("persistence")
        if not info.get("aof_enabled") or info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled"):
            return False
        if int(info.get("aof_current_size", 0)) <= int(info.get("aof_base_size", 0)):
            return False
        await self.client.bgrewriteaof()
        return True

    @storage_errors
    async def _take_turn(self) -> bool:
        return bool(await self.client.set(COMPACTION_LOCK, "1", nx=True, ex=max(self.interval - 1, 1)))

    async def run(self) -> None:
        """Compact every interval until cancelled; a Redis fault waits for the next turn."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                if await self._take_turn():
                    await self.compact_if_changed()
            except StorageUnavailable:
                pass  # already logged once by storage_errors; the next turn tries again

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Compact in the background for the duration of the block (not at all with an interval of 0)."""
        if self.interval <= 0:
            yield
            return
        task = asyncio.create_task(self.run(), name="aof-compaction")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
