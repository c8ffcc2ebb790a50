"""`python -m bench.redis_paths`: client CPU per Redis command, one at a time against pipelined.

What automatic pipelining (commands of different requests issued in the same loop tick sent
together) could save, before building it: 16 tasks (as 16 connections would) each send the reveal
page's PREVIEW script call through the product's client (`onetime.storage.client.connect`), first
each on its own, then the same calls gathered into pipelines of 16. The figure is this process's
CPU time per command (time.process_time), the median of BENCH_ROUNDS (3) rounds of BENCH_CALLS
(8,000) calls; Redis's own CPU is not counted.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench.procs import free_port, start_redis
from onetime.storage import scripts
from onetime.storage.client import RedisClient, connect

CALLS = int(os.environ.get("BENCH_CALLS", "8000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TASKS = 16
KEYS = ["ots:secret:{a}", "ots:receipt:{a}"]


async def one_at_a_time(client: RedisClient) -> float:
    """Return the CPU microseconds per call with each task awaiting its own calls."""
    preview = client.register_script(scripts.PREVIEW)

    async def task() -> None:
        for _ in range(CALLS // TASKS):
            await preview(keys=KEYS, args=[0, "1"])

    started = time.process_time()
    await asyncio.gather(*(task() for _ in range(TASKS)))
    return (time.process_time() - started) / CALLS * 1e6


async def pipelined(client: RedisClient) -> float:
    """Return the CPU microseconds per call with the calls of the 16 tasks sent as one pipeline."""
    preview = client.register_script(scripts.PREVIEW)
    await preview(keys=KEYS, args=[0, "1"])  # loads the script, so the pipeline may use EVALSHA
    started = time.process_time()
    for _ in range(CALLS // TASKS):
        pipe = client.pipeline(transaction=False)
        for _ in range(TASKS):
            await preview(keys=KEYS, args=[0, "1"], client=pipe)  # type: ignore[arg-type]
        await pipe.execute()
    return (time.process_time() - started) / CALLS * 1e6


async def main() -> None:
    """Start a redis-server, measure both ways, print the medians."""
    tmp = Path(tempfile.mkdtemp(prefix="ots-redis-paths-"))
    port = free_port()
    redis = start_redis(port, tmp)
    try:
        await asyncio.sleep(0.5)
        client = connect(f"redis://127.0.0.1:{port}/0")
        await client.set(KEYS[0], b"\x00envelope")
        alone, together = [], []
        for _ in range(ROUNDS):
            alone.append(await one_at_a_time(client))
            together.append(await pipelined(client))
        await client.aclose()
    finally:
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    one, many = statistics.median(alone), statistics.median(together)
    print(
        f"PREVIEW script call, client CPU per call: one at a time {one:.1f} us, in pipelines of {TASKS} {many:.1f} us"
    )
    print(f"  ({many / one - 1:+.0%}; rounds: {[round(x, 1) for x in alone]} / {[round(x, 1) for x in together]})")


if __name__ == "__main__":
    asyncio.run(main())
