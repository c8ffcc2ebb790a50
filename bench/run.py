"""`make bench`: load, ceiling, memory and scaling figures for `ots serve` on this machine.

Everything runs on loopback against processes this script starts and stops itself: a private
redis-server on a free port (never the shared 6379), `ots serve` (OTS_RATE_LIMITS=off; the
passphrase lockout stays on) and the ceiling app served the same way. Load comes from wrk with
the Lua scripts in bench/wrk/. Results: a table on stdout, bench/results/latest.json, and
BENCHMARKS.md (bench/report.py).

BENCH_SECONDS (default 5) sets the length of each wrk run; BENCH_QUICK=1 skips the 1M tier and the
side-by-side runs at 16 connections.
BENCH_ONLY=peer runs only the side-by-side part (us and snappass, bench/peer.py; `make bench-peer`)
and merges its figures into the last full results.

The durability runs are the exception to the private Redis on a port: they measure what
OTS_FSYNC=always costs against the default everysec, so they use the embedded redis-server that
`ots serve` starts itself (on a unix socket in a data directory of their own).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from redis import Redis as SyncRedis

from bench import peer, preload, report
from bench.procs import REPO, Managed, WrkResult, free_port, rss_bytes, start, start_redis, wait_http, wait_idle, wrk

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
SHORT_SECONDS = min(SECONDS, 3.0)  # one connection is latency-bound: its figures settle sooner
CONNECTIONS = (1, 16, 64)
WORKERS = (1, 2)
VALUE = "x" * 100
CREATE_BODY = f"secret={VALUE}&ttl=86400"
PASSPHRASE = "correct-horse-battery"  # noqa: S105 - a bench fixture
WRONG_BODY = "passphrase=wrong-guess"
PASSPHRASE_TIMEOUT = 60.0  # bcrypt queues: a 64-connection passphrase run answers in seconds
RSS_SECRETS = 100_000
FSYNC_POLICIES = ("everysec", "always")
FSYNC_CONNECTIONS = 16
TIERS = (10_000, 100_000, 1_000_000)
PEER_CONNECTIONS = (32,) if os.environ.get("BENCH_QUICK") else (16, 32)  # quick: no p99 run at 16
RESULTS = REPO / "bench" / "results"
SERVER_DB = 0
MEMORY_DB = 2
BENCHMARK_DB = 3


@dataclass
class Bench:
    """State of one bench run."""

    tmp: Path
    redis_port: int
    env: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    http_created: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    redis_server: Managed | None = None

    async def load(self, server: Managed, url: str, connections: int, seconds: float, **options: Any) -> WrkResult:  # noqa: ANN401
        """Run wrk against `server`, measuring its CPU and Redis's per request too."""
        return await wrk(url, connections, seconds, server=server, redis=self.redis_server, **options)

    @property
    def redis_base(self) -> str:
        """Return the bench Redis URL without a database number."""
        return f"redis://127.0.0.1:{self.redis_port}"

    def redis(self, db: int = SERVER_DB) -> SyncRedis:
        """Return a client of the bench Redis."""
        return SyncRedis(port=self.redis_port, db=db)

    def record(self, scenario: str, workers: int, connections: int, result: WrkResult, **extra: object) -> None:
        """Add a table row and print it as it lands."""
        row = {"scenario": scenario, "workers": workers, "connections": connections, **result.as_dict(), **extra}
        self.rows.append(row)
        flag = " EXHAUSTED KEYS" if result.exhausted_threads else ""
        cpu = ""
        if result.server_cpu_us is not None:
            cpu = f"  cpu/req: server {result.server_cpu_us:6.0f} us, redis {result.redis_cpu_us or 0:5.1f} us"
        print(
            f"  {scenario:<28} w={workers} c={connections:<3} {result.rps:8.0f} req/s  "
            f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  errors {result.errors}{flag}{cpu}",
            flush=True,
        )

    def row(self, scenario: str, workers: int, connections: int) -> dict[str, Any] | None:
        """Return a recorded row."""
        for row in self.rows:
            if (row["scenario"], row["workers"], row["connections"]) == (scenario, workers, connections):
                return row
        return None


