"""OTS_SIGNUP: closed, or by invitation with single-use links from `ots account invite`, sent through the outbox."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis

from onetime.accounts.invitations import INVITATION_SECONDS
from onetime.errors import AccountExists
from onetime.policy import SIGNUP_CLOSED, SIGNUP_INVITE, AccessPolicy, SignUpClosed, UnknownInvitation
from onetime.settings import Settings
from tests.conftest import MASTER_SECRET, with_settings
from tests.integration.accounts.test_confirm import mail_settings, text_of
from tests.support.accounts import EMAIL, PASSWORD, api_token, post_form, signed_in_as
from tests.support.api import BASE_URL, basic_auth, serve
from tests.support.hashing import CountingHasher
from tests.support.logs import CollectedLogs
from tests.support.redis_server import RedisServer
from tests.support.smtp_server import SmtpSink
from web.cli import main

INVITE_LINK = re.compile(re.escape(BASE_URL) + r"(/signup/invite/([a-z0-9]{31}))")
CUSTOMER = "ots:customer:{alice@example.com}"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def signup(settings: Settings, mode: str) -> Settings:
    return with_settings(settings, access=AccessPolicy(signup=mode))


async def test_closed_sign_up_offers_no_form_and_refuses_the_post(settings: Settings, redis: Redis) -> None:
    async with serve(signup(settings, SIGNUP_CLOSED)) as (_, browser):
        page = await browser.get("/signup")
        assert page.status_code == 200
        assert "New accounts are not open here" in page.text
        assert 'action="/signup"' not in page.text
        assert 'href="/signup"' not in (await browser.get("/")).text  # the header offers no sign-up
        refused = await post_form(browser, "/signup", {"email": EMAIL, "password": PASSWORD}, page="/signin")
        assert refused.status_code == 403
        assert SignUpClosed.message in refused.text
        # Under `closed`, even an invitation made earlier (under `invite`) does not work.
        link = await browser.get("/signup/invite/" + "a" * 31)
        assert link.status_code == 403
    assert await redis.exists(CUSTOMER) == 0


async def test_an_invitation_emails_a_link_that_makes_one_confirmed_account(
    settings: Settings, redis: Redis, sink: SmtpSink
) -> None:
    settings = mail_settings(signup(settings, SIGNUP_INVITE), sink.url)
    collect = CollectedLogs()
    async with serve(settings) as (app, browser):
        with collect:
            assert "New accounts are not open here" in (await browser.get("/signup")).text
            refused = await post_form(browser, "/signup", {"email": EMAIL, "password": PASSWORD}, page="/signin")
            assert refused.status_code == 403
            assert await app.state.services.sign_in_service.invitations.invite("Alice@Example.com") is None
            [mail] = await sink.received(1)
            assert mail.rcpt_tos == [EMAIL]
            assert mail.message["Subject"] == "You are invited to create an account"
            assert mail.message["Reply-To"] is None  # from the operator, not from an account
            found = INVITE_LINK.search(text_of(mail))
            assert found, text_of(mail)
            path, token = found.groups()
            # Only the digest of the token is stored, for a week.
            [key] = [key async for key in redis.scan_iter("ots:invite:*")]
            assert token.encode() not in key
            assert token.encode() not in (await redis.get(key) or b"")
            assert INVITATION_SECONDS - 5 <= await redis.ttl(key) <= INVITATION_SECONDS
            page = await browser.get(path)
            assert page.status_code == 200
            assert EMAIL in page.text
            # A password that breaks the rules is refused and leaves the link working.
            weak = await post_form(browser, path, {"password": "short"}, page=path)
            assert weak.status_code == 422
            created = await post_form(browser, path, {"password": PASSWORD}, page=path)
            assert created.status_code == 303
            assert created.headers["location"] == "/account"
            account = await browser.get("/account")
            assert signed_in_as(account.text) == EMAIL
            token_shown = api_token(account.text)
            assert (await browser.get("/api/v1/authcheck", headers=basic_auth(EMAIL, token_shown))).status_code == 200
            customer = await app.state.services.sign_in_service.customers.get(EMAIL)
            assert customer is not None
            assert customer.verified  # the link reached the address
            assert await redis.ttl(CUSTOMER) == -1
    logged = "\n".join(collect.server_messages())
    assert "/signup/invite/" in logged  # the requests were logged...
    assert token not in logged  # ...with the token shortened
    assert PASSWORD not in logged
    async with serve(settings) as (_, other):
        again = await other.get(path)
        assert again.status_code == 404
        assert UnknownInvitation.message in again.text


async def test_sign_ups_sent_at_once_with_one_link_make_one_account(settings: Settings, redis: Redis) -> None:
    settings = signup(settings, SIGNUP_INVITE)
    async with serve(settings) as (app, browser):
        hasher = CountingHasher(app.state.services.sign_in_service.hasher)
        app.state.services.sign_in_service.hasher = hasher
        link = await app.state.services.sign_in_service.invitations.invite(EMAIL)
        assert link is not None  # no mail configured: the command prints it
        path = link.removeprefix(BASE_URL)
        token = (await browser.get(path)).text.split('name="_csrf_token" value="')[1].split('"')[0]
        answers = await asyncio.gather(
            *(browser.post(path, data={"password": PASSWORD, "_csrf_token": token}) for _ in range(20))
        )
        statuses = [answer.status_code for answer in answers]
        assert statuses.count(303) == 1, statuses
        assert statuses.count(404) == 19, statuses
        assert hasher.hashed == 1  # the others were refused before bcrypt
    assert len([key async for key in redis.scan_iter("ots:customer:*")]) == 1
    assert [key async for key in redis.scan_iter("ots:invite:*")] == []


async def test_an_invitation_for_an_address_with_an_account_is_refused(settings: Settings, redis: Redis) -> None:
    async with serve(signup(settings, SIGNUP_INVITE)) as (app, browser):
        await app.state.services.account_service.create(EMAIL)
        with pytest.raises(AccountExists):
            await app.state.services.sign_in_service.invitations.invite(EMAIL)
        assert (await browser.get("/signup/invite/not-a-token")).status_code == 404


def test_ots_account_invite_prints_the_link_without_mail(
    shared_redis_server: RedisServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = SyncRedis.from_url(shared_redis_server.url)
    client.flushall()
    for name, value in {
        "OTS_REDIS_URL": shared_redis_server.url,
        "OTS_DATA_DIR": str(tmp_path),
        "OTS_SECRET": MASTER_SECRET,
        "OTS_BASE_URL": BASE_URL,
        "OTS_SIGNUP": "invite",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["account", "invite", "bob@example.com"]) == 0
    out, err = capsys.readouterr()
    assert re.fullmatch(re.escape(BASE_URL) + r"/signup/invite/[a-z0-9]{31}\n", out), out
    assert "works once" in err
    assert len(client.keys("ots:invite:*")) == 1
    monkeypatch.setenv("OTS_SIGNUP", "closed")
    assert main(["account", "invite", "carol@example.com"]) == 1
    assert "sign-up is closed" in capsys.readouterr().err
    assert len(client.keys("ots:invite:*")) == 1
    client.close()
