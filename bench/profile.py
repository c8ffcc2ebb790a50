"""`make bench-profile`: where the time of create and reveal goes, sampled by py-spy under wrk load.

Starts its own redis-server and `ots serve` with one worker (so one process holds every sample),
drives each scenario with wrk at 16 connections, and records the worker with py-spy. Writes, per
scenario, the raw collapsed stacks (bench/results/profile-<scenario>.txt, for speedscope or
flamegraph.pl) and a summary (bench/results/profile-<scenario>.md): the share of samples by
package (where the CPU is when sampled) and by our own functions (inclusive).
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench import preload
from bench.procs import REPO, free_port, start, start_redis, wait_http, wrk
from bench.run import CREATE_BODY, Bench, preload_keys, serve_env, static, walk

SECONDS = int(os.environ.get("BENCH_PROFILE_SECONDS", "10"))
RATE = 250
RESULTS = REPO / "bench" / "results"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")
PACKAGES = (
    ("litestar", "litestar (routing, DI, request/response)"),
    ("uvicorn", "uvicorn (HTTP protocol)"),
    ("httptools", "uvicorn (HTTP protocol)"),
    ("redis/", "redis-py"),
    ("hiredis", "redis-py"),
    ("cryptography", "cryptography"),
    ("msgspec", "msgspec"),
    ("logging", "logging"),
    ("asyncio", "asyncio / event loop"),
    ("uvloop", "asyncio / event loop"),
    ("urllib", "urllib.parse"),
    ("/onetime/", "onetime (domain)"),
    ("/api/", "api (JSON face)"),
    ("/web/", "web (app, access log)"),
    ("jinja2", "jinja2"),
)


def package(file: str) -> str:
    """Return the package a source file belongs to, for the summary."""
    for marker, name in PACKAGES:
        if marker in file:
            return name
    return "other: " + Path(file).name


def summarize(raw: str, title: str) -> str:
    """Return a Markdown summary of py-spy raw (collapsed) stacks."""
    by_leaf: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [FRAME.match(part) for part in stack.split(";")[1:]]
        parsed = [(m["function"], m["file"]) for m in frames if m]
        if not parsed:
            continue
        total += count
        by_leaf[package(parsed[-1][1])] += count
        for name in {package(file) for _, file in parsed}:
            inclusive[name] += count
        for name in {f"{function} ({Path(file).parent.name}/{Path(file).name})" for function, file in parsed
                     if any(p in file for p in ("/onetime/", "/api/", "/web/"))}:  # fmt: skip
            own[name] += count
    if not total:
        return f"## {title}\n\nNo samples.\n"
    out = [f"## {title}", "", f"{total} samples at {RATE}/s.", "", "| package | self | inclusive |", "|---|---|---|"]
    out += [
        f"| {name} | {by_leaf[name] / total:.0%} | {inclusive[name] / total:.0%} |"
        for name, _ in inclusive.most_common(16)
    ]
    out += ["", "| our function (inclusive) | share |", "|---|---|"]
    out += [f"| {name} | {count / total:.0%} |" for name, count in own.most_common(20)]
    return "\n".join(out) + "\n"


async def profile_scenario(bench: Bench, url: str, pid: int, name: str, load: dict[str, object]) -> str:
    """Record the worker with py-spy while wrk applies `load`; return the summary."""
    raw_path = RESULTS / f"profile-{name}.txt"
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--rate", str(RATE),
        "--duration", str(SECONDS), "--format", "raw", "--output", str(raw_path), "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await asyncio.sleep(0.5)
    result = await wrk(url, 16, SECONDS, **load)  # type: ignore[arg-type]
    _, err = await spy.communicate()
    if spy.returncode != 0 or not raw_path.exists():
        raise RuntimeError(f"py-spy failed: {err.decode()[-500:]}")
    title = f"{name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms (1 worker, 16 conns)"
    summary = summarize(raw_path.read_text(), title)
    (RESULTS / f"profile-{name}.md").write_text(summary)
    del bench
    return summary


async def main() -> int:
    """Profile create and reveal."""
    if shutil.which("py-spy") is None and not (Path(sys.executable).parent / "py-spy").exists():
        print("bench.profile: py-spy is missing (pip install -r bench/requirements.txt)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="ots-profile-"))
    port = free_port()
    redis = start_redis(port, tmp)
    env = {**os.environ, "OTS_HOST": "127.0.0.1", "OTS_RATE_LIMITS": "off", "PYTHONPATH": str(REPO),
           "OTS_SECRET": preload.random_master_secret(), "OTS_DATA_DIR": str(tmp)}  # fmt: skip
    bench = Bench(tmp=tmp, redis_port=port, env=env)
    ots_port = free_port()
    ots = start("ots-profile", [str(Path(sys.executable).parent / "ots"), "serve"], serve_env(bench, ots_port, 1), tmp)
    url = f"http://127.0.0.1:{ots_port}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        wait_http(url + "/api/v1/status", ots)
        create_load = {"path": "/api/v1/share", "env": static("POST", CREATE_BODY)}
        warm = await wrk(url, 16, 2, **create_load)  # type: ignore[arg-type]
        pid = ots.workers()[0].pid
        summaries = [await profile_scenario(bench, url, pid, "create", create_load)]
        keys = await preload_keys(bench, max(5000, math.ceil(warm.rps * 2 * (SECONDS + 1) * 2)), "profile-reveal")
        reveal_load = {"script": "walk.lua", "env": walk(keys, "/api/v1/secret/KEY", method="POST", once=True)}
        summaries.append(await profile_scenario(bench, url, pid, "reveal", reveal_load))
        receipt_load = {"script": "walk.lua", "env": walk(keys.with_suffix(".m"), "/api/v1/private/KEY", once=False)}
        summaries.append(await profile_scenario(bench, url, pid, "receipt", receipt_load))
    finally:
        ots.stop()
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
