"""Instructions per request of each route, counted by callgrind, to compare checkouts on a noisy machine.

Wall-clock and CPU-time figures on a shared 2-core machine move by 20% from run to run; callgrind
counts instructions, which repeat to a fraction of a percent whatever else the machine does. Each
route runs in its own process twice, with 0 and with N requests after the same start-up and
warm-up; the difference divided by N is what one request costs, start-up excluded.

Usage (a redis-server must answer at R; valgrind must be installed):

    R=redis://127.0.0.1:7411/0 .venv/bin/python bench/instructions.py /path/to/checkout-a /path/to/checkout-b

Prints one line per checkout and route, and the change of each route from the first checkout.
BENCH_ROUTES (comma-separated, from ROUTES) picks routes; OTS_APP_ACCESS_LOG=off serves without the
access log, as the side-by-side runs do (checkouts that know the setting).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROUTES = tuple(os.environ.get("BENCH_ROUTES", "GET /,GET /secret/<key>,create,reveal,receipt").split(","))
REQUESTS = 60
PREPARED = 120
"""Secrets created before the measured requests (reveals need one each), the same for every run."""


def _settings() -> Any:  # noqa: ANN401 - the checkout's own Settings class
    from onetime.settings import Settings  # noqa: PLC0415 - imported from the checkout on PYTHONPATH

    name = "master_secret" if "master_secret" in Settings.__dataclass_fields__ else "secret"
    return Settings(
        redis_url=os.environ["R"],
        data_dir=Path(tempfile.mkdtemp()),
        bcrypt_cost=4,
        base_url="http://127.0.0.1:8000",
        rate_limits=False,
        **{name: b"k" * 32},
        **({"app_access_log": False} if os.environ.get("OTS_APP_ACCESS_LOG") == "off" else {}),
    )


async def _requests(route: str, count: int) -> None:
    """Start the app in process, prepare, warm up, then send `count` requests of one route."""
    import httpx  # noqa: PLC0415

    from web.app import create_app  # noqa: PLC0415

    logging.disable(logging.CRITICAL)
    app = create_app(_settings())
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            made = [(await client.post("/api/v1/share", data={"secret": "x" * 100})).json() for _ in range(PREPARED)]
            calls = {
                "GET /": lambda _: client.get("/"),
                "create": lambda _: client.post("/api/v1/share", data={"secret": "x" * 100}),
                "reveal": lambda i: client.post(f"/api/v1/secret/{made[i]['secret_key']}"),
                "receipt": lambda _: client.get(f"/api/v1/private/{made[-1]['metadata_key']}"),
                "GET /secret/<key>": lambda i: client.get(f"/secret/{made[i]['secret_key']}"),
            }
            call = calls[route]
            for i in range(PREPARED - 20, PREPARED - 1):
                await call(i)
            for i in range(count):
                await call(i)


def _count(checkout: str, route: str, requests: int) -> int:
    """Run one measured process under callgrind and return the instructions it executed."""
    env = {**os.environ, "PYTHONPATH": checkout}
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__]
    command += ["--run", route, str(requests)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    assert found, done.stderr[-500:]  # noqa: S101
    return int(found.group(1))


def main() -> None:
    """Compare the checkouts named on the command line."""
    if sys.argv[1:2] == ["--run"]:
        asyncio.run(_requests(sys.argv[2], int(sys.argv[3])))
        return
    checkouts = sys.argv[1:]
    first: dict[str, float] = {}
    for checkout in checkouts:
        for route in ROUTES:
            per_request = (_count(checkout, route, REQUESTS) - _count(checkout, route, 0)) / REQUESTS
            change = f"{per_request / first[route] - 1:+.1%}" if route in first else "(base)"
            first.setdefault(route, per_request)
            print(f"{checkout} {route}: {per_request / 1e6:.3f} M instructions per request {change}", flush=True)


if __name__ == "__main__":
    main()
