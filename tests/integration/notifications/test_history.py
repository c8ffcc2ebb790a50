"""The event history outlives the secrets: revealed, burned and expired secrets keep their events, and the CSV.

The app runs in the test's loop; an expiry is played by deleting the secret (as Redis would at its
TTL) and sweeping with a notifier whose clock is past the expiry. Then every record of the secrets
is deleted, and the history must still tell what became of each.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime

from redis.asyncio import Redis

from onetime.keys import secret_id
from onetime.services import Services
from onetime.settings import Settings
from onetime.storage.keys import secret_name
from tests.integration.notifications.support import notify_settings
from tests.support.accounts import EMAIL, sign_out, sign_up_ok
from tests.support.api import assert_ok, basic_auth, serve

HOUR = 3600


def iso(stamp: int) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def delete_records(redis: Redis) -> None:
    """Delete every secret, receipt, receipt index and recent list, as their TTLs would."""
    for pattern in ("ots:secret:*", "ots:receipt:*", "ots:metadata:*", "ots:recent:*", "ots:generated:*"):
        async for key in redis.scan_iter(pattern):
            await redis.delete(key)


async def test_revealed_burned_and_expired_secrets_leave_their_events_after_the_records_are_gone(
    settings: Settings, redis: Redis
) -> None:
    settings = notify_settings(settings)
    async with serve(settings) as (_, http):
        token = await sign_up_ok(http)
        alice = basic_auth(EMAIL, token)
        revealed, burned, expired, waiting = [
            assert_ok(await http.post("/api/v1/share", headers=alice, data={"secret": f"value {n}", "ttl": str(HOUR)}))
            for n in range(4)
        ]
        assert (await http.get(f"/secret/{revealed['secret_key']}")).status_code == 200  # first opened
        assert_ok(await http.post(f"/api/v1/secret/{revealed['secret_key']}"))
        assert_ok(await http.post(f"/api/v1/private/{burned['metadata_key']}/burn"))
        await redis.delete(secret_name(secret_id(expired["secret_key"])))  # Redis expired it
        later = Services.build(settings, redis).notifier
        later.clock = lambda: time.time() + 2 * HOUR
        assert await later.sweep_expired() >= 1
        await delete_records(redis)

        page = await http.get("/dashboard/history.csv")
        head = await http.head("/dashboard/history.csv")
        dashboard = (await http.get("/dashboard")).text
        await sign_out(http)
        signed_out = await http.get("/dashboard/history.csv", follow_redirects=False)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/csv")
    assert page.headers["cache-control"] == "no-store"
    assert "attachment" in page.headers["content-disposition"]
    assert (head.status_code, head.content, head.headers["cache-control"]) == (200, b"", "no-store")
    rows = {row["receipt"]: row for row in csv.DictReader(io.StringIO(page.text))}
    label = {name: created["metadata_key"][:8] for name, created in
             {"revealed": revealed, "burned": burned, "expired": expired, "waiting": waiting}.items()}  # fmt: skip
    assert set(rows) == set(label.values())
    assert rows[label["revealed"]]["outcome"] == "revealed"
    assert rows[label["revealed"]]["first_opened"] != ""
    assert rows[label["burned"]]["outcome"] == "burned"
    assert rows[label["burned"]]["first_opened"] == ""
    assert rows[label["expired"]]["outcome"] == "expired"
    assert rows[label["expired"]]["outcome_at"] == iso(expired["created"] + HOUR)
    assert rows[label["waiting"]]["outcome"] == ""
    for name, created in (("revealed", revealed), ("burned", burned), ("expired", expired)):
        assert rows[label[name]]["created"] == iso(created["created"])
    for created in (revealed, burned, expired, waiting):
        assert f'data-history="{created["metadata_key"][:8]}"' in dashboard
        for key in (created["secret_key"], created["metadata_key"]):
            assert key not in page.text
            assert key not in dashboard
    assert signed_out.status_code in {302, 303}
    assert "/signin" in signed_out.headers["location"]


async def test_the_stored_history_holds_only_short_labels_events_and_times(settings: Settings, redis: Redis) -> None:
    async with serve(settings) as (_, http):
        alice = basic_auth(EMAIL, await sign_up_ok(http))
        created = assert_ok(await http.post("/api/v1/share", headers=alice, data={"secret": "s3cr3t value"}))
        assert_ok(await http.post(f"/api/v1/secret/{created['secret_key']}"))
    [history_key] = [key async for key in redis.scan_iter("ots:events:*")]
    members = [member.decode() for member in await redis.zrange(history_key, 0, -1)]
    label = created["metadata_key"][:8]
    assert [member.rsplit("|", 1)[0] for member in members] == [f"{label}|created", f"{label}|revealed"]
    assert 0 < await redis.ttl(history_key) <= settings.history_days * 24 * HOUR
    for member in members:
        assert created["metadata_key"] not in member
        assert created["secret_key"][:8] not in member
