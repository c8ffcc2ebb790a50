"""HTML pages. The browser app arrives with its own issue; this holds the home page and errors."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.exceptions import HTTPException
from litestar.response import Template

from api.dependencies import SecretServiceDep

API_PREFIX = "/api/"


class HomeController(Controller):
    """The landing page."""

    @get("/", media_type=MediaType.HTML)
    async def home(self, secret_service: SecretServiceDep) -> Template:
        """Show what this server is and how to use its API."""
        return Template("pages/home.html", context={"base_url": secret_service.settings.base_url})


def http_error_page(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    """Answer framework errors: the v1 JSON shape under /api/, an HTML page elsewhere."""
    if request.url.path.startswith(API_PREFIX):
        if error.status_code in {404, 405}:
            body: dict[str, str] = {"error": "Not Found"}
            return Response(body, status_code=404, media_type=MediaType.JSON, headers={"Cache-Control": "no-store"})
        return Response(
            {"message": "The request could not be read"}, status_code=404, media_type=MediaType.JSON,
            headers={"X-OTS-Intended-Status": str(error.status_code), "Cache-Control": "no-store"},
        )  # fmt: skip
    status = 404 if error.status_code == 405 else error.status_code  # noqa: PLR2004
    template = "errors/404.html" if status == 404 else "errors/error.html"  # noqa: PLR2004
    return Template(template, context={"status": status}, status_code=status)
