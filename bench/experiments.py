"""`python -m bench.experiments`: measure the proposed changes (bench/variants.py) side by side.

Each variant is the product app with some patches, served by `bench.serve` with the product's
uvicorn settings and 2 workers, measured on create, reveal and receipt at 16 and 64 connections.
Results: bench/results/experiments.json and a table on stdout. Not part of `make bench`.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import preload
from bench.procs import REPO, free_port, start, start_redis, wait_http, wait_idle, wrk
from bench.run import CREATE_BODY, SECONDS, Bench, mixed, preload_keys, serve_env, static, walk

VARIANTS = {
    "product as is": "",
    "seqdi (no task group per request)": "seqdi",
    "nolog (no access log)": "nolog",
    "reveal1rt (one-script reveal)": "reveal1rt",
    "all three": "seqdi,nolog,reveal1rt",
    "bcrypt1 (one bcrypt thread at nice 10)": "bcrypt1",
}
MODE = os.environ.get("BENCH_MODE", "load")  # or "mixed"
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SERVER = os.environ.get("BENCH_SERVER", "uvicorn")
REPS = int(os.environ.get("BENCH_REPS", "3"))
CONNECTIONS = tuple(int(c) for c in os.environ.get("BENCH_CONNECTIONS", "16").split(","))


async def measure_mixed(bench: Bench, name: str, patches: str) -> list[dict[str, Any]]:
    """Serve one variant and run the mixed test of `make bench` (reveals under a passphrase attack)."""
    port = free_port()
    env = {**serve_env(bench, port, WORKERS), "BENCH_APP": "bench.variants:create_app", "BENCH_PATCHES": patches}
    server = start(f"variant-{patches or 'none'}", [sys.executable, "-m", "bench.serve"], env, bench.tmp)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/api/v1/status", server)
        results = await mixed(bench, url, server, WORKERS)
    finally:
        server.stop()
    return [{"variant": name, **result} for result in results]


async def measure(bench: Bench, name: str, patches: str) -> list[dict[str, Any]]:
    """Serve one variant and measure it."""
    port = free_port()
    env = {**serve_env(bench, port, WORKERS), "BENCH_APP": "bench.variants:create_app", "BENCH_PATCHES": patches}
    command = [sys.executable, "-m", "bench.serve"]
    if SERVER == "granian":  # the same app under granian (needs granian importable: PYTHONPATH or pip)
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(WORKERS), "--loop", "uvloop", "--factory", "bench.variants:create_app"]  # fmt: skip
    server = start(f"variant-{patches or 'none'}", command, env, bench.tmp)
    url = f"http://127.0.0.1:{port}"
    rows = []
    try:
        wait_http(url + "/api/v1/status", server)
        await wrk(url, 16, 1, path="/api/v1/share", env=static("POST", CREATE_BODY))
        for connections in CONNECTIONS:
            created = await bench.load(
                server, url, connections, SECONDS, path="/api/v1/share", env=static("POST", CREATE_BODY)
            )
            keys = await preload_keys(bench, max(2000, math.ceil(created.rps * SECONDS * 3)), "exp")
            wait_idle(server)
            revealed = await bench.load(
                server,
                url,
                connections,
                SECONDS,
                script="walk.lua",
                env=walk(keys, "/api/v1/secret/KEY", method="POST", once=True),
            )
            receipt = await bench.load(
                server,
                url,
                connections,
                SECONDS,
                script="walk.lua",
                env=walk(keys.with_suffix(".m"), "/api/v1/private/KEY", once=False),
            )
            for scenario, result in (("create", created), ("reveal", revealed), ("receipt", receipt)):
                row = {"variant": name, "scenario": scenario, "connections": connections, **result.as_dict()}
                rows.append(row)
                print(
                    f"  {name:<36} {scenario:<8} c={connections:<3} {result.rps:8.0f} req/s  "
                    f"p50 {result.p50_ms:6.2f}  p99 {result.p99_ms:7.2f} ms  errors {result.errors}  "
                    f"cpu/req server {result.server_cpu_us or 0:5.0f} us redis {result.redis_cpu_us or 0:5.1f} us",
                    flush=True,
                )
    finally:
        server.stop()
    return rows


async def main() -> int:
    """Measure every variant."""
    tmp = Path(tempfile.mkdtemp(prefix="ots-experiments-"))
    port = free_port()
    redis = start_redis(port, tmp)
    env = {
        **os.environ,
        "OTS_HOST": "127.0.0.1",
        "OTS_RATE_LIMITS": "off",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "OTS_SECRET": preload.random_master_secret(),
        "OTS_DATA_DIR": str(tmp),
    }
    bench = Bench(tmp=tmp, redis_port=port, env=env, redis_server=redis)
    selected = os.environ.get("BENCH_VARIANTS")
    rows: list[dict[str, Any]] = []
    try:
        for _ in range(REPS):  # interleaved repetitions: other load on the machine hits every variant alike
            for name, patches in VARIANTS.items():
                if selected and patches not in selected.split(";"):
                    continue
                rows += await (measure_mixed if MODE == "mixed" else measure)(bench, name, patches)
    finally:
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if MODE == "mixed":
        (REPO / "bench" / "results" / "experiments-mixed.json").write_text(json.dumps(rows, indent=2) + "\n")
        return 0
    summary = medians(rows)
    out = REPO / "bench" / "results" / f"experiments-{SERVER}.json"
    document = {
        "server": SERVER,
        "workers": WORKERS,
        "seconds_per_run": SECONDS,
        "repetitions": REPS,
        "medians": summary,
        "rows": rows,
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print("\nmedians of", REPS, "interleaved runs:")
    for line in summary:
        print(
            f"  {line['variant']:<36} {line['scenario']:<8} c={line['connections']:<3} {line['rps']:8.0f} req/s"
            f"  p99 {line['p99_ms']:7.2f} ms  cpu/req server {line['server_cpu_us']:5.0f} us"
            f" redis {line['redis_cpu_us']:5.1f} us"
        )
    return 0


def medians(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the median figures of each variant, scenario and connection count."""
    groups: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["variant"], row["scenario"], row["connections"]), []).append(row)
    return [
        {
            "variant": variant,
            "scenario": scenario,
            "connections": connections,
            "rps": statistics.median(r["rps"] for r in group),
            "p99_ms": statistics.median(r["p99_ms"] for r in group),
            "server_cpu_us": statistics.median(r["server_cpu_us_per_request"] for r in group),
            "redis_cpu_us": statistics.median(r["redis_cpu_us_per_request"] for r in group),
        }
        for (variant, scenario, connections), group in groups.items()
    ]


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
