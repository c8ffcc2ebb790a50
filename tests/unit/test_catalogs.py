"""The catalog check of `make test`: every language complete, nothing fuzzy, the .pot current, placeholders intact."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from onetime.translations import CATALOG_DIR, DEFAULT_LOCALE, LOCALES, po_path, translations

ROOT = Path(__file__).resolve().parents[2]
POT = CATALOG_DIR / "messages.pot"
LANGUAGES = [locale for locale in LOCALES if locale != DEFAULT_LOCALE]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
TAG = re.compile(r"</?([a-z]+)")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def ids(catalog: Catalog) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in entries(catalog)}


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def sources(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(locale: str) -> None:
    catalog = read(po_path(locale), locale)
    assert not catalog.fuzzy, f"{locale}: the header is marked fuzzy"
    untranslated = [sources(m)[0] for m in entries(catalog) if not all(form.strip() for form in forms(m))]
    fuzzy = [sources(m)[0] for m in entries(catalog) if m.fuzzy]
    assert not untranslated, f"{locale}: {len(untranslated)} untranslated, first: {untranslated[:3]}"
    assert not fuzzy, f"{locale}: {len(fuzzy)} fuzzy, first: {fuzzy[:3]}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_catalog_has_exactly_the_entries_of_the_template(locale: str) -> None:
    expected, found = ids(read(POT)), ids(read(po_path(locale), locale))
    assert not expected - found, f"{locale} lacks: {sorted(expected - found)[:5]} (run `make messages`)"
    assert not found - expected, f"{locale} has obsolete entries: {sorted(found - expected)[:5]}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_placeholders_and_markup_are_intact_in_every_translation(locale: str) -> None:
    broken = []
    for message in entries(read(po_path(locale), locale)):
        wanted = Counter(PLACEHOLDER.findall(sources(message)[-1]))
        tags = sorted(TAG.findall(sources(message)[0]))
        for form in forms(message):
            if set(PLACEHOLDER.findall(form)) != set(wanted) or sorted(TAG.findall(form)) != tags:
                broken.append((sources(message)[0], form))
            # A translation must format with the same values as the English words (no stray %).
            try:
                form % dict.fromkeys(re.findall(r"%\(([a-z_]+)\)", form), 1)
            except (KeyError, ValueError, TypeError) as error:
                broken.append((sources(message)[0], f"{form} ({error})"))
    assert not broken, f"{locale}: {broken[:3]}"


@pytest.mark.parametrize("locale", LANGUAGES)
def test_plural_rules_are_the_languages_own(locale: str) -> None:
    catalog = read(po_path(locale), locale)
    assert catalog.plural_forms == get_plural(locale).plural_forms
    one = translations(locale).ngettext("%(num)s day", "%(num)s days", 1) % {"num": 1}
    five = translations(locale).ngettext("%(num)s day", "%(num)s days", 5) % {"num": 5}
    assert "1" in one
    assert "5" in five
    assert one not in {"1 day", "1 days"}


def test_the_template_is_current_with_the_code_and_templates(tmp_path: Path) -> None:
    makefile = (ROOT / "Makefile").read_text()
    keywords = re.search(r"^BABEL_KEYWORDS := (.+)$", makefile, re.MULTILINE)
    assert keywords, "the Makefile names the extraction keywords"
    fresh = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg"]
    command += [
        *shlex.split(keywords.group(1)),
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(fresh),
        ".",
    ]
    subprocess.run(command, cwd=ROOT, check=True, timeout=120)
    current, committed = ids(read(fresh)), ids(read(POT))
    assert current - committed == set(), (
        f"words not in messages.pot yet (run `make messages`): {sorted(current - committed)[:5]}"
    )
    assert committed - current == set(), f"messages.pot has words no longer used: {sorted(committed - current)[:5]}"


TEMPLATES = ROOT / "templates"
ALLOWED_BARE = {"TXT", "Onetime", "Secret"}
"""Words a template may show untranslated: a DNS record type, and the product's name."""
VISIBLE_ATTRIBUTES = re.compile(r'\b(?:alt|title|aria-label|placeholder|hx-confirm|data-confirm)="([^"]*)"')


def bare_words(source: str) -> list[str]:
    """Return the words of a template that no gettext call or {% trans %} block wraps."""
    text = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)
    text = re.sub(r"\{%-? *trans\b.*?endtrans *-?%\}", "", text, flags=re.DOTALL)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.DOTALL)
    attributes = [value for value in VISIBLE_ATTRIBUTES.findall(text) if "{{" not in value and "{%" not in value]
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.DOTALL)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.DOTALL)
    text = re.sub(r'[a-z-]+="[^"]*"', " ", text)  # attributes a macro writes outside a tag
    words = re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", " ".join([text, *attributes]))
    return [word for word in words if word not in ALLOWED_BARE]


@pytest.mark.parametrize(
    "template",
    sorted(path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt"}),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_every_word_a_template_shows_is_wrapped_for_translation(template: Path) -> None:
    assert bare_words(template.read_text()) == []
