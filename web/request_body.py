"""The app's request class: a form that cannot be read as text is the client's fault, not a bug.

It also keeps the request's `state` view: Litestar builds a new `State` (and its lock) on every
access, and a page reads it about six times (the caller, the site, the language; issue 13).

Litestar decodes each multipart text field with the charset its part names, so a field of
invalid UTF-8 raised `UnicodeDecodeError` and an unknown charset `LookupError` (whose message
carries the charset the client sent) as a 500 with a traceback. Both faces, and the CSRF check
that reads the form's token first, read forms through this class, so each answers 400 instead:
a v1 error under /api/v1, the error page elsewhere, and the access log's one line.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict, State
from litestar.exceptions import ClientException

UNREADABLE_FORM = "The form could not be read as text"


class OnetimeRequest(Request[Any, Any, Any]):
    """A request whose form refuses undecodable text with a 400, and whose state view is built once."""

    @property
    def state(self) -> State:
        """Return the request's state (a view of `scope["state"]`, the same dict every time)."""
        kept: State | None = self.__dict__.get("_state_view")
        if kept is None:
            kept = self.__dict__["_state_view"] = State(self.scope.get("state"))
        return kept

    async def form(self) -> FormMultiDict:
        """Return the posted form; a field in an unknown charset or not in its charset is a 400."""
        try:
            return await super().form()
        except (UnicodeDecodeError, LookupError):
            raise ClientException(UNREADABLE_FORM) from None
