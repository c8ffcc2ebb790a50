"""A copy of the database, the data directory and the master secret together open nothing without a link.

The app runs on its embedded Redis in a data directory of the test's own, with the generated
master key, as `make run` does. Secrets of every kind are created, some revealed, some burned; then
every Redis key and value and every file of the data directory is searched for each link key,
receipt key, credential and value, in every encoding the code uses, and every stored envelope is
tried with every key that can be derived without a link.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from redis.asyncio import Redis

from onetime import sealed
from onetime.crypto import Cipher, DecryptionFailed, load_or_create_master_secret
from onetime.mail.config import MailDelivery
from onetime.settings import Settings
from onetime.storage import embedded
from onetime.storage.compaction import AofCompaction
from tests.support.accounts import create_in_form, session_cookie, sign_up_ok
from tests.support.api import assert_ok, create_account, peer_client, serve
from tests.support.dns_server import DnsTestServer
from tests.support.domains import verified_domain
from tests.support.logs import CollectedLogs
from tests.support.smtp_server import SmtpSink
from web.app import create_app

ALICE = "alice@example.com"
BOB = "bob@example.com"
TOM = "tom@example.net"
SHARE_DOMAIN = "share.example.org"
PASSPHRASE = "correct horse battery"
FAST = MailDelivery(attempts=3, first_delay=0.2, max_delay=1.0, poll=0.05, send_timeout=3.0, lease=10.0)


def encodings(text: str) -> set[bytes]:
    """Return the forms a key, token or value could take in storage: raw, hex, base64 (both alphabets)."""
    raw = text.encode()
    forms = {raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw)}
    return forms | {form.rstrip(b"=") for form in forms}


async def everything_in(redis: Redis) -> list[bytes]:
    """Return every key name, hash field, value and member of the database."""
    found: list[bytes] = []
    async for name in redis.scan_iter("*"):
        found.append(name)
        kind = (await redis.type(name)).decode()
        if kind == "string":
            found.append(await redis.get(name) or b"")
        elif kind == "hash":
            for field, value in (await redis.hgetall(name)).items():
                found += [field, value]
        elif kind == "zset":
            found += await redis.zrange(name, 0, -1)
        elif kind == "set":
            found += list(await redis.smembers(name))
        else:
            pytest.fail(f"{name!r} is a {kind}, which this test does not read")
    return found


def files_in(directory: Path) -> dict[Path, bytes]:
    """Return the content of every file under the directory (the AOF, the master key, the log)."""
    return {path: path.read_bytes() for path in directory.rglob("*") if path.is_file()}


async def compact(redis: Redis) -> None:
    """Rewrite the AOF now and wait until the rewrite is done (its RDB part uncompressed, so searchable)."""
    await redis.config_set("rdbcompression", "no")
    await AofCompaction(redis, 1).compact_if_changed()
    deadline = time.monotonic() + 20
    while (await redis.info("persistence"))["aof_rewrite_in_progress"] or (await redis.info("persistence")).get(
        "aof_rewrite_scheduled"
    ):
        assert time.monotonic() < deadline, "the AOF rewrite did not finish"
        await asyncio.sleep(0.05)


async def wait_until_sent(http: httpx.AsyncClient, metadata_key: str) -> None:
    deadline = time.monotonic() + 15
    while assert_ok(await http.get(f"/api/v1/private/{metadata_key}"))["delivery"]["state"] != "sent":
        assert time.monotonic() < deadline, "the email to the recipient was not sent"
        await asyncio.sleep(0.05)


@dataclasses.dataclass
class Made:
    """What the test created: everything that must never be found at rest."""

    links: list[str] = dataclasses.field(default_factory=list)
    """Secret keys and receipt keys."""
    values: list[str] = dataclasses.field(default_factory=list)
    credentials: list[str] = dataclasses.field(default_factory=list)
    """API tokens, session ids and passphrases."""

    def add(self, created: dict, value: str | None = None) -> dict:
        self.links += [created["secret_key"], created["metadata_key"]]
        self.values.append(value if value is not None else created["value"])
        return created


@dataclasses.dataclass
class OnDisk:
    """The app serving from a data directory, a client of it, and a client of its embedded Redis."""

    settings: Settings
    app: Litestar
    http: httpx.AsyncClient
    redis: Redis


@contextlib.asynccontextmanager
async def data_dir_app(settings: Settings, tmp_path: Path, dns: DnsTestServer) -> AsyncIterator[OnDisk]:
    """Serve the app on its embedded Redis in a fresh data directory, with its generated master key."""
    sink = SmtpSink()
    on_disk = dataclasses.replace(
        settings,
        redis_url=None,
        data_dir=tmp_path / "data",
        master_secret=None,
        dns_resolver=dns.resolver,
        smtp_url=sink.url,
        mail_from="Onetime Secret <noreply@example.com>",
        mail_delivery=FAST,
        aof_compact_seconds=0,  # the test compacts when it wants to
    )
    with sink:
        async with serve(on_disk) as (app, http):
            redis = Redis.from_url(embedded.redis_url(on_disk.data_dir))
            try:
                yield OnDisk(on_disk, app, http, redis)
            finally:
                await redis.aclose()


async def make_every_kind(served: OnDisk, dns: DnsTestServer) -> Made:
    """Create secrets of every kind; reveal some, burn some; return what must stay hidden."""
    on_disk, http, redis = served.settings, served.http, served.redis
    made = Made()
    alice = await create_account(redis, on_disk, ALICE)
    made.credentials.append(base64.b64decode(alice["Authorization"].split()[1]).decode().split(":", 1)[1])
    await verified_domain(redis, on_disk, dns, email=ALICE, name=SHARE_DOMAIN)

    def share(value: str, headers: dict[str, str] | None = None, **params: str) -> asyncio.Future[httpx.Response]:
        return http.post("/api/v1/share", data={"secret": value, **params}, headers=headers or {})  # type: ignore[return-value]

    plain = made.add(assert_ok(await share("anonymous plain value")), "anonymous plain value")
    guarded = made.add(assert_ok(await share("guarded value", passphrase=PASSPHRASE)), "guarded value")
    made.credentials.append(PASSPHRASE)
    generated = made.add(assert_ok(await http.post("/api/v1/generate")))
    owned = made.add(assert_ok(await share("owned by alice", alice)), "owned by alice")
    mailed = made.add(assert_ok(await share("mailed to tom", alice, recipient=TOM)), "mailed to tom")
    branded = made.add(
        assert_ok(await share("on a share domain", alice, share_domain=SHARE_DOMAIN)), "on a share domain"
    )
    kept = made.add(assert_ok(await share("never read", alice, passphrase=PASSPHRASE)), "never read")

    async with peer_client(served.app, "198.51.100.4") as browser:
        made.credentials.append(await sign_up_ok(browser, BOB))
        made.credentials.append(session_cookie(browser) or "")
        response = await create_in_form(browser, "made in the browser form")
        made.links.append(response.headers["location"].rsplit("/", 1)[1])
        made.values.append("made in the browser form")
        assert (await browser.get("/dashboard")).status_code == 200

    assert_ok(await http.post(f"/api/v1/secret/{plain['secret_key']}"))
    assert_ok(await http.post(f"/api/v1/secret/{guarded['secret_key']}", data={"passphrase": PASSPHRASE}))
    assert_ok(await http.post(f"/api/v1/private/{generated['metadata_key']}/burn"))
    assert_ok(await http.post(f"/api/v1/private/{owned['metadata_key']}/burn", headers=alice))
    await wait_until_sent(http, mailed["metadata_key"])
    assert_ok(await http.post(f"/api/v1/secret/{branded['secret_key']}"))
    assert len(assert_ok(await http.get("/api/v1/private/recent", headers=alice))) == 4
    assert kept["secret_key"]  # left unread
    return made


async def test_no_link_credential_or_value_is_stored_anywhere(
    settings: Settings, tmp_path: Path, dns: DnsTestServer
) -> None:
    async with data_dir_app(settings, tmp_path, dns) as served:
        made = await make_every_kind(served, dns)
        await compact(served.redis)
        stored = await everything_in(served.redis)
    files = files_in(served.settings.data_dir)  # the embedded Redis has stopped: its files are complete
    assert any(path.name == "master.key" for path in files)
    assert any("appendonly" in str(path) for path in files)

    for secret in made.links + made.values + made.credentials:
        for form in encodings(secret):
            assert not [item for item in stored if form in item], f"{secret[:6]}... is in Redis"
            assert not [path for path, content in files.items() if form in content], f"{secret[:6]}... is on disk"


async def test_the_database_and_the_master_secret_open_no_envelope_without_a_link(
    settings: Settings, tmp_path: Path, dns: DnsTestServer
) -> None:
    async with data_dir_app(settings, tmp_path, dns) as served:
        await make_every_kind(served, dns)
        stored = await everything_in(served.redis)
        secrets = [await served.redis.get(name) async for name in served.redis.scan_iter("ots:secret:*")]
        echoes = [await served.redis.get(name) async for name in served.redis.scan_iter("ots:generated:*")]
        indexes = [await served.redis.get(name) async for name in served.redis.scan_iter("ots:metadata:*")]
    cipher = Cipher(load_or_create_master_secret(served.settings.data_dir))
    # Every string the database holds is a guess at a link key, as is every hash tag.
    guesses = {item.decode(errors="ignore") for item in stored}
    tags = [item.decode(errors="ignore") for item in stored if item.startswith(b"ots:")]
    guesses |= {tag.split("{", 1)[1].split("}", 1)[0] for tag in tags if "{" in tag and "}" in tag}
    envelopes = [record[1 + record[0] :] for record in secrets if record] + [echo for echo in echoes if echo]
    assert envelopes  # the unread secrets are there, sealed
    opened = 0
    for envelope in envelopes:
        for guess in guesses:
            for binding in (guess, f"{guess}:generated"):
                for passphrase in (None, PASSPHRASE):  # even knowing the passphrase
                    try:
                        cipher.open(envelope, binding, passphrase)
                        opened += 1
                    except DecryptionFailed:
                        pass
    assert opened == 0
    # The sealed secret keys of the receipt index open under no stored string either.
    assert indexes
    for index in indexes:
        for guess in guesses:
            key = sealed.token_key(guess, sealed.RECEIPT_LINK)
            with pytest.raises(DecryptionFailed):
                sealed.open_sealed(key, index[22:], index[:22])


async def test_a_compaction_removes_a_consumed_secret_from_the_append_only_file(
    settings: Settings, tmp_path: Path
) -> None:
    on_disk = dataclasses.replace(
        settings, redis_url=None, data_dir=tmp_path / "data", master_secret=None, aof_compact_seconds=1
    )
    async with serve(on_disk) as (_, http):
        redis = Redis.from_url(embedded.redis_url(on_disk.data_dir))
        try:
            created = assert_ok(await http.post("/api/v1/share", data={"secret": "read me once"}))
            [name] = [name async for name in redis.scan_iter("ots:secret:*")]
            envelope = (await redis.get(name) or b"")[1:]
            assert envelope

            def on_disk_now() -> bool:
                return any(envelope in content for content in files_in(on_disk.data_dir).values())

            deadline = time.monotonic() + 10
            while not on_disk_now():  # written within a second (appendfsync everysec)
                assert time.monotonic() < deadline, "the secret never reached the append-only file"
                await asyncio.sleep(0.1)
            assert_ok(await http.post(f"/api/v1/secret/{created['secret_key']}"))
            deadline = time.monotonic() + 15
            while on_disk_now():
                assert time.monotonic() < deadline, "the revealed secret is still in the append-only file"
                await asyncio.sleep(0.2)
        finally:
            await redis.aclose()


async def test_an_https_deployment_is_warned_when_the_master_key_sits_with_the_data(
    settings: Settings, tmp_path: Path
) -> None:
    generated = dataclasses.replace(settings, data_dir=tmp_path / "data", master_secret=None)
    app = create_app(generated)
    with CollectedLogs() as logs:
        async with app.lifespan():
            pass
    warned = [message for message in logs.server_messages() if "master secret lives" in message]
    assert len(warned) == 1
    assert str(tmp_path / "data" / "master.key") in warned[0]

    app = create_app(settings)  # OTS_SECRET given: nothing to warn about
    with CollectedLogs() as logs:
        async with app.lifespan():
            pass
    assert not [message for message in logs.server_messages() if "master secret lives" in message]
