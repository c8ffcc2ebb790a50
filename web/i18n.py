"""Languages in the browser: the picker's POST, the cookie that remembers it, and the page helpers.

The language of a request is chosen once (api.locale: the `lang` cookie, else Accept-Language,
else English); templates translate through Jinja2's i18n extension (web.templating), Python-side
words through `onetime.translations`.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request, Response, post
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send

from api.locale import CURRENT_LOCALE, LANG_COOKIE, locale_of, locale_of_scope
from onetime.errors import OnetimeError
from onetime.translations import (
    DEFAULT_LOCALE,
    LOCALES,
    N_,
    html_lang,
    translate,
    translate_error,
    translate_plural,
    translations,
)
from web.rendering import PAGE_HEADERS
from web.return_path import return_path_of, safe_return_path
from web.sites import ON_CUSTOM_DOMAINS

LANGUAGE_PATH = "/language"
COOKIE_MAX_AGE = 365 * 24 * 3600
"""The choice is remembered for a year."""


@post(LANGUAGE_PATH, name="set_language", opt={ON_CUSTOM_DOMAINS: True})
async def set_language(request: Request[Any, Any, Any]) -> Response[Any]:
    """Remember the chosen language in a cookie, then go back to the page the picker was on."""
    form = await request.form()
    chosen, back = form.get("lang"), form.get("next")
    response = Redirect(safe_return_path(back if isinstance(back, str) else "/"), status_code=303, headers=PAGE_HEADERS)
    if chosen in LOCALES:
        secure = request.app.state.session_cookie.secure
        response.set_cookie(
            Cookie(
                key=LANG_COOKIE,
                value=chosen,
                max_age=COOKIE_MAX_AGE,
                path="/",
                secure=secure,
                httponly=True,
                samesite="lax",
            )
        )
    return response


def error_text(request: Request[Any, Any, Any], error: OnetimeError) -> str:
    """Return an error's message in the request's language."""
    return translate_error(locale_of(request), error)


def gettext_in(request: Request[Any, Any, Any], message: str, **params: object) -> str:
    """Translate a message into the request's language and fill in its placeholders."""
    return translate(locale_of(request), message, params)


def ngettext_in(request: Request[Any, Any, Any], singular: str, plural: str, count: int, **params: object) -> str:
    """Translate a message that counts something into the request's language (`%(num)s` is the count)."""
    return translate_plural(locale_of(request), singular, plural, count, **params)


def locale_middleware(app: ASGIApp) -> ASGIApp:
    """Choose each request's language before its handler runs (see api.locale.CURRENT_LOCALE)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            locale_of_scope(scope)
        await app(scope, receive, send)

    return middleware


def _locale_of_page(context: Context) -> str:
    request = context.get("request")
    if request is not None:
        return locale_of(request)
    locale = context.get("locale")
    # A macro imported without the page's context (partials/_fields.html) sees no request.
    return locale if isinstance(locale, str) else CURRENT_LOCALE.get()


@pass_context
def page_gettext(context: Context, message: str) -> str:
    """Jinja2's `gettext`/`_` for pages: the words of the page's request."""
    return translations(_locale_of_page(context)).gettext(message)


@pass_context
def page_ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    """Jinja2's `ngettext` for pages."""
    return translations(_locale_of_page(context)).ngettext(singular, plural, count)


@pass_context
def page_locale(context: Context) -> str:
    """Return the locale id of the page being drawn ("pt_BR")."""
    return _locale_of_page(context)


@pass_context
def page_lang(context: Context) -> str:
    """Return the page's language as <html lang> wants it ("pt-BR")."""
    return html_lang(_locale_of_page(context))


@pass_context
def language_return_path(context: Context) -> str:
    """Return where the picker leads back to: this page's address, when a GET can draw it again.

    A page kept for many requests (web.rendering.render_kept) carries it as a per-request value
    (`language_next`), so that no visitor's address is kept in a page another visitor gets.
    """
    kept = context.get("language_next")
    if isinstance(kept, str):
        return kept
    request = context.get("request")
    return "" if request is None else return_path_of(request)


@pass_context
def page_number(context: Context, number: int) -> str:
    """The `number` filter: a whole number with the page language's digit grouping ("10,000", "10.000")."""
    return format_decimal(number, locale=_locale_of_page(context))


BROWSER_WORDS = {
    "e2e": N_(
        "End-to-end: your browser encrypts the secret (with the passphrase, if you type one) before sending it. "
        "The key is only in the link: this server never sees the secret, the key or the passphrase. "
        "(A generated password is still made and encrypted on the server.)"
    ),
    "server": N_("Encrypted on the server: this server encrypts your secret before storing it."),
    "noCrypto": N_(
        "Encrypted on the server: this browser cannot encrypt here (WebCrypto needs a secure, https connection), "
        "so this server encrypts your secret before storing it."
    ),
    "missing": N_(
        "This link is missing its key: the part after '#' was cut off. Ask the sender for the whole link. "
        "Nothing has been revealed or deleted."
    ),
    "damaged": N_(
        "The key at the end of this link (after '#') is damaged: a character is missing or was changed. "
        "Copy the whole link again, or ask the sender for it. Nothing has been revealed or deleted."
    ),
    "cannotDecryptHere": N_(
        "This browser cannot decrypt here: WebCrypto needs a secure, https connection. "
        "Nothing has been revealed or deleted."
    ),
    "needPassphrase": N_("Type the passphrase the sender gave you."),
    "wrongKey": N_(
        "The key in this link does not open this secret, so it cannot be shown. The secret was deleted from "
        "the server when you revealed it: ask the sender to share it again."
    ),
    "wrongPassphrase": N_(
        "The passphrase is wrong, or the key in the link was altered. The secret was deleted from the server, "
        "but this page still holds its encrypted copy until you leave it: try the passphrase again."
    ),
    "unreachable": N_("The server could not be reached. Nothing was sent: try again."),
    "emailed": N_(
        "Encrypted on the server: a link this server emails must be one it can write whole, so a secret sent "
        "by email is encrypted by this server."
    ),
    "blank": N_("Type or paste the secret to share, or choose \u201cGenerate a password\u201d."),
    "retype": N_(
        "Type the passphrase again (it is never kept), or untick \u201cProtect the secret with a passphrase\u201d."
    ),
    "size": N_("Encrypted, it takes %(size)s of the %(limit)s bytes allowed."),
    "over": N_(
        "Encrypted, this secret takes %(size)s bytes, over the limit of %(limit)s: shorten it, or untick "
        "\u201cEncrypt in my browser\u201d."
    ),
    "decrypting": N_("Decrypting in your browser\u2026"),
}
"""The words static/js/e2e.js shows (its English defaults), by the name the script gives them."""


@pass_context
def browser_words(context: Context) -> dict[str, str]:
    """Return the words of the page's scripts in its language (nothing in English: the scripts carry those)."""
    locale = _locale_of_page(context)
    if locale == DEFAULT_LOCALE:
        return {}
    catalog = translations(locale)
    return {name: catalog.gettext(message) for name, message in BROWSER_WORDS.items()}


PLAN_NAMES = (N_("Anonymous"), N_("Basic"), N_("Identity"))
"""The plans' names as the account page shows them (capitalised), for the catalogs."""

LANGUAGE_CHOICES = tuple(LOCALES.items())
"""(locale id, name in its own language) for the picker, in the catalog order."""
