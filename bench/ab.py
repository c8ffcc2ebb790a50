"""`python -m bench.ab`: A/B of `ots serve` under different settings, interleaved in one run.

Every variant is the product served by `ots serve` (2 workers) with some OTS_* variables changed,
all running at once on the same redis-server; the rounds visit the variants in turn, so other
work on the machine weighs on all of them alike. Server CPU per request is the figure to compare
(it moves far less than req/s on a shared machine); the median of the rounds is printed.

    BENCH_AB='as is:;no access log:OTS_APP_ACCESS_LOG=off' .venv/bin/python -m bench.ab

BENCH_ROUNDS (3), BENCH_SECONDS (3) and BENCH_CONNECTIONS (16) tune it; results go to stdout and
bench/results/ab-$BENCH_AB_NAME.json (default "latest").
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.procs import REPO, Managed, free_port, start, start_redis, wait_http, wait_idle, wrk
from bench.run import CREATE_BODY, Bench, bench_env, preload_keys, serve_env, static, walk

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = 2


def variants() -> dict[str, dict[str, str]]:
    """Parse BENCH_AB: `name:VAR=value,VAR=value;name:...`."""
    found = {}
    for part in filter(None, os.environ.get("BENCH_AB", "as is:").split(";")):
        name, _, assignments = part.partition(":")
        found[name.strip()] = dict(item.split("=", 1) for item in filter(None, assignments.split(",")))
    return found


async def main() -> int:
    """Serve every variant, run the rounds, print the medians."""
    tmp = Path(tempfile.mkdtemp(prefix="ots-ab-"))
    port = free_port()
    redis = start_redis(port, tmp)
    env = bench_env(tmp)
    bench = Bench(tmp=tmp, redis_port=port, env=env, redis_server=redis)
    servers: dict[str, tuple[Managed, str]] = {}
    samples: dict[tuple[str, str], list[dict[str, float]]] = {}
    load_before = os.getloadavg()[0]
    try:
        for index, (name, changes) in enumerate(variants().items()):
            server_port = free_port()
            server_env = {**serve_env(bench, server_port, WORKERS), **changes}
            server = start(f"ab-{index}", [str(Path(sys.executable).parent / "ots"), "serve"], server_env, tmp)
            url = f"http://127.0.0.1:{server_port}"
            wait_http(url + "/api/v1/status", server)
            servers[name] = (server, url)
        pool = await preload_keys(bench, 2000, "ab-pool")
        routes: dict[str, dict[str, Any]] = {
            "GET /": {"path": "/"},
            "create": {"path": "/api/v1/share", "env": static("POST", CREATE_BODY)},
            "GET /secret/<key>": {"script": "walk.lua", "env": walk(pool, "/secret/KEY", once=False)},
        }
        for _, url in servers.values():
            await wrk(url, CONNECTIONS, 1, **routes["GET /"])
        for round_number in range(ROUNDS):
            for route, options in routes.items():
                order = list(servers.items())
                if round_number % 2:
                    order.reverse()
                for name, (server, url) in order:
                    wait_idle(server)
                    result = await wrk(url, CONNECTIONS, SECONDS, server=server, redis=redis, **options)
                    cpu = result.server_cpu_us or 0.0
                    samples.setdefault((name, route), []).append({"rps": result.rps, "cpu": cpu, "p99": result.p99_ms})
                    print(
                        f"  round {round_number + 1} {route:<16} {name:<24} {result.rps:7.0f} req/s"
                        f"  {cpu:5.0f} us/req  p99 {result.p99_ms:6.1f} ms  errors {result.errors}",
                        flush=True,
                    )
    finally:
        for server, _ in servers.values():
            server.stop()
        redis.stop()
    load = f"{load_before:.2f} -> {os.getloadavg()[0]:.2f}"
    print(f"\nmedians of {ROUNDS} rounds, {WORKERS} workers, c={CONNECTIONS}, {SECONDS:g} s a run, load average {load}")
    rows = []
    first: dict[str, float] = {}
    for (name, route), runs in samples.items():
        cpu = statistics.median(run["cpu"] for run in runs)
        rps = statistics.median(run["rps"] for run in runs)
        p99 = statistics.median(run["p99"] for run in runs)
        base = first.setdefault(route, cpu)
        rows.append({"variant": name, "route": route, "cpu_us": round(cpu), "rps": round(rps), "p99_ms": round(p99, 1)})
        print(
            f"  {route:<16} {name:<24} {cpu:5.0f} us/req ({cpu / base - 1:+.0%})  {rps:7.0f} req/s  p99 {p99:6.1f} ms"
        )
    out = {"variants": variants(), "rounds": ROUNDS, "connections": CONNECTIONS, "load_average": load, "rows": rows}
    (REPO / "bench" / "results" / f"ab-{os.environ.get('BENCH_AB_NAME', 'latest')}.json").write_text(
        json.dumps(out, indent=2) + "\n"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
