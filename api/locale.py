"""The language of a request, for both faces: chosen once per request, kept on its state."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from onetime.translations import negotiate

LANG_COOKIE = "lang"
"""The cookie that remembers the language a person chose with the picker."""
_STATE_KEY = "locale"


def locale_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Return the request's locale id ("de", "pt_BR"): the `lang` cookie, else Accept-Language, else "en"."""
    state = connection.state
    locale: str | None = state.get(_STATE_KEY)
    if locale is None:
        locale = negotiate(connection.cookies.get(LANG_COOKIE), connection.headers.get("accept-language"))
        state[_STATE_KEY] = locale
    return locale