async def preload_keys(bench: Bench, count: int, name: str, *, passphrase: str | None = None) -> Path:
    """Create `count` secrets through the service in two processes; return a file of secret keys."""
    halves = [count // 2, count - count // 2]
    outputs = [bench.tmp / f"{name}.{i}.txt" for i in range(2)]
    env = {**bench.env, "OTS_REDIS_URL": f"{bench.redis_base}/{SERVER_DB}"}
    processes = []
    for half, out in zip(halves, outputs, strict=True):
        command = [sys.executable, "-m", "bench.preload", "--count", str(half), "--out", str(out)]
        if passphrase:
            command += ["--passphrase", passphrase]
        processes.append(
            await asyncio.create_subprocess_exec(*command, env=env, cwd=REPO, stderr=asyncio.subprocess.PIPE)
        )
    for process in processes:
        _, err = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"preload failed: {err.decode()[-800:]}")
    lines = [line for out in outputs for line in out.read_text().splitlines()]
    secret_keys, metadata_keys = bench.tmp / f"{name}.s", bench.tmp / f"{name}.m"
    secret_keys.write_text("".join(line.split()[0] + "\n" for line in lines))
    metadata_keys.write_text("".join(line.split()[1] + "\n" for line in lines))
    return secret_keys


def walk(keys: Path, path: str, *, method: str = "GET", body: str = "", once: bool) -> dict[str, str]:
    """Return the wrk environment of bench/wrk/walk.lua."""
    return {
        "BENCH_KEYS": str(keys),
        "BENCH_PATH": path,
        "BENCH_METHOD": method,
        "BENCH_BODY": body,
        "BENCH_MODE": "once" if once else "cycle",
    }


def static(method: str = "GET", body: str = "") -> dict[str, str]:
    """Return the wrk environment of bench/wrk/static.lua."""
    return {"BENCH_METHOD": method, "BENCH_BODY": body}


def serve_env(bench: Bench, port: int, workers: int) -> dict[str, str]:
    """Return the environment of a server process."""
    return {
        **bench.env,
        "OTS_PORT": str(port),
        "OTS_WORKERS": str(workers),
        "OTS_BASE_URL": f"http://127.0.0.1:{port}",
        "OTS_REDIS_URL": f"{bench.redis_base}/{SERVER_DB}",
    }


def bench_env(tmp: Path) -> dict[str, str]:
    """Return the environment every served app of a bench shares: loopback, no request limits, a fresh key."""
    return {
        **os.environ,
        "OTS_HOST": "127.0.0.1",
        "OTS_RATE_LIMITS": "off",
        "OTS_SECRET": preload.random_master_secret(),
        "OTS_DATA_DIR": str(tmp),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }


def start_ots(bench: Bench, workers: int, name: str, **variables: str) -> tuple[Managed, str]:
    """Start `ots serve` with this many workers (and these OTS_* variables); return it and its URL once it answers."""
    port = free_port()
    env = {**serve_env(bench, port, workers), **variables}
    ots = start(name, [str(Path(sys.executable).parent / "ots"), "serve"], env, bench.tmp)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/api/v1/status", ots)
    return ots, url


def start_ceiling(bench: Bench, workers: int, name: str) -> tuple[Managed, str]:
    """Start the ceiling app (bare Litestar, served as `ots serve` serves); return it and its URL once it answers."""
    ceiling_port = free_port()
    # A data directory of its own: one `ots serve` (the ceiling runs through its code) per data directory.
    ceiling_env = {**serve_env(bench, ceiling_port, workers), "OTS_DATA_DIR": str(bench.tmp / name)}
    ceiling = start(name, [sys.executable, "-m", "bench.serve"], ceiling_env, bench.tmp)
    ceiling_url = f"http://127.0.0.1:{ceiling_port}"
    wait_http(ceiling_url + "/ping", ceiling)
    return ceiling, ceiling_url


