"""Serve a bench app through `ots serve`'s own code path: `python -m bench.serve`.

web.cli.serve() is called unchanged, with its `uvicorn.run` wrapped so that only the application
it names differs: every uvicorn option stays whatever the product uses today. The app is the
ceiling (bench/ceiling_app.py) unless BENCH_APP names another factory (bench/variants.py).
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace
from typing import Any

import uvicorn

from onetime.settings import Settings
from web import cli

CEILING_APP = "bench.ceiling_app:create_app"
APP = os.environ.get("BENCH_APP", CEILING_APP)


def _run_ceiling(app: object, **options: Any) -> None:  # noqa: ANN401 - uvicorn.run's options
    del app
    uvicorn.run(APP, **options)


def main() -> int:
    """Serve the ceiling app with the product's uvicorn settings (OTS_* variables apply)."""
    # Everything else of uvicorn's (its default log config) stays as the product reads it.
    cli.uvicorn = SimpleNamespace(run=_run_ceiling, config=uvicorn.config)  # type: ignore[assignment]
    return cli.serve(Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
