"""Server CPU per request in process, for comparing two checkouts in one run (no wrk, no sockets).

Usage: start a redis-server, then for each checkout
    R=redis://127.0.0.1:PORT/0 PYTHONPATH=/path/to/checkout .venv/bin/python bench/cpu_ab.py
and alternate the checkouts a few times. Figures include the in-process httpx client, which costs
the same for both; compare them with each other, not with `make bench`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from onetime.settings import Settings
from web.app import create_app

ROUNDS = 3
VALUE = "x" * 100


def settings() -> Settings:
    """Return bench settings; older checkouts call the master secret `secret`."""
    name = "master_secret" if "master_secret" in Settings.__dataclass_fields__ else "secret"
    values: dict[str, Any] = {name: b"k" * 32}
    return Settings(
        redis_url=os.environ["R"],
        data_dir=Path(tempfile.mkdtemp()),
        bcrypt_cost=4,
        base_url="http://127.0.0.1:8000",
        rate_limits=False,
        **values,
    )


async def measure(count: int) -> dict[str, float]:
    """Return the median CPU microseconds per request of each route over ROUNDS rounds."""
    app = create_app(settings())
    found: dict[str, float] = {}
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            made = [(await client.post("/api/v1/share", data={"secret": VALUE})).json() for _ in range(count + 1)]
            per_round = count // ROUNDS
            routes = {
                "GET /": lambda _: client.get("/"),
                "create": lambda _: client.post("/api/v1/share", data={"secret": VALUE}),
                "reveal": lambda i: client.post(f"/api/v1/secret/{made[i]['secret_key']}"),
                "receipt": lambda _: client.get(f"/api/v1/private/{made[-1]['metadata_key']}"),
            }
            for name, call in routes.items():
                samples = []
                for round_number in range(ROUNDS):
                    started = time.process_time()
                    for i in range(round_number * per_round, (round_number + 1) * per_round):
                        await call(i)
                    samples.append((time.process_time() - started) / per_round * 1e6)
                found[name] = statistics.median(samples)
    return found


def main() -> None:
    """Print the figures on one line."""
    logging.disable(logging.CRITICAL)
    figures = asyncio.run(measure(int(os.environ.get("N", "900"))))
    print(" ".join(f"{name}={value:.0f}us" for name, value in figures.items()))


if __name__ == "__main__":
    main()
