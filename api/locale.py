"""The language of a request, for both faces: chosen once per request, kept on its state."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from litestar.connection import ASGIConnection

from onetime.translations import DEFAULT_LOCALE, negotiate

LANG_COOKIE = "lang"
"""The cookie that remembers the language a person chose with the picker."""
_STATE_KEY = "locale"
CURRENT_LOCALE: ContextVar[str] = ContextVar("ots_locale", default=DEFAULT_LOCALE)
"""The locale of the request this task serves, for template macros imported without its context."""


def locale_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Return the request's locale id ("de", "pt_BR"): the `lang` cookie, else Accept-Language, else "en"."""
    state = connection.state
    locale: str | None = state.get(_STATE_KEY)
    if locale is None:
        locale = negotiate(connection.cookies.get(LANG_COOKIE), connection.headers.get("accept-language"))
        state[_STATE_KEY] = locale
        CURRENT_LOCALE.set(locale)
    return locale