def start_servers(bench: Bench, workers: int) -> tuple[Managed, str, Managed, str]:
    """Start `ots serve` and the ceiling app with the same settings; wait until both answer."""
    ots, ots_url = start_ots(bench, workers, f"ots-w{workers}")
    ceiling, ceiling_url = start_ceiling(bench, workers, f"ceiling-w{workers}")
    return ots, ots_url, ceiling, ceiling_url


def page_secret_works(url: str, keys: Path) -> bool:
    """Tell whether GET /secret/<key> serves a page for an existing secret (it arrives with the browser app)."""
    key = keys.read_text().split()[0]
    try:
        with urllib.request.urlopen(f"{url}/secret/{key}", timeout=5) as reply:  # noqa: S310 - loopback
            return bool(reply.status == 200)
    except OSError:
        return False


async def run_workers(bench: Bench, workers: int) -> dict[str, Any]:  # noqa: C901, PLR0915 - one script
    """Run every HTTP scenario with this many server workers."""
    print(f"\n== {workers} worker(s) ==", flush=True)
    ots, url, ceiling, ceiling_url = start_servers(bench, workers)
    extra: dict[str, Any] = {}

    async def measure(scenario: str, connections: int, **options: Any) -> WrkResult:  # noqa: ANN401
        server, base = (ceiling, ceiling_url) if scenario.startswith("ceiling") else (ots, url)
        extras = {key: options.pop(key) for key in ("provisioned",) if key in options}
        seconds = SHORT_SECONDS if connections == 1 and scenario != "passphrase reveal" else SECONDS
        result = await bench.load(server, base, connections, seconds, **options)
        if server is ots:
            drained = wait_idle(ots, limit=60)  # passphrase runs leave bcrypt work queued behind them
            if drained > 1:
                extras["drain_seconds"] = round(drained, 1)
        bench.record(scenario, workers, connections, result, **extras)
        if scenario == "create":
            bench.http_created[workers] += result.requests - result.errors
        return result

    try:
        warm = await bench.load(ots, url, 16, 1, path="/api/v1/share", env=static("POST", CREATE_BODY))
        await bench.load(ceiling, ceiling_url, 16, 1, path="/ping")
        bench.http_created[workers] = warm.requests - warm.errors
        extra["rss_after_warmup"] = rss_bytes(ots)
        pool = await preload_keys(bench, 2000, f"pool-w{workers}")
        page_secret = page_secret_works(url, pool)
        if not page_secret:
            bench.notes.append("GET /secret/<key> is not served yet (no HTML reveal page): page_secret skipped")
        for connections in CONNECTIONS:
            await measure("ceiling GET /ping", connections, path="/ping")
            if connections == max(CONNECTIONS):
                await measure("ceiling POST /echo", connections, path="/echo", env=static("POST", CREATE_BODY))
            created = await measure("create", connections, path="/api/v1/share", env=static("POST", CREATE_BODY))
            # Reveal walks fresh secrets, each once: provision 3x what create managed in the same time.
            count = max(1000, math.ceil(created.rps * SECONDS * 3))
            keys = await preload_keys(bench, count, f"reveal-w{workers}-c{connections}")
            wait_idle(ots)
            reveal = walk(keys, "/api/v1/secret/KEY", method="POST", once=True)
            await measure("reveal", connections, script="walk.lua", env=reveal, provisioned=count)
            receipt = walk(pool.with_suffix(".m"), "/api/v1/private/KEY", once=False)
            await measure("receipt", connections, script="walk.lua", env=receipt)
            await measure("page GET /", connections, path="/")
            if page_secret:
                page = walk(pool, "/secret/KEY", once=False)
                await measure("page GET /secret/<key>", connections, script="walk.lua", env=page)
        for connections in CONNECTIONS:
            count = 60 + 3 * connections
            keys = await preload_keys(bench, count, f"pass-w{workers}-c{connections}", passphrase=PASSPHRASE)
            body = f"passphrase={PASSPHRASE}"
            reveal = walk(keys, "/api/v1/secret/KEY", method="POST", body=body, once=True)
            await measure(
                "passphrase reveal",
                connections,
                script="walk.lua",
                env=reveal,
                timeout=PASSPHRASE_TIMEOUT,
                provisioned=count,
            )
        if workers == max(WORKERS):
            extra["mixed"] = await mixed(bench, url, ots, workers)
            extra["scaling"] = await scaling(bench, url, ots, workers)
            extra["rss"] = await rss_after(bench, url, ots, workers, extra.pop("rss_after_warmup"))
        extra.pop("rss_after_warmup", None)
    finally:
        ots.stop()
        ceiling.stop()
    return extra


