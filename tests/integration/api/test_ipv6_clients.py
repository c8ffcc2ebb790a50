"""IPv6 clients are counted by network (OTS_IPV6_PREFIX, /64 by default) for every per-address limit."""

from __future__ import annotations

from redis.asyncio import Redis

from onetime.settings import RequestLimit, Settings
from tests.conftest import with_settings
from tests.support.api import RATE_LIMITED, assert_error, assert_ok, serve

PASSPHRASE = "open sesame"


async def test_two_addresses_of_one_64_share_the_creation_limit(settings: Settings, redis: Redis) -> None:
    limited = with_settings(settings, limit_create=RequestLimit(1, 60))
    async with (
        serve(limited, peer="2001:db8:1:2::1") as (_, first),
        serve(limited, peer="2001:db8:1:2::ffff") as (
            _,
            same_host,
        ),
    ):
        assert_ok(await first.post("/api/v1/share", data={"secret": "one"}))
        assert_error(await same_host.post("/api/v1/share", data={"secret": "two"}), RATE_LIMITED, 429)


async def test_another_64_has_its_own_creation_limit(settings: Settings, redis: Redis) -> None:
    limited = with_settings(settings, limit_create=RequestLimit(1, 60))
    async with (
        serve(limited, peer="2001:db8:1:2::1") as (_, first),
        serve(limited, peer="2001:db8:1:3::1") as (
            _,
            other,
        ),
    ):
        assert_ok(await first.post("/api/v1/share", data={"secret": "one"}))
        assert_ok(await other.post("/api/v1/share", data={"secret": "two"}))


async def test_a_prefix_of_128_counts_each_address(settings: Settings, redis: Redis) -> None:
    limited = with_settings(settings, limit_create=RequestLimit(1, 60), ipv6_prefix=128)
    async with (
        serve(limited, peer="2001:db8:1:2::1") as (_, first),
        serve(limited, peer="2001:db8:1:2::2") as (
            _,
            second,
        ),
    ):
        assert_ok(await first.post("/api/v1/share", data={"secret": "one"}))
        assert_ok(await second.post("/api/v1/share", data={"secret": "two"}))


async def test_the_passphrase_lockout_counts_a_forwarded_64_once(settings: Settings, redis: Redis) -> None:
    async with serve(settings, peer="127.0.0.1") as (_, proxy):
        shared = await proxy.post("/api/v1/share", data={"secret": "s", "passphrase": PASSPHRASE})
        key = assert_ok(shared)["secret_key"]
        for host in range(1, 6):
            wrong = await proxy.post(
                f"/api/v1/secret/{key}",
                data={"passphrase": "wrong"},
                headers={"X-Forwarded-For": f"2001:db8:1:2::{host}"},
            )
            assert wrong.status_code != 200
        right_but_locked = await proxy.post(
            f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}, headers={"X-Forwarded-For": "2001:db8:1:2::99"}
        )
        assert_error(right_but_locked, RATE_LIMITED, 429)
        other_network = await proxy.post(
            f"/api/v1/secret/{key}", data={"passphrase": PASSPHRASE}, headers={"X-Forwarded-For": "2001:db8:9::1"}
        )
        assert assert_ok(other_network)["value"] == "s"
