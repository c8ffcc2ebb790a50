"""OTS_SMTP_URL and OTS_MAIL_FROM: parsed, checked, and the SMTP password kept out of repr()."""

import pytest

from onetime.errors import SettingsError
from onetime.mail.config import MailDelivery, SmtpServer
from onetime.settings import Settings

FROM = {"OTS_MAIL_FROM": "noreply@example.com"}


def smtp(url: str) -> SmtpServer | None:
    return Settings.from_env({"OTS_SMTP_URL": url, **FROM}).smtp_server


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", SmtpServer("mail.example.com", 25, "none")),
        ("smtp://127.0.0.1:2525", SmtpServer("127.0.0.1", 2525, "none")),
        ("smtps://mail.example.com", SmtpServer("mail.example.com", 465, "tls")),
        ("smtp+starttls://mail.example.com", SmtpServer("mail.example.com", 587, "starttls")),
        ("smtp+starttls://u:p@mail.example.com:2587/", SmtpServer("mail.example.com", 2587, "starttls", "u", "p")),
        ("smtps://me%40example.com:p%40ss%3Aword@[::1]", SmtpServer("::1", 465, "tls", "me@example.com", "p@ss:word")),
    ],
)
def test_smtp_urls_are_parsed(url: str, expected: SmtpServer) -> None:
    assert smtp(url) == expected


def test_mail_is_off_when_nothing_is_set() -> None:
    settings = Settings.from_env({})
    assert (settings.smtp_url, settings.mail_from, settings.smtp_server) == (None, None, None)
    assert settings.mail_enabled is False


def test_mail_is_on_with_a_server_and_a_sender() -> None:
    settings = Settings.from_env({"OTS_SMTP_URL": "smtp://mail.example.com", **FROM})
    assert settings.mail_enabled is True
    assert settings.mail_from == "noreply@example.com"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://mail.example.com", "must start with one of smtp://, smtps://, smtp+starttls://"),
        ("mail.example.com:25", "must start with one of"),
        ("smtp://", "needs a host"),
        ("smtp://:25", "needs a host"),
        ("smtp://mail.example.com:99999", "is not a valid URL"),
        ("smtp://mail.example.com:port", "is not a valid URL"),
        ("smtp://mail.example.com/inbox", "without a path or query"),
        ("smtp://mail.example.com?tls=1", "without a path or query"),
        ("smtp://user@mail.example.com", "needs both a user and a password"),
        ("smtp://:hunter2@mail.example.com", "needs both a user and a password"),
    ],
)
def test_bad_smtp_urls_are_refused_naming_the_variable(url: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=r"^OTS_SMTP_URL ") as raised:
        Settings.from_env({"OTS_SMTP_URL": url, **FROM})
    assert complaint in str(raised.value)


def test_a_refused_smtp_url_does_not_quote_its_password() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"OTS_SMTP_URL": "smtp://mailer:hunter2-pw@mail.example.com/x", **FROM})
    assert "hunter2-pw" not in str(raised.value)


def test_the_smtp_password_stays_out_of_repr() -> None:
    settings = Settings.from_env({"OTS_SMTP_URL": "smtps://mailer:hunter2-pw@mail.example.com", **FROM})
    assert settings.smtp_server is not None
    assert settings.smtp_server.password == "hunter2-pw"
    assert "hunter2-pw" not in repr(settings)
    assert "hunter2-pw" not in repr(settings.smtp_server)
    assert "hunter2-pw" not in str(settings.smtp_server)


def test_mail_from_is_required_with_an_smtp_url() -> None:
    with pytest.raises(SettingsError, match=r"^OTS_MAIL_FROM is required when OTS_SMTP_URL is set"):
        Settings.from_env({"OTS_SMTP_URL": "smtp://mail.example.com"})


def test_mail_from_alone_does_not_turn_mail_on() -> None:
    settings = Settings.from_env(FROM)
    assert settings.mail_enabled is False


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("noreply@example.com", "noreply@example.com"),
        (" Onetime Secret <noreply@example.com> ", "Onetime Secret <noreply@example.com>"),
        ('"Secrets, Inc." <noreply@example.com>', '"Secrets, Inc." <noreply@example.com>'),
    ],
)
def test_mail_from_takes_an_address_or_a_named_address(raw: str, stored: str) -> None:
    settings = Settings.from_env({"OTS_SMTP_URL": "smtp://mail.example.com", "OTS_MAIL_FROM": raw})
    assert settings.mail_from == stored


@pytest.mark.parametrize(
    "raw", ["noreply", "a@b.co, c@d.co", "Name <not an address>", "noreply@example.com\nBcc: x@y.co"]
)
def test_bad_mail_from_is_refused_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match=r"^OTS_MAIL_FROM must be one email address"):
        Settings.from_env({"OTS_SMTP_URL": "smtp://mail.example.com", "OTS_MAIL_FROM": raw})


def test_retries_back_off_exponentially_up_to_a_cap() -> None:
    policy = MailDelivery(first_delay=60.0, max_delay=300.0)
    assert [policy.delay(attempt) for attempt in range(1, 6)] == [60.0, 120.0, 240.0, 300.0, 300.0]


def test_the_default_delivery_policy_tries_five_times_with_a_lease_longer_than_a_send() -> None:
    policy = Settings().mail_delivery
    assert policy.attempts == 5
    assert policy.lease > policy.send_timeout
