"""Choosing a language, and words said in it: negotiation, durations with plurals, errors, emails."""

from __future__ import annotations

from pathlib import Path

import pytest

from onetime.accounts.password_rules import check_password
from onetime.errors import MailLimited, PasswordRejected, TooLarge, UnknownSecret
from onetime.mail.config import SmtpServer
from onetime.mail.mailer import Mailer, expires_in
from onetime.mail.outgoing import OutgoingMail
from onetime.translations import html_lang, negotiate, translate_error
from web.return_path import safe_return_path
from web.templating import duration

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"


@pytest.mark.parametrize(
    ("cookie", "header", "chosen"),
    [
        (None, None, "en"),
        (None, "", "en"),
        (None, "de", "de"),
        (None, "de-AT,de;q=0.9,en;q=0.8", "de"),
        (None, "fr;q=0.5, ja;q=0.9", "ja"),
        (None, "pt-BR,pt;q=0.9", "pt_BR"),
        (None, "pt", "pt_BR"),
        (None, "sv, nl;q=0.4", "nl"),
        (None, "sv, *;q=0.5", "en"),
        (None, "de;q=0, fr", "fr"),
        (None, "es;q=bogus, ja", "ja"),
        (None, "en-GB, de", "en"),
        ("ja", "de", "ja"),
        ("pt-BR", None, "pt_BR"),
        ("klingon", "es", "es"),
    ],
)
def test_the_cookie_wins_then_accept_language_by_quality_then_english(
    cookie: str | None, header: str | None, chosen: str
) -> None:
    assert negotiate(cookie, header) == chosen


def test_a_huge_accept_language_is_read_only_in_part() -> None:
    assert negotiate(None, "xx;q=0.9," * 5000 + "de") == "en"


def test_html_lang_is_a_bcp47_tag() -> None:
    assert html_lang("pt_BR") == "pt-BR"
    assert html_lang("ja") == "ja"


@pytest.mark.parametrize(
    ("locale", "seconds", "said"),
    [
        ("en", 3 * 86400 + 4 * 3600, "3 days 4 hours"),
        ("en", 86400 + 60, "1 day"),
        ("de", 86400 + 3600, "1 Tag 1 Stunde"),
        ("de", 2 * 86400 + 5 * 3600, "2 Tage 5 Stunden"),
        ("fr", 3600 + 60, "1 heure 1 minute"),
        ("fr", 7 * 86400, "7 jours"),
        ("es", 20, "menos de un minuto"),
        ("nl", 2 * 3600, "2 uur"),
        ("pt_BR", 14 * 86400, "14 dias"),
        ("ja", 3 * 86400 + 4 * 3600, "3 日 4 時間"),
    ],
)
def test_durations_are_said_with_each_languages_plurals(locale: str, seconds: int, said: str) -> None:
    assert duration(seconds, locale) == said


def test_an_error_keeps_its_english_words_byte_for_byte_and_translates_with_its_values() -> None:
    error = TooLarge(1001, 1000)
    assert translate_error("en", error) == "Secret value exceeds the maximum size of 1000 bytes"
    assert translate_error("de", error) == "Das Geheimnis überschreitet die Höchstgröße von 1000 Byte"
    limited = MailLimited(10, 60)
    assert limited.message == "Too many recipient emails: at most 10 every 60 minutes. Please try again later."
    assert "10" in translate_error("ja", limited)
    assert "60" in translate_error("ja", limited)
    assert translate_error("fr", UnknownSecret("k" * 31)) == "Secret inconnu"


def test_an_unknown_language_falls_back_to_english() -> None:
    assert translate_error("tlh", UnknownSecret("k" * 31)) == "Unknown secret"


@pytest.mark.parametrize(
    ("candidate", "kept"),
    [
        ("/secret/abc", True),
        ("/dashboard?page=2", True),
        ("/", True),
        ("", False),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/x\r\nSet-Cookie: a=b", False),
        ("/x\x00y", False),
        ("/x\x7fy", False),
        ("/a\\b", False),
        ("/caf\u00e9?q=\u00fc", True),
        ("/" + "a" * 3000, False),
    ],
)
def test_the_picker_returns_only_to_a_path_of_this_site(candidate: str, kept: bool) -> None:
    assert safe_return_path(candidate) == (candidate if kept else "/")


def test_a_secret_link_email_is_written_in_the_senders_language() -> None:
    mail = OutgoingMail(
        recipient="tom@example.com",
        sender="alice@example.com",
        secret_url="https://share.example.org/secret/abc",
        expires=1_800_000_000 + 2 * 86400,
        message_id="m1",
        locale="de",
    )
    message = Mailer(SmtpServer("127.0.0.1", 25, "none"), "noreply@example.com", TEMPLATES).compose(mail, 1_800_000_000)
    assert message["Subject"] == "alice@example.com hat Ihnen ein Geheimnis gesendet"
    assert message["Content-Language"] == "de"
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "Er ist noch 2 Tage gültig." in text.get_content()  # the plural of the catalog
    assert '<html lang="de">' in html.get_content()
    assert "<strong>alice@example.com</strong> hat Ihnen ein Geheimnis gesendet." in html.get_content()


def test_expiry_in_an_email_uses_plural_rules() -> None:
    assert expires_in(3600, "fr") == "1 heure"
    assert expires_in(2 * 3600, "fr") == "2 heures"
    assert expires_in(3 * 86400, "ja") == "3 日"


def test_a_weak_passwords_hint_is_said_in_the_language_too() -> None:
    with pytest.raises(PasswordRejected) as caught:
        check_password("abcabcabcabcabc", "someone@example.com")
    assert caught.value.message.startswith('This password is easy to guess (Repeats like "abcabcabc"')
    german = translate_error("de", caught.value)
    assert german.startswith("Dieses Passwort ist leicht zu erraten (Wiederholungen wie „abcabcabc“")
    assert "Repeats" not in german
