"""The webhook SSRF guard, the signature and the notify parameter: no I/O (the resolver is a table)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from onetime.errors import InvalidRequest
from onetime.notifications.events import label_of, parse_notify
from onetime.notifications.ssrf import TargetPolicy, TargetRefused, parse_webhook_url, resolve_target
from onetime.notifications.webhooks import event_body, signature, signature_matches

STRICT = TargetPolicy()
LOOPBACK_HTTP = TargetPolicy(allow_http_loopback=True)
PRIVATE = TargetPolicy(allow_private=True)


class Table:
    """A resolver that answers from a table and counts its lookups (one per check, or DNS could rebind)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    async def __call__(self, host: str, _port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.answers:
            raise OSError("no such host")
        return self.answers[host]


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "fc00::1",  # private
        "127.0.0.1", "::1", "::ffff:127.0.0.1",  # loopback
        "169.254.169.254", "fe80::1",  # link-local: cloud metadata lives here
        "224.0.0.1", "ff02::1",  # multicast
        "240.0.0.1", "0.0.0.0", "::",  # reserved, unspecified  # noqa: S104
    ],
)  # fmt: skip
async def test_a_host_that_resolves_to_a_non_public_address_is_refused(address: str) -> None:
    with pytest.raises(TargetRefused, match="leads to"):
        await resolve_target("https://hooks.example.com/x", STRICT, Table({"hooks.example.com": [address]}))


@pytest.mark.parametrize("address", ["10.0.0.1", "192.168.1.1", "fc00::1", "127.0.0.1"])
async def test_the_operator_may_allow_private_and_loopback_targets(address: str) -> None:
    target = await resolve_target("https://hooks.internal/x", PRIVATE, Table({"hooks.internal": [address]}))
    assert target.address == address


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1", "224.0.0.1", "0.0.0.0"])  # noqa: S104
async def test_link_local_multicast_and_unspecified_stay_refused_when_private_is_allowed(address: str) -> None:
    with pytest.raises(TargetRefused):
        await resolve_target("https://hooks.internal/x", PRIVATE, Table({"hooks.internal": [address]}))


async def test_a_public_host_resolves_once_and_the_checked_address_is_the_one_to_connect_to() -> None:
    resolver = Table({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"]})
    target = await resolve_target("https://hooks.example.com:8443/in?x=1", STRICT, resolver)
    assert resolver.lookups == ["hooks.example.com"]
    assert target.address == "93.184.216.34"
    assert (target.url.host, target.url.port, target.url.target) == ("hooks.example.com", 8443, "/in?x=1")
    assert target.url.host_header == "hooks.example.com:8443"


async def test_a_name_mixing_a_public_and_a_private_address_is_refused() -> None:
    with pytest.raises(TargetRefused, match="private"):
        await resolve_target(
            "https://mixed.example.com/", STRICT, Table({"mixed.example.com": ["93.184.216.34", "10.1.1.1"]})
        )


async def test_an_unknown_host_is_refused_with_a_message_that_does_not_quote_the_url() -> None:
    with pytest.raises(TargetRefused) as refused:
        await resolve_target("https://nowhere.example.com/token-abc", STRICT, Table({}))
    assert "token-abc" not in str(refused.value)
    assert "does not resolve" in str(refused.value)


async def test_http_is_allowed_only_to_loopback_and_only_when_the_operator_says_so() -> None:
    table = Table({"localhost": ["127.0.0.1"], "public.example.com": ["93.184.216.34"]})
    with pytest.raises(TargetRefused, match="https"):
        await resolve_target("http://localhost:8080/", STRICT, table)
    assert (await resolve_target("http://localhost:8080/", LOOPBACK_HTTP, table)).address == "127.0.0.1"
    assert (await resolve_target("http://[::1]:8080/", LOOPBACK_HTTP, table)).address == "::1"
    with pytest.raises(TargetRefused, match="plain http"):
        await resolve_target("http://public.example.com/", LOOPBACK_HTTP, table)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://hooks.example.com/", "https://"),
        ("https:///path", "needs a host"),
        ("https://user:pw@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/a b", "without spaces"),
        ("https://hooks.example.com/#top", "fragment"),
        ("https://hooks.example.com:99999/", "not a valid URL"),
        ("https://bücher.example/", "ASCII"),
    ],
)
def test_a_malformed_url_is_refused_saying_why(url: str, words: str) -> None:
    with pytest.raises(TargetRefused, match=words):
        parse_webhook_url(url, STRICT)


def test_the_signature_is_hmac_sha256_of_the_time_a_dot_and_the_body() -> None:
    body = event_body("revealed", "abcd1234", 1764490000)
    assert body == b'{"event":"revealed","receipt":"abcd1234","time":1764490000}'
    header = signature("whsec_test", 1764490001, body)
    expected = hmac.new(b"whsec_test", b"1764490001." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1764490001,v1={expected}"
    assert signature_matches("whsec_test", header, body, now=1764490010)
    assert not signature_matches("whsec_test", header, body + b" ", now=1764490010)
    assert not signature_matches("whsec_other", header, body, now=1764490010)
    assert not signature_matches("whsec_test", header, body, now=1764490001 + 3600)  # replayed late


def test_notify_takes_email_webhook_or_both_and_refuses_anything_else() -> None:
    assert parse_notify([]) == ()
    assert parse_notify(["webhook,email"]) == ("email", "webhook")
    assert parse_notify(["Email", "webhook", "email"]) == ("email", "webhook")
    assert parse_notify([" , "]) == ()
    with pytest.raises(InvalidRequest, match="notify must be"):
        parse_notify(["sms"])


def test_the_label_is_the_receipt_keys_short_form() -> None:
    assert label_of("abcdefgh0123456789abcdefghijklm") == "abcdefgh"
