"""The secret-link email as composed: headers, both parts, the link, the expiry, no secret."""

from email.message import EmailMessage
from pathlib import Path

import pytest

from onetime.mail.config import SmtpServer
from onetime.mail.mailer import Mailer, expires_in
from onetime.mail.outgoing import OutgoingMail

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail"
NOW = 1_800_000_000
MAIL = OutgoingMail(
    recipient="tom@example.com",
    sender="alice@example.com",
    secret_url="https://share.example.org/secret/abc123def456ghi789jkl012mno345p",
    expires=NOW + 3 * 86400 + 7200,
    message_id="m1a2b3",
)


def compose(mail: OutgoingMail = MAIL, mail_from: str = "Onetime Secret <noreply@example.com>") -> EmailMessage:
    return Mailer(SmtpServer("127.0.0.1", 25, "none"), mail_from, TEMPLATES).compose(mail, NOW)


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_headers_name_the_sender_and_reply_to_them() -> None:
    message = compose()
    assert message["Subject"] == "alice@example.com sent you a secret"
    assert message["From"] == "Onetime Secret <noreply@example.com>"
    assert message["To"] == "tom@example.com"
    assert message["Reply-To"] == "alice@example.com"
    assert message["Message-ID"] == "<m1a2b3@example.com>"
    assert message["Date"]


def test_both_parts_carry_the_link_and_the_explanation() -> None:
    message = compose()
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    assert MAIL.secret_url in text
    assert f'href="{MAIL.secret_url}"' in html
    for part in (text, html):
        assert "works once" in part
        assert "expires in 3 days" in part
        assert "does not contain the secret" in part


def test_the_html_part_escapes_what_it_shows() -> None:
    mail = OutgoingMail(
        recipient="tom@example.com",
        sender="o'brien&co@example.com",
        secret_url="https://x.example.com/secret/k",
        expires=NOW + 60,
        message_id="m",
    )
    _, html = parts(compose(mail))
    assert "o&#39;brien&amp;co@example.com" in html
    assert "o'brien&co" not in html


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(30, "less than a minute"), (60, "1 minute"), (3599, "59 minutes"), (3600, "1 hour"), (86400 * 14, "14 days")],
)
def test_expiry_is_said_in_its_largest_unit(seconds: int, said: str) -> None:
    assert expires_in(seconds) == said
