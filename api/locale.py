"""The language of a request, for both faces: chosen once per request, kept on its state."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import Scope

from onetime.translations import DEFAULT_LOCALE, negotiate

LANG_COOKIE = "lang"
"""The cookie that remembers the language a person chose with the picker."""
LANG_COOKIE_BYTES = LANG_COOKIE.encode()
_STATE_KEY = "locale"
CURRENT_LOCALE: ContextVar[str] = ContextVar("ots_locale", default=DEFAULT_LOCALE)
"""The locale of the request this task serves, for template macros imported without its context."""


def locale_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """Return the request's locale id ("de", "pt_BR"): the `lang` cookie, else Accept-Language, else "en"."""
    return locale_of_scope(connection.scope)


def locale_of_scope(scope: Scope) -> str:
    """Return the locale of the request whose ASGI scope this is, choosing it on the first call.

    Read from the raw headers (the locale middleware asks on every request): only a request whose
    cookies may name a language has them parsed.
    """
    state = scope["state"]
    locale: str | None = state.get(_STATE_KEY)
    if locale is None:
        cookie_lang = accept_language = None
        for name, value in scope["headers"]:
            if name == b"accept-language" and accept_language is None:
                accept_language = value.decode("latin-1")
            elif name == b"cookie" and cookie_lang is None and LANG_COOKIE_BYTES in value:
                cookie_lang = ASGIConnection(scope).cookies.get(LANG_COOKIE)
        locale = negotiate(cookie_lang, accept_language)
        state[_STATE_KEY] = locale
        CURRENT_LOCALE.set(locale)
    return locale
