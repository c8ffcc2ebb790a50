"""On Redis Cluster, the request counters of different clients live on different masters."""

from __future__ import annotations

from typing import Any

import pytest

from onetime.settings import Settings
from onetime.storage.keys import request_limit_name
from tests.support.api import assert_ok, serve
from tests.support.redis_cluster import RedisClusterNodes

pytestmark = pytest.mark.parametrize("redis_backend", ["cluster"], indirect=True)

CLIENTS = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "2001:db8:1:2::7"]
"""Client addresses whose counters hash to slots of each of the three masters."""


async def test_the_counters_of_different_clients_spread_over_every_master(
    settings: Settings, redis: Any, shared_redis_cluster: RedisClusterNodes
) -> None:
    holders: dict[str, int] = {}
    for client in CLIENTS:
        async with serve(settings, peer=client) as (_, http):
            created = assert_ok(await http.post("/api/v1/share", data={"secret": "counted"}))
            assert_ok(await http.post(f"/api/v1/secret/{created['secret_key']}"))
        bucket = "2001:db8:1:2::/64" if ":" in client else client  # IPv6 clients count by /64
        for limit in ("create", "reveal"):
            name = request_limit_name(limit, bucket)
            assert await redis.get(name) == b"1", name
        # A client's counters share its tag: one master holds all of them.
        masters = {
            shared_redis_cluster.master_port_of(request_limit_name(limit, bucket)) for limit in ("create", "reveal")
        }
        (holders[client],) = masters
    assert len(set(holders.values())) == len(shared_redis_cluster.master_ports()) == 3
    assert not await redis.keys("ots:limit:{create}*")  # no counter is named after its limit any more