async def durability(bench: Bench) -> list[dict[str, Any]]:
    """Create throughput with the embedded Redis syncing its append-only file every second, then on every write."""
    print("\n== durability: create with the embedded Redis, OTS_FSYNC=everysec vs always ==", flush=True)
    results = []
    for policy in FSYNC_POLICIES:
        port = free_port()
        env = {
            **bench.env,
            "OTS_PORT": str(port),
            "OTS_WORKERS": "1",
            "OTS_BASE_URL": f"http://127.0.0.1:{port}",
            "OTS_DATA_DIR": str(bench.tmp / f"fsync-{policy}"),
            "OTS_FSYNC": policy,
        }
        env.pop("OTS_REDIS_URL", None)
        ots = start(f"ots-fsync-{policy}", [str(Path(sys.executable).parent / "ots"), "serve"], env, bench.tmp)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_http(url + "/api/v1/status", ots)
            await wrk(url, FSYNC_CONNECTIONS, 1, path="/api/v1/share", env=static("POST", CREATE_BODY))  # warm-up
            created = await wrk(
                url, FSYNC_CONNECTIONS, SECONDS, server=ots, path="/api/v1/share", env=static("POST", CREATE_BODY)
            )
            bench.record(f"create, OTS_FSYNC={policy}", 1, FSYNC_CONNECTIONS, created)
            results.append({"fsync": policy, **created.as_dict()})
        finally:
            ots.stop()
    return results


def successful(result: WrkResult) -> dict[str, Any]:
    """Return a run's figures with only the successful (2xx/3xx) answers counted in its rate."""
    ok = max(result.requests - result.error_kinds.get("status", 0), 0)
    figures = result.as_dict()
    figures["ok_requests"] = ok
    figures["ok_rps"] = round(ok / result.seconds, 1) if result.seconds else 0.0
    return figures


