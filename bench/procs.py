"""Processes the bench starts: its own redis-server, `ots serve`, the ceiling server, wrk."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psutil
from redis import Redis as SyncRedis
from redis.exceptions import RedisError

REPO = Path(__file__).resolve().parent.parent
LUA_DIR = REPO / "bench" / "wrk"
READY_SECONDS = float(os.environ.get("BENCH_READY_SECONDS", "30"))  # more on a machine busy with other work


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Managed:
    """A child process with its log file; stopped with SIGTERM (then SIGKILL) by its own pid."""

    name: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def tree(self) -> list[psutil.Process]:
        """Return the process and its descendants (uvicorn's workers)."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def workers(self) -> list[psutil.Process]:
        """Return the processes that serve requests: the children if any, else the process."""
        tree = self.tree()
        serving = [p for p in tree[1:] if _is_worker(p)]
        return serving or tree[:1]

    def stop(self) -> None:
        """Stop the process (uvicorn stops its workers on SIGTERM) and close the log."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for child in self.tree()[1:]:
                    child.kill()
                self.process.kill()
                self.process.wait()
        self.log.close()


def _is_worker(process: psutil.Process) -> bool:
    """Tell uvicorn's spawned workers from multiprocessing's resource tracker."""
    try:
        return any("spawn_main" in part for part in process.cmdline())
    except psutil.Error:
        return False


def start(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> Managed:
    """Start a child process with its output going to `log_dir/name.log`."""
    log = (log_dir / f"{name}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    return Managed(name, process, log)


def start_redis(port: int, data_dir: Path) -> Managed:
    """Start a private redis-server on loopback: no persistence, noeviction, like production's policy."""
    command = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--maxmemory-policy",
        "noeviction",
        "--dir",
        str(data_dir),
        "--daemonize",
        "no",
    ]
    server = start("redis", command, dict(os.environ), data_dir)
    client = SyncRedis(port=port)
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            client.ping()
            break
        except (OSError, RedisError):
            if time.monotonic() > deadline or server.process.poll() is not None:
                raise RuntimeError(f"redis-server did not start; see {data_dir}/redis.log") from None
            time.sleep(0.05)
    client.close()
    return server


def wait_http(url: str, server: Managed) -> None:
    """Wait until `url` answers 200, or fail if the server exits."""
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 - loopback http
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise RuntimeError(f"{server.name} did not become ready at {url}; see its log")
        time.sleep(0.1)


def wait_idle(server: Managed, *, limit: float = 30.0, threshold: float = 8.0) -> float:
    """Wait until the server's processes use under `threshold`% CPU; return the seconds waited."""
    started = time.monotonic()
    processes = server.tree()
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.cpu_percent(None)
    quiet = 0
    while time.monotonic() - started < limit:
        time.sleep(0.25)
        busy = 0.0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                busy += process.cpu_percent(None)
        quiet = quiet + 1 if busy < threshold else 0
        if quiet >= 2:
            break
    return time.monotonic() - started


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """Return the CPU time (user + system, all threads) these processes have used so far."""
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def rss_bytes(server: Managed) -> list[int]:
    """Return the resident memory of each serving process."""
    sizes = []
    for process in server.workers():
        with contextlib.suppress(psutil.Error):
            sizes.append(process.memory_info().rss)
    return sizes


@dataclass
class WrkResult:
    """One wrk run, in the units the table uses."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_kinds: dict[str, int] = field(default_factory=dict)
    exhausted_threads: int = 0
    server_cpu_us: float | None = None
    redis_cpu_us: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "exhausted_threads": self.exhausted_threads,
            "server_cpu_us_per_request": None if self.server_cpu_us is None else round(self.server_cpu_us),
            "redis_cpu_us_per_request": None if self.redis_cpu_us is None else round(self.redis_cpu_us, 1),
        }


async def wrk(  # noqa: PLR0913
    base_url: str,
    connections: int,
    seconds: float,
    *,
    script: str = "static.lua",
    path: str = "/",
    env: dict[str, str] | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - wrk's --timeout
    server: Managed | None = None,
    redis: Managed | None = None,
) -> WrkResult:
    """Run wrk (1 thread for 1 connection, else 2) and return its summary.

    With `server` (and `redis`), also return the CPU time they used per request: a figure that
    other load on the machine disturbs far less than requests/s.
    """
    server_tree = server.tree() if server else []
    redis_tree = redis.tree() if redis else []
    server_before, redis_before = cpu_seconds(server_tree), cpu_seconds(redis_tree)
    threads = 1 if connections == 1 else 2
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        f"--timeout={timeout:g}s",
        "-s",
        str(LUA_DIR / script),
        base_url + path,
    ]
    run_env = {**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), "BENCH_THREADS": str(threads), **(env or {})}
    process = await asyncio.create_subprocess_exec(
        *command, env=run_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    for line in out.decode().splitlines():
        if line.startswith("BENCHJSON "):
            data = json.loads(line.removeprefix("BENCHJSON "))
            break
    else:
        raise RuntimeError(f"wrk gave no summary: {out.decode()[-500:]} {err.decode()[-500:]}")
    kinds = {k: data[k] for k in ("connect", "read", "write", "status", "timeout") if data[k]}
    elapsed = data["duration_us"] / 1e6
    done = max(data["requests"], 1)
    server_cpu = (cpu_seconds(server_tree) - server_before) * 1e6 / done if server else None
    redis_cpu = (cpu_seconds(redis_tree) - redis_before) * 1e6 / done if redis else None
    return WrkResult(
        requests=data["requests"],
        seconds=elapsed,
        rps=data["requests"] / elapsed if elapsed else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors=sum(kinds.values()),
        error_kinds=kinds,
        exhausted_threads=data["exhausted_threads"],
        server_cpu_us=server_cpu,
        redis_cpu_us=redis_cpu,
    )
