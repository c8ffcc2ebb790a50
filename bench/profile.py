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
PATCHES = os.environ.get("BENCH_PATCHES", "")
SUFFIX = f"-{PATCHES.replace(',', '+')}" if PATCHES else ""
RESULTS = REPO / "bench" / "results"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]+)(?::(?P<line>\d+))?\)$")
# Where a sample's time goes. First the work that a request calls out to, wherever it sits in the
# stack (a sample that is inside redis-py is redis-py's, whichever middleware wraps it); otherwise
# the innermost layer that is running (so a middleware counts only for its own code).
WORK = (
    ("access log: logging, its queue and listener thread", ("logging/", "queue.py", "threading.py")),
    ("bcrypt", ("bcrypt",)),
    (
        "Redis client: redis-py, the multiplexed connection, socket writes",
        ("redis/", "hiredis", "onetime/storage/multiplexed", "onetime/storage/calls.py"),
    ),
    ("crypto: HKDF, AES-GCM, random bytes", ("cryptography/", "onetime/crypto.py", "random.py", "secrets.py")),
    ("keys: base36 encoding", ("onetime/keys.py",)),
    ("params: query and form parsing", ("api/params.py", "urllib/parse.py")),
    ("JSON encoding (msgspec, wire types)", ("msgspec", "litestar/serialization", "api/schemas.py")),
    ("templates (jinja2)", ("jinja2/", "litestar/template")),
)
LAYERS = (
    ("CSRF middleware (own code)", ("litestar/middleware/csrf.py",)),
    ("Litestar DI and signature parsing", ("litestar/_kwargs/", "litestar/_signature/", "litestar/di")),
    ("Litestar request/response, routing, middleware", ("litestar/",)),
    ("anyio task groups", ("anyio/",)),
    ("our code (other)", ("onetime/", "api/", "web/")),
    ("uvicorn + httptools: parse requests, write responses", ("uvicorn/", "httptools")),
    ("event loop (uvloop, epoll, task switching)", ("asyncio/", "uvloop")),
)
IDLE_LEAVES = ("Condition.wait (threading.py", "Queue.get (queue.py")
OURS = ("onetime/", "api/", "web/")


def centre(files: list[str]) -> str:
    """Return the cost centre of one sampled stack (files from the root to the leaf)."""
    for name, markers in WORK:
        if any(marker in file for file in files for marker in markers):
            return name
    for file in reversed(files):
        for name, markers in LAYERS:
            if any(marker in file for marker in markers):
                return name
    return "other"


def summarize(raw: str, title: str) -> str:
    """Return a Markdown summary of py-spy raw (collapsed) stacks."""
    centres: Counter[str] = Counter()
    own: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = idle = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        parts = stack.split(";")
        if parts[-1].startswith(IDLE_LEAVES):
            idle += int(count_text)  # a thread waiting for work (the log listener): not CPU
            continue
        matches = [FRAME.match(part) for part in parts]
        frames = [(m["function"], m["file"]) for m in matches if m]
        if not frames:
            continue
        count = int(count_text)
        total += count
        centres[centre([file for _, file in frames])] += count
        leaves[f"{frames[-1][0]} ({frames[-1][1]})"] += count
        for name in {f"{function} ({file})" for function, file in frames if file.startswith(OURS)}:
            own[name] += count
    if not total:
        return f"## {title}\n\nNo samples.\n"
    out = [
        f"## {title}",
        "",
        f"{total} samples at {RATE}/s over all threads ({idle} more of the idle log listener left out).",
        "",
        "| cost centre | share |",
        "|---|---|",
    ]
    out += [f"| {name} | {count / total:.0%} |" for name, count in centres.most_common()]
    out += ["", "| our function (inclusive) | share |", "|---|---|"]
    out += [f"| {name} | {count / total:.0%} |" for name, count in own.most_common(12)]
    out += ["", "| hottest frames (self) | share |", "|---|---|"]
    out += [f"| {name} | {count / total:.1%} |" for name, count in leaves.most_common(12)]
    return "\n".join(out) + "\n"


async def profile_scenario(bench: Bench, url: str, pid: int, name: str, load: dict[str, object]) -> str:
    """Record the worker with py-spy while wrk applies `load`; return the summary."""
    raw_path = RESULTS / f"profile-{name}{SUFFIX}.txt"
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(RATE),
        "--duration",
        str(SECONDS),
        "--format",
        "raw",
        "--output",
        str(raw_path),
        "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    await asyncio.sleep(0.5)
    result = await wrk(url, 16, SECONDS, **load)  # type: ignore[arg-type]
    _, err = await spy.communicate()
    if spy.returncode != 0 or not raw_path.exists():
        raise RuntimeError(f"py-spy failed: {err.decode()[-500:]}")
    figures = f"{result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
    title = f"{name}{' with ' + PATCHES if PATCHES else ''}: {figures} (1 worker, 16 connections)"
    summary = summarize(raw_path.read_text(), title)
    (RESULTS / f"profile-{name}{SUFFIX}.md").write_text(summary)
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
    env = {
        **os.environ,
        "OTS_HOST": "127.0.0.1",
        "OTS_RATE_LIMITS": "off",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "OTS_SECRET": preload.random_master_secret(),
        "OTS_DATA_DIR": str(tmp),
    }
    bench = Bench(tmp=tmp, redis_port=port, env=env)
    ots_port = free_port()
    command = [str(Path(sys.executable).parent / "ots"), "serve"]
    if PATCHES:  # profile a variant of bench/variants.py instead of the product as is
        command = [sys.executable, "-m", "bench.serve"]
        env["BENCH_APP"] = "bench.variants:create_app"
    ots = start("ots-profile", command, serve_env(bench, ots_port, 1), tmp)
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