async def versus_peer(bench: Bench) -> dict[str, Any]:
    """Serve us and snappass side by side (2 workers each) and run the same loads against both.

    Each route runs against us and then against snappass before the next starts, so that other
    work on the machine weighs on both alike. Only successful answers count.
    """
    print(f"\n== side by side: ots serve and snappass, {peer.WORKERS} workers each ==", flush=True)
    # As deployed behind Caddy, which logs the requests: gunicorn, as snappass runs, writes no access log either.
    ots, url = start_ots(bench, peer.WORKERS, "ots-vs-peer", OTS_APP_ACCESS_LOG="off")
    snappass = peer.start_peer(bench.tmp)
    ceiling, ceiling_url = start_ceiling(bench, peer.WORKERS, "ceiling-vs-peer")
    rows: list[dict[str, Any]] = []
    ceilings: dict[int, dict[str, Any]] = {}
    try:
        await bench.load(ceiling, ceiling_url, 16, 1, path="/ping")
        await bench.load(ots, url, 16, 1, path="/api/v1/share", env=static("POST", CREATE_BODY))
        await bench.load(
            snappass.server, snappass.url, 16, 1, path="/", env={**static("POST", peer.CREATE_BODY), **peer.JSON}
        )
        pool = await preload_keys(bench, 2000, "peer-pool-ours")
        tokens = await snappass.tokens(2000, bench.tmp / "peer-pool-snappass.txt")

        async def pair(route: str, connections: int, ours: dict[str, Any], theirs: dict[str, Any]) -> None:
            wait_idle(ots)
            mine = await wrk(url, connections, SECONDS, server=ots, redis=bench.redis_server, **ours)
            wait_idle(snappass.server)
            other = await wrk(
                snappass.url, connections, SECONDS, server=snappass.server, redis=snappass.redis, **theirs
            )
            row = {"route": route, "connections": connections, "ours": successful(mine), "snappass": successful(other)}
            rows.append(row)
            ratio = row["ours"]["ok_rps"] / row["snappass"]["ok_rps"] if row["snappass"]["ok_rps"] else float("nan")
            print(
                f"  {route:<12} c={connections:<3} ours {row['ours']['ok_rps']:7.0f} req/s p99 {mine.p99_ms:6.1f} ms"
                f" errors {mine.errors}  |  snappass {row['snappass']['ok_rps']:7.0f} req/s p99 {other.p99_ms:6.1f} ms"
                f" errors {other.errors}  |  {ratio:.2f}x  |  cpu/req ours {_us(mine.server_cpu_us)}"
                f" ({_times(mine.server_cpu_us, ceilings[connections]['server_cpu_us_per_request'])} the ceiling's"
                f" {ceilings[connections]['server_cpu_us_per_request']} us), snappass {_us(other.server_cpu_us)}",
                flush=True,
            )

        for connections in PEER_CONNECTIONS:
            wait_idle(ceiling)
            bare = await wrk(ceiling_url, connections, SECONDS, server=ceiling, path="/ping")
            ceilings[connections] = bare.as_dict()
            print(
                f"  {'ceiling GET /ping':<12} c={connections:<3} {bare.rps:7.0f} req/s p99 {bare.p99_ms:6.1f} ms"
                f"  cpu/req {_us(bare.server_cpu_us)} (bare Litestar, served as ots serve is)",
                flush=True,
            )
            create_body = {**static("POST", peer.CREATE_BODY), **peer.JSON}
            await pair(
                "create",
                connections,
                {"path": "/api/v1/share", "env": static("POST", CREATE_BODY)},
                {"path": "/", "env": create_body},
            )
            created = max(row["ours"]["ok_rps"] for row in rows if row["route"] == "create")
            count = max(1000, math.ceil(created * SECONDS * 3))
            keys = await preload_keys(bench, count, f"peer-reveal-c{connections}")
            their_count = max(1000, math.ceil(rows[-1]["snappass"]["ok_rps"] * SECONDS * 3))
            their_keys = await snappass.tokens(their_count, bench.tmp / f"peer-reveal-c{connections}.snappass")
            await pair(
                "reveal",
                connections,
                {"script": "walk.lua", "env": walk(keys, "/api/v1/secret/KEY", method="POST", once=True)},
                {"script": "walk.lua", "env": walk(their_keys, "/KEY", method="POST", once=True)},
            )
            await pair("home page", connections, {"path": "/"}, {"path": "/"})
            await pair(
                "reveal page",
                connections,
                {"script": "walk.lua", "env": walk(pool, "/secret/KEY", once=False)},
                {"script": "walk.lua", "env": walk(tokens, "/KEY", once=False)},
            )
    finally:
        ots.stop()
        snappass.stop()
        ceiling.stop()
    return {
        "peer": "snappass 1.6.2 (Flask 3.1.3) under gunicorn 27.0.1, sync workers",
        "ours": "ots serve with OTS_APP_ACCESS_LOG=off (as behind Caddy; gunicorn writes no access log either)",
        "workers": peer.WORKERS,
        "seconds_per_run": SECONDS,
        "load_average": f"{os.getloadavg()[0]:.2f} (1-minute, at the end of the side-by-side runs)",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows,
        "ceiling": {str(connections): figures for connections, figures in ceilings.items()},
    }


def _us(cpu: float | None) -> str:
    return "-" if cpu is None else f"{cpu:.0f} us"


def _times(cpu: float | None, ceiling: float | None) -> str:
    return "-" if not cpu or not ceiling else f"{cpu / ceiling:.1f}x"


