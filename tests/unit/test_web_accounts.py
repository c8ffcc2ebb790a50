"""Rules of browser accounts that need no I/O: passwords, session ids, the cookie, the curl line."""

from __future__ import annotations

import pytest

from onetime.accounts.password_rules import check_password, common_passwords, normalize_password
from onetime.accounts.sessions import Session
from onetime.errors import PasswordRejected
from onetime.keys import token_digest
from onetime.settings import Settings
from web.pages.accounts import curl_line
from web.pages.dashboard import page_count
from web.session import SessionCookie


def test_the_shipped_common_passwords_are_long_lowercase_and_many() -> None:
    listed = common_passwords()
    assert len(listed) > 150
    assert all(len(password) >= 12 for password in listed)
    assert all(password == password.lower() for password in listed)
    assert "qwerty123456" in listed
    assert not any(password.startswith("# ") for password in listed)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("elevenchars", "at least 12 characters"),
        ("1q2w3e4r5t6y", "most common"),
        ("QWERTY123456", "most common"),  # compared without case
        ("alice@example.com", "email address"),
        ("ALICE.SMITH1", None),
        ("alice.smith1", None),
        ("x" * 1025, "at most 1024"),
    ],
)
def test_new_passwords_follow_the_rules(password: str, message: str | None) -> None:
    if message is None:
        check_password(password, "alice@example.com")
        return
    with pytest.raises(PasswordRejected, match=message):
        check_password(password, "alice@example.com")


def test_the_local_part_of_the_email_is_refused_as_a_password() -> None:
    with pytest.raises(PasswordRejected, match="email address"):
        check_password("averylongname", "averylongname@example.com")


def test_a_session_is_stored_by_digest_and_never_shows_its_id() -> None:
    session = Session("a" * 43, "alice@example.com", 0)
    assert token_digest(session.session_id) != session.session_id
    assert len(token_digest(session.session_id)) == 64
    assert "a" * 43 not in repr(session)


def test_the_session_cookie_is_secure_only_over_https() -> None:
    secure = SessionCookie.for_settings(Settings(base_url="https://secrets.example.com"))
    plain = SessionCookie.for_settings(Settings(base_url="http://127.0.0.1:8000"))
    assert secure.name == "__Host-ots_session"
    assert plain.name == "ots_session"
    issued = secure.issue(Session("b" * 43, "alice@example.com", 0))
    assert issued.secure
    assert issued.httponly
    assert issued.samesite == "lax"
    assert issued.path == "/"
    assert issued.max_age is None  # gone when the browser closes; the server ends it sooner
    assert secure.clear().max_age == 0
    assert not plain.issue(Session("b" * 43, "alice@example.com", 0)).secure


def test_the_curl_line_quotes_what_the_shell_would_read() -> None:
    assert curl_line("alice@example.com", None, "https://s.example") == (
        "curl -u alice@example.com:YOUR_API_TOKEN -d 'secret=hello&ttl=3600' https://s.example/api/v1/share"
    )
    quoted = curl_line("o'neil@example.com", "tok", "https://s.example")
    assert quoted.startswith("curl -u 'o'\"'\"'neil@example.com:tok' ")


def test_dashboard_pages_hold_fifty() -> None:
    assert [page_count(n) for n in (0, 1, 50, 51, 100, 101)] == [1, 1, 1, 2, 2, 3]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 12, "easy to guess"),
        ("\x00" * 12, "no tabs, line breaks or control codes"),
        ("aaaaaaaaaaaa", "easy to guess"),
        ("abcabcabcabc", "easy to guess"),
        ("plum tree\tunder winter rain", "no tabs, line breaks or control codes"),
        ("plum tree\nunder winter rain", "no tabs, line breaks or control codes"),
        ("\ud800 plum tree under winter rain", "no tabs, line breaks or control codes"),
        ("alicealicealice", "easy to guess"),  # the email's own words
    ],
)
def test_weak_or_unprintable_passwords_are_refused_with_what_to_do(password: str, message: str) -> None:
    with pytest.raises(PasswordRejected, match=message) as refused:
        check_password(password, "alice@example.com")
    assert password not in refused.value.message


def test_an_easy_password_is_told_how_to_become_hard() -> None:
    with pytest.raises(PasswordRejected) as refused:
        check_password("aaaaaaaaaaaa", "alice@example.com")
    assert refused.value.message == (
        'This password is easy to guess (Repeats like "aaa" are easy to guess). '
        "Add a few uncommon words, or let a password manager make one."
    )


def test_hard_passwords_pass_whatever_their_script() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in "plum tree under winter")
    for password in ("plum tree under winter rain", "Zürich Wölfe tanzen leise", full_width):
        check_password(password, "alice@example.com")


def test_passwords_are_compared_in_their_nfkc_form() -> None:
    composed, decomposed = "Zürich Wölfe tanzen leise", "Zu\u0308rich Wo\u0308lfe tanzen leise"
    assert composed != decomposed
    assert normalize_password(composed) == normalize_password(decomposed)
    assert normalize_password("\uff50\uff4c\uff55\uff4d") == "plum"  # full-width letters
    assert normalize_password("plum tree under winter rain") == "plum tree under winter rain"  # ASCII unchanged


def test_the_length_is_counted_after_normalisation() -> None:
    with pytest.raises(PasswordRejected, match="easy to guess"):  # not "at least 12 characters"
        check_password("ﬃﬃﬃﬃ", "alice@example.com")  # four ligatures: "ffiffiffiffi" once normalised
