"""The message catalogs: which languages the server speaks, and the words of each.

The catalogs are the `.po` files beside this module (`<locale>/LC_MESSAGES/messages.po`), read
once per process when a language is first used; `messages.pot` is their template, extracted by
pybabel (see docs/translating.md). English is the language of the source, so it has no catalog.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOG_DIR = Path(__file__).resolve().parent
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
LOCALES: Mapping[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "ja": "日本語",
    "nl": "Nederlands",
    "pt_BR": "Português (Brasil)",
}
"""Every language the server speaks, by locale id, with its name in that language (for the picker)."""


def N_(message: str) -> str:  # noqa: N802 - the name pybabel looks for
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return message


def po_path(locale: str) -> Path:
    """Return the path of a language's catalog."""
    return CATALOG_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(locale: str) -> gettext.NullTranslations:
    """Return the translations of a language (English and unknown locales: the source words)."""
    if locale == DEFAULT_LOCALE or locale not in LOCALES:
        return gettext.NullTranslations()
    with po_path(locale).open("rb") as source:
        catalog = read_po(source, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    # Fuzzy entries are never used: a guess shown to people is worse than the English words.
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def html_lang(locale: str) -> str:
    """Return the BCP 47 tag of a locale id, as <html lang> and Content-Language want it ("pt-BR")."""
    return locale.replace("_", "-")


def translate(locale: str, message: str, params: Mapping[str, object] | None = None) -> str:
    """Translate a message (English source words) and fill in its named placeholders."""
    text = translations(locale).gettext(message)
    return text % params if params else text


def translate_plural(locale: str, singular: str, plural: str, count: int, **params: object) -> str:
    """Translate a message whose words depend on a number; `%(num)s` stands for the number."""
    return translations(locale).ngettext(singular, plural, count) % {"num": count, **params}


class Message(Protocol):
    """What a translatable error carries (onetime.errors.OnetimeError)."""

    @property
    def message(self) -> str:
        """The English text."""

    @property
    def template(self) -> str:
        """The English words with their placeholders: the catalogs' id."""

    @property
    def params(self) -> Mapping[str, object]:
        """The placeholders' values."""


def translate_error(locale: str, error: Message) -> str:
    """Return an error's message in a language; in English, the message itself, byte for byte.

    Text values of its placeholders are looked up too: a marked noun ("display name") is
    translated, and anything else (a domain, an address) has no entry and stays as it is.
    """
    if locale == DEFAULT_LOCALE or locale not in LOCALES:
        return error.message
    catalog = translations(locale)
    values = {name: catalog.gettext(value) if isinstance(value, str) else value for name, value in error.params.items()}
    return translate(locale, error.template, values)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """Choose the language of a request: the `lang` cookie if it names one, else Accept-Language, else English.

    Accept-Language entries are tried by quality (q), highest first, keeping the header's order
    among equals; each tries its exact locale ("pt-BR"), then its language alone ("de-AT" -> "de").
    A language the server does not speak is skipped; `q=0` means "not this one".
    """
    if cookie:
        chosen = _known(cookie.strip())
        if chosen:
            return chosen
    if accept_language:
        for tag in _by_quality(accept_language):
            chosen = _known(tag)
            if chosen:
                return chosen
    return DEFAULT_LOCALE


_BY_LOWER = {locale.lower(): locale for locale in LOCALES}
_BY_LANGUAGE = {locale.split("_")[0].lower(): locale for locale in LOCALES}
MAX_LANGUAGE_RANGES = 32
"""Accept-Language ranges read at most: a longer header is a client's mistake or an attack."""


def _known(tag: str) -> str | None:
    normal = tag.replace("-", "_").lower()
    return _BY_LOWER.get(normal) or _BY_LANGUAGE.get(normal.split("_")[0])


def _by_quality(header: str) -> list[str]:
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:1024].split(",")[:MAX_LANGUAGE_RANGES]):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        for parameter in rest.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip()
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]