async def mixed(bench: Bench, url: str, ots: Managed, workers: int) -> list[dict[str, Any]]:
    """Reveal p99 at 16 connections while 16 more hammer passphrase reveals with wrong passphrases."""
    print("  -- mixed: reveals under a wrong-passphrase attack --", flush=True)
    results = []
    baseline = bench.row("reveal", workers, 16)
    victim_rps = baseline["rps"] if baseline else 1000.0
    spread = await preload_keys(bench, 400, "attack-spread", passphrase=PASSPHRASE)
    single = await preload_keys(bench, 1, "attack-single", passphrase=PASSPHRASE)
    attacks = {
        # Each wrong guess on a different secret: the lockout never triggers, every guess costs a bcrypt.
        "spread over 400 secrets (worst case: every guess runs bcrypt)": walk(
            spread, "/api/v1/secret/KEY", method="POST", body=WRONG_BODY, once=False
        ),
        # All guesses on one secret: locked after 5 failures from this address, then cheap refusals.
        "all on one secret (the lockout caps the work)": walk(
            single, "/api/v1/secret/KEY", method="POST", body=WRONG_BODY, once=False
        ),
    }
    for name, attack_env in attacks.items():
        victims = await preload_keys(bench, max(1000, math.ceil(victim_rps * SECONDS * 3)), "victims")
        wait_idle(ots)
        attack_task = asyncio.create_task(
            wrk(url, 16, SECONDS + 3, script="walk.lua", env=attack_env, timeout=PASSPHRASE_TIMEOUT)
        )
        await asyncio.sleep(1.5)  # let the bcrypt queue fill
        victim = await wrk(
            url, 16, SECONDS, script="walk.lua", env=walk(victims, "/api/v1/secret/KEY", method="POST", once=True)
        )
        attack = await attack_task
        drained = wait_idle(ots, limit=60)
        bench.record(
            f"reveal under attack: {name.split(' (')[0]}",
            workers,
            16,
            victim,
            attack_rps=round(attack.rps, 1),
            attack_requests=attack.requests,
            attack_refused=attack.error_kinds.get("status", 0),
            drain_seconds=round(drained, 1),
        )
        results.append(
            {
                "attack": name,
                "victim": victim.as_dict(),
                "attack_result": attack.as_dict(),
                "baseline_p99_ms": baseline["p99_ms"] if baseline else None,
            }
        )
    return results


async def rss_after(bench: Bench, url: str, ots: Managed, workers: int, before: list[int]) -> dict[str, Any]:
    """Create secrets over HTTP until this server has made 100,000, then read its workers' RSS."""
    print("  -- server RSS after 100,000 secrets created over HTTP --", flush=True)
    row = bench.row("create", workers, 64)
    rate = row["rps"] if row else 1000.0
    for _ in range(4):  # the rate varies with other load on the machine: top up until 100,000
        remaining = RSS_SECRETS - bench.http_created[workers]
        if remaining <= 0:
            break
        seconds = max(1, math.ceil(remaining / rate * 1.15))
        topup = await bench.load(ots, url, 64, seconds, path="/api/v1/share", env=static("POST", CREATE_BODY))
        bench.http_created[workers] += topup.requests - topup.errors
        rate = max(topup.rps, 200.0)
    wait_idle(ots)
    after = rss_bytes(ots)
    info = bench.redis().info("memory")
    result = {
        "workers": workers,
        "secrets_created_over_http": bench.http_created[workers],
        "worker_rss_after_warmup_mib": [round(b / 2**20, 1) for b in before],
        "worker_rss_after_mib": [round(b / 2**20, 1) for b in after],
        "redis_used_memory_mib": round(info["used_memory"] / 2**20, 1),
        "redis_rss_mib": round(info["used_memory_rss"] / 2**20, 1),
        "redis_keys": bench.redis().dbsize(),
    }
    print(f"  {result}", flush=True)
    return result


