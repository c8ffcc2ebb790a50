"""The peer in the bench: snappass 1.6.2 (Flask) under `gunicorn -w 2`, on its own redis-server.

`make bench` makes its virtualenv (.venv-snappass, from bench/peer-requirements.txt: pinned, from
PyPI, never the app's environment). This module starts and stops its processes, stores secrets
for its reveal runs through its own code (bench/peer_preload.py), and says which request of
snappass matches which of ours:

- create: `POST /` with `password` (100 bytes) and `ttl=day`, asking for JSON
  (`Accept: application/json`, snappass's API answer) as our `POST /api/v1/share` answers JSON;
- reveal: `POST /<token>` (snappass has no JSON reveal: it answers the HTML page with the secret);
- home page: `GET /`;
- reveal page: `GET /<token>` (snappass checks that the secret exists and renders its preview).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from bench.procs import REPO, Managed, free_port, start, start_redis, wait_http

VENV = Path(os.environ.get("BENCH_PEER_VENV", REPO / ".venv-snappass"))
WORKERS = 2
CREATE_BODY = "password=" + "x" * 100 + "&ttl=day"
JSON = {"BENCH_ACCEPT": "application/json"}


@dataclass
class Peer:
    """A running snappass with its own redis-server."""

    server: Managed
    redis: Managed
    redis_port: int
    url: str

    def stop(self) -> None:
        """Stop gunicorn (it stops its workers) and then the redis-server."""
        self.server.stop()
        self.redis.stop()

    async def tokens(self, count: int, out: Path) -> Path:
        """Store `count` secrets through snappass's own code; return the file of their tokens."""
        process = await asyncio.create_subprocess_exec(
            str(VENV / "bin" / "python"),
            str(REPO / "bench" / "peer_preload.py"),
            str(count),
            str(out),
            env=_env(self.redis_port),
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"snappass preload failed: {err.decode()[-800:]}")
        return out


def available() -> bool:
    """Tell whether the peer's virtualenv is installed."""
    return (VENV / "bin" / "gunicorn").exists()


def _env(redis_port: int) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_port),
        "NO_SSL": "true",  # links say http://, as they would behind no proxy; no effect on the work
        "SECRET_KEY": os.urandom(16).hex(),
    }


def start_peer(tmp: Path) -> Peer:
    """Start snappass's redis-server and `gunicorn -w 2 snappass.main:app`; wait until it answers."""
    redis_port, port = free_port(), free_port()
    peer_dir = tmp / "snappass"
    peer_dir.mkdir(exist_ok=True)
    redis = start_redis(redis_port, peer_dir)
    command = [str(VENV / "bin" / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "snappass.main:app"]
    server = start("snappass", command, _env(redis_port), peer_dir)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/", server)
    except RuntimeError:
        server.stop()
        redis.stop()
        raise
    return Peer(server=server, redis=redis, redis_port=redis_port, url=url)
