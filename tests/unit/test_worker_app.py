"""The app a server worker builds leaves its start-up objects out of the cyclic collector's walks."""

from __future__ import annotations

import base64
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from web import serve_process


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()  # the test process keeps collecting all it builds


def test_the_worker_app_freezes_what_start_up_built(
    unfrozen: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OTS_SECRET", base64.b64encode(b"k" * 32).decode())
    monkeypatch.setattr(serve_process, "exit_with_parent", lambda: None)  # the test runner is no server
    assert gc.get_freeze_count() == 0
    app = serve_process.create_worker_app()
    # The modules, routes and catalogs: a full collection under load walked them all (20-60 ms pauses).
    assert gc.get_freeze_count() > 10_000
    assert app.route_reverse("home") == "/"
