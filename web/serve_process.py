"""What keeps `ots serve` one well-behaved process tree: one server per data directory, no orphans.

- The parent holds an exclusive lock on `<data dir>/ots.lock` for its whole life; a second
  `ots serve` on the same data directory cannot take it and refuses to start. The kernel drops the
  lock when the parent dies, however it dies.
- Each worker asks the kernel for SIGTERM when its parent dies (Linux `PR_SET_PDEATHSIG`), so a
  `kill -9` of the parent does not leave workers serving on the port; they shut down gracefully.
- With several workers, the Prometheus client keeps each worker's figures in files of a directory
  that the parent empties at start (its multiprocess mode); one worker is one process and needs none.
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import IO

from litestar import Litestar

from web.app import create_app

LOCK_NAME = "ots.lock"
METRICS_DIR_NAME = "metrics"
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_WATCH_SECONDS = 1.0
"""Where there is no parent-death signal, how often a worker checks that its parent lives."""


class DataDirInUse(RuntimeError):
    """Another `ots serve` (or a command running the embedded Redis for itself) holds this data directory."""


def lock_data_dir(data_dir: Path) -> IO[str]:
    """Take the data directory for this server; keep the returned file open for as long as it runs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = (data_dir / LOCK_NAME).open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        holder = lock.read().strip() or "unknown"
        lock.close()
        message = f"another ots (pid {holder}) already uses the data directory {data_dir.resolve()}"
        raise DataDirInUse(message) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n")
    lock.flush()
    return lock


def prepare_metrics_dir(data_dir: Path, workers: int) -> None:
    """Point the workers' Prometheus client at an empty directory, when there is more than one worker.

    Set before the workers start: each one reads it when it imports the client.
    """
    if workers == 1:
        os.environ.pop(MULTIPROC_VARIABLE, None)
        return
    directory = (data_dir / METRICS_DIR_NAME).resolve()
    shutil.rmtree(directory, ignore_errors=True)  # figures of an earlier run would be added to this one's
    directory.mkdir(parents=True, mode=0o700)
    os.environ[MULTIPROC_VARIABLE] = str(directory)


def exit_with_parent() -> None:
    """In a worker process: receive SIGTERM when the parent dies; leave now if it already has."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return  # the one process of a single-worker server
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:  # no parent-death signal: watch the parent instead
        threading.Thread(target=_watch_parent, args=(parent.pid,), name="parent-watch", daemon=True).start()
    if os.getppid() != parent.pid:  # the parent died before the request took effect
        raise SystemExit(0)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_WATCH_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)


def create_worker_app() -> Litestar:
    """Build the app in a server process: the factory `ots serve` hands to uvicorn."""
    exit_with_parent()
    app = create_app()
    # Everything built so far (modules, routes, catalogs) lives as long as the process: moved out
    # of the collector's reach, a full collection no longer walks it. Measured: its pauses went
    # from 20-60 ms to a few ms under load (issue 13).
    gc.collect()
    gc.freeze()
    return app
