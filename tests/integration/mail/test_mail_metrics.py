"""The mail outbox at /metrics: its depth, read at the scrape, and what the workers sent, retried and gave up."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
from redis.asyncio import Redis

from onetime.settings import Settings
from tests.integration.mail.test_delivery import TOM, mail_settings, share, wait_for_delivery
from tests.support.api import create_account, serve
from tests.support.metrics import moved, parse, sample
from tests.support.redis_server import free_port
from tests.support.smtp_server import SmtpSink

TOKEN = "mail-metrics-token-0c3d9e"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await http.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.text
    return parse(response.text)


async def test_a_scraper_from_another_address_needs_the_token(settings: Settings) -> None:
    async with serve(dataclasses.replace(settings, metrics_token=TOKEN), peer="203.0.113.7") as (_, http):
        refused = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer not-the-token-at-all"})
        accepted = await http.get("/metrics", headers=BEARER)
    assert (refused.status_code, wrong.status_code, accepted.status_code) == (404, 404, 200)
    assert "ots_" not in refused.text + wrong.text


async def test_without_a_token_only_loopback_may_scrape(settings: Settings) -> None:
    async with serve(settings, peer="203.0.113.7") as (_, http):
        assert (await http.get("/metrics", headers=BEARER)).status_code == 404
    async with serve(settings, peer="127.0.0.1") as (_, http):
        assert (await http.get("/metrics")).status_code == 200


async def test_the_outbox_depth_and_the_deliveries_move_as_mail_waits_fails_and_goes_out(
    settings: Settings, redis: Redis
) -> None:
    settings = dataclasses.replace(settings, metrics_token=TOKEN)
    alice = await create_account(redis, settings, "alice@example.com")
    sink = SmtpSink()  # not started yet: connections are refused
    async with serve(mail_settings(settings, sink.url, attempts=20)) as (_, http):
        before = await scrape(http)
        created = await share(http, alice, recipient=TOM)
        waiting = await scrape(http)
        assert waiting[sample("ots_mail_outbox_depth")] == 1
        while moved(before, await scrape(http), sample("ots_mail_retried_total")) < 1:
            await asyncio.sleep(0.05)
        with sink:
            await wait_for_delivery(http, created["metadata_key"], "sent")
        after = await scrape(http)
    assert after[sample("ots_mail_outbox_depth")] == 0
    assert moved(before, after, sample("ots_mail_sent_total")) == 1
    assert moved(before, after, sample("ots_mail_failed_total")) == 0


async def test_an_email_given_up_on_is_counted_as_failed(settings: Settings, redis: Redis) -> None:
    settings = dataclasses.replace(settings, metrics_token=TOKEN)
    alice = await create_account(redis, settings, "alice@example.com")
    never_up = f"smtp://127.0.0.1:{free_port()}"
    async with serve(mail_settings(settings, never_up, attempts=2, first_delay=0.05)) as (_, http):
        before = await scrape(http)
        created = await share(http, alice, recipient=TOM)
        await wait_for_delivery(http, created["metadata_key"], "failed")
        after = await scrape(http)
    assert moved(before, after, sample("ots_mail_failed_total")) == 1
    assert moved(before, after, sample("ots_mail_retried_total")) == 1
    assert moved(before, after, sample("ots_mail_sent_total")) == 0