async def scaling(bench: Bench, url: str, ots: Managed, workers: int) -> list[dict[str, Any]]:
    """Create throughput and Redis memory with 10k, 100k and 1M secrets already stored."""
    print("  -- scaling: create with 10k / 100k / 1M secrets stored --", flush=True)
    client = bench.redis()
    client.flushdb()
    empty = int(client.info("memory")["used_memory"])
    keys_per_secret = 3
    tiers = TIERS[:2] if os.environ.get("BENCH_QUICK") else TIERS
    results = []
    for tier in tiers:
        stored = client.dbsize() // keys_per_secret
        missing = tier - stored
        started = time.perf_counter()
        if tier <= 100_000:
            how = "service"
            await preload_keys(bench, missing, f"tier-{tier}")
        else:
            how = "clone"
            keys_per_secret = await preload.clone_secrets(bench.redis_base, SERVER_DB, missing, bench.env)
        loaded = time.perf_counter() - started
        stored_keys = client.dbsize()
        memory = int(client.info("memory")["used_memory"])
        secrets_stored = stored_keys // keys_per_secret
        wait_idle(ots)
        created = await bench.load(ots, url, 64, SECONDS, path="/api/v1/share", env=static("POST", CREATE_BODY))
        bench.http_created[workers] += created.requests - created.errors
        bench.record(f"create with {tier:,} stored", workers, 64, created)
        results.append(
            {
                "tier": tier,
                "preload": how,
                "preload_seconds": round(loaded, 1),
                "secrets_stored": secrets_stored,
                "keys": stored_keys,
                "used_memory_mib": round(memory / 2**20, 1),
                "bytes_per_secret": round((memory - empty) / max(secrets_stored, 1)),
                "create_rps": round(created.rps, 1),
                "create_p99_ms": round(created.p99_ms, 2),
                "errors": created.errors,
            }
        )
        print(f"  {results[-1]}", flush=True)
    client.flushdb()
    return results


async def memory_per_secret(bench: Bench) -> list[dict[str, Any]]:
    """Sum MEMORY USAGE over every key a secret writes, per kind of secret."""
    print("\n== Redis memory per stored secret ==", flush=True)
    client = bench.redis(MEMORY_DB)
    results = []
    sample = 200
    for value_bytes in (100, 10_000):
        for passphrase in (None, PASSPHRASE):
            client.flushdb()
            service = await preload.build_service(f"{bench.redis_base}/{MEMORY_DB}", passphrase, bench.env)
            await preload.create_many(service, sample, value_bytes=value_bytes, passphrase=passphrase)
            await service.records.client.aclose()
            by_prefix: dict[str, int] = {}
            for name in client.scan_iter(count=1000):
                prefix = name.decode().split("{")[0].rstrip(":")
                by_prefix[prefix] = by_prefix.get(prefix, 0) + int(client.memory_usage(name, samples=0) or 0)
            total = sum(by_prefix.values()) / sample
            result = {
                "value_bytes": value_bytes,
                "passphrase": passphrase is not None,
                "bytes_per_secret": round(total),
                "by_key": {prefix: round(size / sample) for prefix, size in sorted(by_prefix.items())},
            }
            results.append(result)
            print(f"  {result}", flush=True)
    client.flushdb()
    return results


