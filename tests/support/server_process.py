"""Run the product as real processes: `ots serve` on a free port, and one-shot `ots` commands.

The one harness for every test that starts `ots serve`: the process tests and the browser tests.

Every process started here is stopped by its owner (a `with` block), even when a test fails:
SIGTERM first, then SIGKILL for the whole process group, then any redis-server left behind in
the test's own data dir.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from tests.support.redis_server import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OTS_COMMAND = [sys.executable, "-m", "web.cli"]
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


def ots_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """Return an environment for `ots`: this one without any OTS_* variable, plus the given ones.

    The machine's own OTS_* settings (a shared Redis, say) never leak into a test; without
    OTS_REDIS_URL the server uses the embedded Redis in `data_dir`.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("OTS_")}
    env.update(PYTHONUNBUFFERED="1", OTS_DATA_DIR=str(data_dir), OTS_BCRYPT_COST="4")
    env.update(variables)
    return env


def run_ots(*args: str, env: Mapping[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run one `ots` command to the end and return what it printed."""
    command = [*OTS_COMMAND, *args]
    options: dict[str, Any] = {"env": dict(env), "cwd": PROJECT_ROOT, "capture_output": True, "text": True}
    return subprocess.run(command, check=False, timeout=timeout, **options)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name sits in parentheses and may hold spaces: fields start after the last ")".
    return int(stat.rsplit(")", 1)[1].split()[1])


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def children(pid: int) -> list[int]:
    """Return the live direct children of a process."""
    return [child for child in _pids() if _parent(child) == pid and not _is_zombie(child)]


def redis_servers_in(data_dir: Path) -> list[int]:
    """Return the live redis-server processes serving the embedded Redis of this data dir.

    redis-server renames itself to `redis-server unixsocket:<data dir>/redis.sock`, so this also
    finds one that outlived its parent.
    """
    needle = str(data_dir.resolve() / "redis.sock")
    return [
        pid for pid in _pids() if "redis-server" in (line := _cmdline(pid)) and needle in line and not _is_zombie(pid)
    ]


def kill_redis_servers_in(data_dir: Path) -> None:
    """Kill redis-servers a test's own data dir has left running (they are the test's processes)."""
    for pid in redis_servers_in(data_dir):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


class ServerProcess:
    """One `ots serve` process on a free port, its stdout and stderr captured to files."""

    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.env = dict(env)
        self.port = int(self.env.setdefault("OTS_PORT", str(free_port())))
        self.data_dir = Path(self.env["OTS_DATA_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        number = len(list(log_dir.glob("serve-*.out")))
        self.stdout_path = log_dir / f"serve-{number}.out"
        self.stderr_path = log_dir / f"serve-{number}.err"
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    @property
    def origin(self) -> str:
        """Return where the server listens."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return f"{self.origin}{path}"

    @property
    def api(self) -> str:
        """Return the base URL of the v1 API."""
        return f"{self.origin}/api/v1"

    @property
    def pid(self) -> int:
        """Return the process id of the `ots serve` parent."""
        assert self.process is not None, "the server is not running"
        return self.process.pid

    def client(self, **options: object) -> httpx.Client:
        """Return an HTTP client for the v1 API (close it, or use it in a `with`)."""
        options.setdefault("timeout", 10)
        return httpx.Client(base_url=self.api, **options)  # type: ignore[arg-type]

    def start(self) -> Self:
        """Start `ots serve` and wait until /api/v1/status answers (whatever it answers)."""
        with self.stdout_path.open("wb") as stdout, self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*OTS_COMMAND, "serve"],
                env=self.env,
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,  # its own process group, so a stuck server and its workers can be killed
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.returncode = self.process.returncode
                message = f"ots serve exited with {self.returncode} during start:\n{self.output()}"
                raise RuntimeError(message)
            try:
                httpx.get(f"{self.api}/status", timeout=2)
            except httpx.TransportError:
                time.sleep(0.05)
            else:
                return self
        self.stop()
        raise RuntimeError(f"ots serve did not answer within {START_TIMEOUT} s:\n{self.output()}")

    def stop(self) -> int | None:
        """Send SIGTERM and wait; kill whatever is left if it does not stop in time."""
        process, self.process = self.process, None
        if process is None:
            return self.returncode
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                self.returncode = process.wait(timeout=STOP_TIMEOUT)
            else:
                self.returncode = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            self.returncode = None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # workers that outlived their parent
        return self.returncode

    def output(self) -> str:
        """Return everything the server printed so far: stdout, then stderr."""
        return "".join(path.read_text(errors="replace") for path in (self.stdout_path, self.stderr_path))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            self.stop()
        finally:
            kill_redis_servers_in(self.data_dir)  # only if the server failed to stop its own
