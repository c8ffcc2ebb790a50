"""`python -m bench.redis_paths`: client CPU per Redis command, by the way it reaches Redis.

16 tasks (as 16 requests would) each send the reveal page's PREVIEW script call: through redis-py's
pooled client configured as the product's was before issue 13 (its BlockingConnectionPool), through
the product's client (`onetime.storage.client.connect`: the multiplexed connection, commands of one
loop tick in one write), and, for reference, gathered by hand into redis-py pipelines of 16. The
figure is this process's CPU time per command (time.process_time), the median of BENCH_ROUNDS (3)
rounds of BENCH_CALLS (8,000) calls; Redis's own CPU is not counted. BENCH_LOOP=uvloop runs it on
uvloop, the loop `ots serve` runs on.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import uvloop
from redis.asyncio import Redis

from bench.procs import free_port, start_redis
from onetime.storage import scripts
from onetime.storage.client import RedisClient, connect

CALLS = int(os.environ.get("BENCH_CALLS", "8000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TASKS = 16
KEYS = ["ots:secret:{a}", "ots:receipt:{a}"]
ARGS = [0, "1", "e", "o", "nl", "nw"]  # now, mark viewed, the field codes it reads


async def one_at_a_time(client: RedisClient) -> float:
    """Return the CPU microseconds per call with each task awaiting its own calls."""
    preview = client.register_script(scripts.PREVIEW)

    async def task() -> None:
        for _ in range(CALLS // TASKS):
            await preview(keys=KEYS, args=ARGS)

    started = time.process_time()
    await asyncio.gather(*(task() for _ in range(TASKS)))
    return (time.process_time() - started) / CALLS * 1e6


async def pipelined(client: RedisClient) -> float:
    """Return the CPU microseconds per call with the calls of the 16 tasks sent as one pipeline."""
    preview = client.register_script(scripts.PREVIEW)
    await preview(keys=KEYS, args=ARGS)  # loads the script, so the pipeline may use EVALSHA
    started = time.process_time()
    for _ in range(CALLS // TASKS):
        pipe = client.pipeline(transaction=False)
        for _ in range(TASKS):
            await preview(keys=KEYS, args=ARGS, client=pipe)  # type: ignore[arg-type]
        await pipe.execute()
    return (time.process_time() - started) / CALLS * 1e6


async def main() -> None:
    """Start a redis-server, measure each way, print the medians."""
    tmp = Path(tempfile.mkdtemp(prefix="ots-redis-paths-"))
    port = free_port()
    redis = start_redis(port, tmp)
    try:
        await asyncio.sleep(0.5)
        client = connect(f"redis://127.0.0.1:{port}/0")
        pooled = Redis(connection_pool=client.connection_pool)  # redis-py's own path, same pool settings
        await client.set(KEYS[0], b"\x00envelope")
        rounds: dict[str, list[float]] = {"pooled": [], "multiplexed": [], "pipelines": []}
        for _ in range(ROUNDS):
            rounds["pooled"].append(await one_at_a_time(pooled))
            rounds["multiplexed"].append(await one_at_a_time(client))
            rounds["pipelines"].append(await pipelined(pooled))
        await pooled.aclose()
        await client.aclose()
    finally:
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    pooled_us, multiplexed_us, piped_us = (statistics.median(values) for values in rounds.values())
    print(f"PREVIEW script call, client CPU per call, {TASKS} tasks:")
    print(f"  redis-py pooled client       {pooled_us:6.1f} us")
    print(f"  multiplexed (connect())      {multiplexed_us:6.1f} us  ({multiplexed_us / pooled_us - 1:+.0%})")
    print(f"  redis-py pipelines of {TASKS}     {piped_us:6.1f} us  ({piped_us / pooled_us - 1:+.0%})")
    print(f"  rounds: { ({name: [round(x, 1) for x in values] for name, values in rounds.items()}) }")


if __name__ == "__main__":
    if os.environ.get("BENCH_LOOP") == "uvloop":  # the loop `ots serve` runs on
        uvloop.run(main())
    else:
        asyncio.run(main())