def redis_benchmark(bench: Bench) -> list[dict[str, Any]]:
    """Redis's own ceiling on this machine: redis-benchmark SET and GET, 100-byte values."""
    print("\n== redis-benchmark ==", flush=True)
    command = [
        "redis-benchmark",
        "-h",
        "127.0.0.1",
        "-p",
        str(bench.redis_port),
        "--dbnum",
        str(BENCHMARK_DB),
        "-t",
        "set,get",
        "-n",
        "200000",
        "-c",
        "50",
        "-d",
        "100",
        "-r",
        "100000",
        "--csv",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout
    lines = [line.replace('"', "").split(",") for line in out.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    results = []
    for values in rows:
        data = dict(zip(header, values, strict=False))
        result = {
            "test": data["test"],
            "clients": 50,
            "rps": float(data["rps"]),
            "p50_ms": float(data.get("p50_latency_ms", "nan")),
            "p99_ms": float(data.get("p99_latency_ms", "nan")),
        }
        results.append(result)
        print(f"  {result}", flush=True)
    bench.redis(BENCHMARK_DB).flushdb()
    return results


def machine() -> dict[str, Any]:
    """Describe this machine."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def versions() -> dict[str, str]:
    """Return the versions of what the figures depend on."""
    found = {}
    for name in ("litestar", "uvicorn", "uvloop", "httptools", "msgspec", "redis", "hiredis", "cryptography", "bcrypt"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    redis_line = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, check=False).stdout
    found["redis-server"] = next((p.split("=")[1] for p in redis_line.split() if p.startswith("v=")), "?")
    wrk_out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    found["wrk"] = (wrk_out.stdout + wrk_out.stderr).split()[1] if (wrk_out.stdout + wrk_out.stderr).split() else "?"
    return found


async def main() -> int:
    """Run the whole bench and write its results."""
    started = float(os.environ.get("BENCH_STARTED") or time.time())
    run_started = time.time()
    for tool in ("wrk", "redis-server", "redis-benchmark"):
        if shutil.which(tool) is None:
            print(f"bench: {tool} is missing (make bench installs it from Debian)", file=sys.stderr)
            return 2
    tmp = Path(tempfile.mkdtemp(prefix="ots-bench-"))
    port = free_port()
    redis = start_redis(port, tmp)
    env = {**bench_env(tmp), "OTS_BCRYPT_COST": "12"}
    bench = Bench(tmp=tmp, redis_port=port, env=env, redis_server=redis)
    load_before = os.getloadavg()[0]
    result: dict[str, Any] = {"machine": machine(), "versions": versions(), "seconds_per_run": SECONDS}
    if load_before > 0.5:
        print(f"bench: warning: load average {load_before:.2f} before the start; other work skews the figures")
    print(f"bench: {result['machine']}\nbench: {result['versions']}\nbench: redis on port {port}, work dir {tmp}")
    only_peer = os.environ.get("BENCH_ONLY") == "peer"
    if not peer.available():
        print(f"bench: snappass is not installed in {peer.VENV} (make bench installs it)", file=sys.stderr)
        return 2
    try:
        if not only_peer:
            result["redis_benchmark"] = redis_benchmark(bench)
            result["memory"] = await memory_per_secret(bench)
            for workers in WORKERS:
                result.update(await run_workers(bench, workers))
            result["durability"] = await durability(bench)
        result["versus_peer"] = await versus_peer(bench)
    finally:
        redis.stop()
    if only_peer:
        return write_peer_only(result["versus_peer"], tmp)
    result["load_average"] = f"{load_before:.2f} -> {os.getloadavg()[0]:.2f} (1-minute)"
    result["runs"] = bench.rows
    result["notes"] = bench.notes
    result["generated"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["command"] = "make bench"
    result["bench_seconds"] = round(time.time() - run_started, 1)
    result["wall_seconds"] = round(time.time() - started, 1)
    result["targets"] = report.targets(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(report.text_table(result))
    (REPO / "BENCHMARKS.md").write_text(report.markdown(result))
    print(f"\nbench: wrote bench/results/latest.json and BENCHMARKS.md in {result['wall_seconds']:.0f} s")
    if any(row["errors"] for row in bench.rows):
        print(f"bench: some runs had errors; the server logs are kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def write_peer_only(versus: dict[str, Any], tmp: Path) -> int:
    """Merge the side-by-side figures into the last full results and re-render BENCHMARKS.md."""
    latest = RESULTS / "latest.json"
    result: dict[str, Any] = json.loads(latest.read_text()) if latest.exists() else {}
    result["versus_peer"] = versus
    result.setdefault("machine", machine())
    result.setdefault("versions", versions())
    result.setdefault("seconds_per_run", SECONDS)
    result["targets"] = report.targets(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(report.peer_text(result))
    (REPO / "BENCHMARKS.md").write_text(report.markdown(result))
    print("\nbench: merged the side-by-side figures into bench/results/latest.json and BENCHMARKS.md")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
