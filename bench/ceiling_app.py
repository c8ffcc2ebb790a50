"""The ceiling: a bare Litestar app with trivial endpoints, served exactly like `ots serve`.

Bench-only; the product has no such routes. `bench.serve ceiling` runs it through web.cli.serve()
with the app swapped, so it gets the same uvicorn options (loop, parser, workers, logging).
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request, get, post


@get("/ping")
async def ping() -> dict[str, str]:
    """Answer a tiny JSON object: the cost of the server stack and routing alone."""
    return {"status": "nominal"}


@post("/echo", status_code=200)
async def echo(request: Request[Any, Any, Any]) -> dict[str, int]:
    """Read a form body and answer its size: a POST with no work behind it."""
    body = await request.body()
    return {"bytes": len(body)}


def create_app() -> Litestar:
    """Return the ceiling app."""
    return Litestar(route_handlers=[ping, echo], debug=False)
