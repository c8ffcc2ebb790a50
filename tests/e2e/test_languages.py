"""The main flow in other languages, with and without JavaScript; the picker; axe in every language shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, Contexts
from tests.e2e.test_pages_in_browser import run_axe
from tests.support.server_process import ServerProcess

RECEIPT_URL = re.compile(r"/private/[a-z0-9]{31}$")


@dataclass(frozen=True)
class Words:
    """What a person sees in one language, as the catalogs say it."""

    browser_locale: str
    html_lang: str
    secret: str
    create: str
    ready: str
    received: str
    reveal: str
    revealed: str
    gone: str


GERMAN = Words(
    "de-DE",
    "de",
    "Geheimnis",
    "Geheimnis-Link erstellen",
    "Ihr Geheimnis-Link ist bereit",
    "Sie haben ein Geheimnis erhalten",
    "Geheimnis anzeigen",
    "Ihr Geheimnis",
    "Dieses Geheimnis ist weg oder war nie hier",
)
JAPANESE = Words(
    "ja-JP",
    "ja",
    "シークレット",
    "シークレットのリンクを作成",
    "シークレットのリンクができました",
    "シークレットが届いています",
    "シークレットを表示",
    "シークレット",
    "このシークレットは存在しないか、すでに削除されています",
)


def page_in(people: Contexts, locale: str, *, javascript: bool = True) -> Page:
    """Open a page in a browser whose language is `locale` (its Accept-Language)."""
    context = people.browser.new_context(
        viewport=PHONE, java_script_enabled=javascript, locale=locale, timezone_id="UTC"
    )
    people.opened.append(context)
    page = context.new_page()
    page.on("console", people._record)
    page.on("pageerror", lambda error: people.console_errors.append(f"pageerror: {error}"))
    return page


def no_axe_violations(page: Page, where: str, *, javascript: bool = True) -> None:
    """Run axe in the page where JavaScript runs; a page without it cannot run axe (its markup is the same)."""
    if not javascript:
        return
    violations = run_axe(page)
    assert violations == [], f"{where}: {violations}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
@pytest.mark.parametrize("words", [GERMAN, JAPANESE], ids=["de", "ja"])
def test_create_receipt_and_reveal_in_another_language(
    server: ServerProcess, people: Contexts, words: Words, javascript: bool
) -> None:
    creator = page_in(people, words.browser_locale, javascript=javascript)
    creator.goto(server.url("/"))
    expect(creator.locator("html")).to_have_attribute("lang", words.html_lang)
    no_axe_violations(creator, f"home ({words.html_lang})", javascript=javascript)
    creator.get_by_label(words.secret, exact=True).fill("tiramisu-42")
    creator.get_by_role("button", name=words.create).click()
    expect(creator).to_have_url(RECEIPT_URL)
    expect(creator.get_by_role("heading", level=1)).to_have_text(words.ready)
    no_axe_violations(creator, f"receipt ({words.html_lang})", javascript=javascript)
    expect(creator.locator("#share-link")).not_to_have_value("")  # an end-to-end link is completed by script
    link = creator.locator("#share-link").input_value()

    recipient = page_in(people, words.browser_locale, javascript=javascript)
    recipient.goto(link)
    expect(recipient.locator("html")).to_have_attribute("lang", words.html_lang)
    expect(recipient.get_by_role("heading", level=1)).to_have_text(words.received)
    no_axe_violations(recipient, f"reveal ({words.html_lang})", javascript=javascript)
    recipient.get_by_role("button", name=words.reveal).click()
    expect(recipient.get_by_role("heading", level=1)).to_have_text(words.revealed)
    expect(recipient.locator("#secret-value")).to_have_value("tiramisu-42")
    no_axe_violations(recipient, f"revealed ({words.html_lang})", javascript=javascript)

    again = page_in(people, words.browser_locale, javascript=javascript)
    again.goto(link)
    expect(again.get_by_role("heading", level=1)).to_have_text(words.gone)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_picker_switches_the_language_and_remembers_it(
    server: ServerProcess, people: Contexts, javascript: bool
) -> None:
    page = page_in(people, "en-GB", javascript=javascript)
    page.goto(server.url("/signin"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language").select_option("fr")
    if not javascript:  # without JavaScript the form has its own button; with it, choosing is enough
        page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(server.url("/signin"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    no_axe_violations(page, "sign-in (fr)", javascript=javascript)
    page.goto(server.url("/"))  # the cookie remembers the choice over the browser's own language
    expect(page.get_by_role("heading", level=1)).to_have_text("Partagez un secret, une seule fois")
    expect(page.get_by_label("Langue")).to_have_value("fr")


def test_the_picker_asks_before_leaving_a_secret_shown_once(server: ServerProcess, people: Contexts) -> None:
    creator = page_in(people, "nl-NL")
    creator.goto(server.url("/"))
    creator.get_by_label("Geheim", exact=True).fill("shown-once")
    creator.get_by_role("button", name="Geheime link maken").click()
    expect(creator).to_have_url(RECEIPT_URL)
    expect(creator.locator("#share-link")).not_to_have_value("")  # an end-to-end link is completed by script
    link = creator.locator("#share-link").input_value()
    recipient = page_in(people, "nl-NL")
    recipient.goto(link)
    recipient.get_by_role("button", name="Het geheim tonen").click()
    expect(recipient.locator("#secret-value")).to_have_value("shown-once")
    asked: list[str] = []

    def dismiss(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    recipient.once("dialog", dismiss)
    recipient.get_by_label("Taal").select_option("de")
    expect(recipient.get_by_label("Taal")).to_have_value("nl")  # the choice is taken back
    expect(recipient.locator("#secret-value")).to_have_value("shown-once")
    assert asked
    assert asked[0].startswith("Als je de taal wijzigt")
