"""The multiplexed connection: the same answers as redis-py's pool, each to its own caller, and
the same fault rules (fast "unavailable", no late reply handed on, one retry, never a consuming
script sent twice)."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import uvloop
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from onetime.errors import OutcomeUnknown, StorageUnavailable
from onetime.storage import scripts
from onetime.storage.client import COMMAND_TIMEOUT, StorageHealth, connect, state_change_errors, storage_errors
from onetime.storage.keys import secret_name
from onetime.storage.multiplexed_client import MULTIPLEXED, MultiplexedPipeline, MultiplexedRedis
from onetime.storage.secret_records import SecretRecords
from tests.support.redis_server import RedisServer, free_port

# One call per command of MULTIPLEXED, as the repositories make them (options included).
CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("EVALSHA", lambda r: r.evalsha(PREVIEW_SHA, 2, "s", "h", 0, "0", "f")),
    ("EVAL", lambda r: r.eval("return {1, 'two', false, {3}}", 0)),
    ("PING", lambda r: r.ping()),
    ("GET", lambda r: r.get("s")),
    ("SET", lambda r: r.set("t", b"v", ex=60)),
    ("GETDEL", lambda r: r.getdel("gone")),
    ("MGET", lambda r: r.mget(["s", "none"])),
    ("DEL", lambda r: r.delete("none")),
    ("UNLINK", lambda r: r.unlink("none")),
    ("EXISTS", lambda r: r.exists("s", "none")),
    ("INCR", lambda r: r.incr("n")),
    ("INCRBY", lambda r: r.incrby("n", 5)),
    ("DECRBY", lambda r: r.decr("n")),
    ("EXPIRE", lambda r: r.expire("s", 100)),
    ("PEXPIRE", lambda r: r.pexpire("h", 100_000)),
    ("TTL", lambda r: r.ttl("s")),
    ("PTTL", lambda r: r.pttl("none")),
    ("HGET", lambda r: r.hget("h", "f")),
    ("HSET", lambda r: r.hset("h2", mapping={"a": "1", "b": "2"})),
    ("HMGET", lambda r: r.hmget("h", ["f", "g", "none"])),
    ("HGETALL", lambda r: r.hgetall("h")),
    ("HDEL", lambda r: r.hdel("h2", "a")),
    ("HEXISTS", lambda r: r.hexists("h", "f")),
    ("HINCRBY", lambda r: r.hincrby("h3", "c", 2)),
    ("SADD", lambda r: r.sadd("set", "a", "b")),
    ("SREM", lambda r: r.srem("set", "b")),
    ("SMEMBERS", lambda r: r.smembers("set")),
    ("SISMEMBER", lambda r: r.sismember("set", "a")),
    ("SCARD", lambda r: r.scard("set")),
    ("ZADD", lambda r: r.zadd("z", {"x": 1.5, "y": 2})),
    ("ZREM", lambda r: r.zrem("z", "none")),
    ("ZCARD", lambda r: r.zcard("z")),
    ("ZCOUNT", lambda r: r.zcount("z", 0, 10)),
    ("ZSCORE", lambda r: r.zscore("z", "x")),
    ("ZRANGE", lambda r: r.zrange("z", 0, -1, withscores=True)),
    ("ZRANGEBYSCORE", lambda r: r.zrangebyscore("z", 0, 10, withscores=True)),
    ("ZREVRANGEBYSCORE", lambda r: r.zrevrangebyscore("z", 10, 0, start=0, num=1)),
]
PREVIEW_SHA = ""


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """A redis-server of this test's own, which it may stop, freeze and start again."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def client(server: RedisServer) -> AsyncIterator[MultiplexedRedis]:
    multiplexed = connect(server.url)
    assert isinstance(multiplexed, MultiplexedRedis)
    yield multiplexed
    await multiplexed.aclose()


@pytest.fixture
async def pooled(server: RedisServer) -> AsyncIterator[Redis]:
    """redis-py's own client, pooled, for comparison and for commands aside."""
    plain = Redis.from_url(server.url)
    yield plain
    await plain.aclose()


async def _fill(redis: Redis) -> None:
    await redis.flushall()
    await redis.set("s", b"\x00envelope")
    await redis.set("gone", b"x")
    await redis.hset("h", mapping={"s": "new", "f": "1", "g": ""})
    await redis.script_load(scripts.PREVIEW)


def test_every_multiplexed_command_is_compared() -> None:
    assert {name for name, _ in CALLS} == MULTIPLEXED


async def test_every_multiplexed_command_answers_as_the_pooled_client(client: MultiplexedRedis, pooled: Redis) -> None:
    global PREVIEW_SHA  # noqa: PLW0603 - the table's lambdas read it
    PREVIEW_SHA = await pooled.script_load(scripts.PREVIEW)
    await _fill(pooled)
    expected = [await call(pooled) for _, call in CALLS]
    await _fill(pooled)
    opened_before = _pool_connections(client)
    got = [await call(client) for _, call in CALLS]
    for (name, _), want, have in zip(CALLS, expected, got, strict=True):
        assert have == want, name
        assert type(have) is type(want), name
    assert _pool_connections(client) == opened_before  # none took the pool


def _pool_connections(client: MultiplexedRedis) -> int:
    """Count the connections redis-py's pool of this client holds (the multiplexed one aside)."""
    return len(client.connection_pool._in_use_connections) + len(client.connection_pool._available_connections)  # type: ignore[attr-defined]


async def test_two_thousand_concurrent_calls_each_get_their_own_reply(client: MultiplexedRedis, pooled: Redis) -> None:
    await pooled.mset({f"k{i}": f"v{i}" for i in range(2000)})
    replies = await asyncio.gather(*(client.get(f"k{i}") for i in range(2000)))
    assert replies == [f"v{i}".encode() for i in range(2000)]


async def test_a_pipeline_answers_in_order_and_raises_the_first_error(client: MultiplexedRedis) -> None:
    preview = client.register_script(scripts.PREVIEW)
    await client.set("s", b"\x00x")
    pipe = client.pipeline(transaction=False)
    assert isinstance(pipe, MultiplexedPipeline)
    await preview(keys=["s", "h"], args=[0, "0", "f"], client=pipe)  # type: ignore[arg-type]
    pipe.set("m", b"link", ex=30)
    pipe.hgetall("s")  # a string: WRONGTYPE
    pipe.get("m")
    results = await pipe.execute(raise_on_error=False)
    assert results[:2] == [[0, b"", 0], True]
    assert isinstance(results[2], redis_errors.ResponseError)
    assert results[3] == b"link"
    pipe.get("m")
    pipe.hgetall("s")
    with pytest.raises(redis_errors.ResponseError, match="WRONGTYPE"):
        await pipe.execute()
    assert await client.pipeline(transaction=False).execute() == []


async def test_a_script_is_loaded_again_after_script_flush(client: MultiplexedRedis, pooled: Redis) -> None:
    preview = client.register_script(scripts.PREVIEW)
    await client.set("s", b"\x00x")
    assert await preview(keys=["s", "h"], args=[0, "0", "f"]) == [0, b"", 0]
    await pooled.script_flush()
    assert await preview(keys=["s", "h"], args=[0, "0", "f"]) == [0, b"", 0]
    pipe = client.pipeline(transaction=False)
    await preview(keys=["s", "h"], args=[0, "0", "f"], client=pipe)  # type: ignore[arg-type]
    pipe.get("s")
    assert await pipe.execute() == [[0, b"", 0], b"\x00x"]
    await pooled.script_flush()  # the connection still believes it loaded
    pipe = client.pipeline(transaction=False)
    await preview(keys=["s", "h"], args=[0, "0", "f"], client=pipe)  # type: ignore[arg-type]
    pipe.get("s")
    assert await pipe.execute() == [[0, b"", 0], b"\x00x"]


async def test_the_url_s_password_and_database_are_used(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    try:
        async with Redis.from_url(server.url) as admin:
            await admin.config_set("requirepass", "pw-for-test")  # after start: its readiness PING has no AUTH
        client = connect(f"redis://:pw-for-test@127.0.0.1:{server.port}/3")
        plain = Redis.from_url(f"redis://:pw-for-test@127.0.0.1:{server.port}/3")
        try:
            assert await client.set("where", b"db3")
            assert await plain.get("where") == b"db3"
            assert await plain.execute_command("SELECT", 0)
            assert await plain.get("where") is None
        finally:
            await client.aclose()
            await plain.aclose()
        wrong = connect(f"redis://:wrong@127.0.0.1:{server.port}/3")
        try:
            with pytest.raises(redis_errors.AuthenticationError):
                await wrong.get("where")
        finally:
            await wrong.aclose()
    finally:
        server.stop()


async def test_a_stopped_redis_is_unavailable_at_once(client: MultiplexedRedis, server: RedisServer) -> None:
    health = StorageHealth(client)
    await health.ping()
    server.stop()
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        await health.ping()
    assert time.monotonic() - started < 0.5
    server.start()
    await health.ping()  # a new connection, lazily


@storage_errors
async def _get(client: MultiplexedRedis, key: str) -> bytes | None:
    return await client.get(key)  # type: ignore[no-any-return]


async def test_a_frozen_redis_times_out_and_its_late_reply_goes_to_nobody(
    client: MultiplexedRedis, pooled: Redis, server: RedisServer
) -> None:
    await pooled.mset({"a": b"A", "b": b"B"})
    assert await client.get("a") == b"A"
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            await _get(client, "a")
        waited = time.monotonic() - started
        assert COMMAND_TIMEOUT - 0.05 <= waited < 2
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    assert await client.get("b") == b"B"  # a's late reply was read and dropped
    assert await asyncio.gather(client.get("a"), client.get("b")) == [b"A", b"B"]


async def test_a_command_on_a_killed_connection_is_sent_again(client: MultiplexedRedis, pooled: Redis) -> None:
    assert await client.ping()
    first = client.multiplexed.protocol if client.multiplexed else None
    # Writes wait, so the SET is in flight when killed; the pause ends well within COMMAND_TIMEOUT.
    await pooled.client_pause(350, all=False)
    pending = asyncio.ensure_future(client.set("k", b"v"))
    await asyncio.sleep(0.1)
    assert not pending.done()
    await pooled.client_kill_filter(_type="normal")
    assert await pending is True
    assert client.multiplexed is not None
    assert client.multiplexed.protocol is not first
    assert await pooled.get("k") == b"v"


async def test_a_consuming_script_in_flight_on_a_killed_connection_is_an_unknown_outcome(
    client: MultiplexedRedis, pooled: Redis
) -> None:
    records = SecretRecords(client)
    await pooled.set(secret_name("abc"), b"\x00envelope")
    await client.ping()
    await pooled.client_pause(600, all=False)  # the TAKE script waits: sent, unanswered
    pending = asyncio.ensure_future(records.take("abc", int(time.time()), burn=False))
    await asyncio.sleep(0.15)
    assert not pending.done()
    await pooled.client_kill_filter(_type="normal")
    with pytest.raises(OutcomeUnknown):
        await pending


async def test_a_consuming_script_not_yet_sent_is_unavailable(client: MultiplexedRedis, server: RedisServer) -> None:
    @state_change_errors
    async def consume() -> Any:
        return await client.eval("return redis.call('DEL', KEYS[1])", 1, "x")

    await client.ping()
    server.stop()
    with pytest.raises(StorageUnavailable):
        await consume()


def _on_uvloop(scenario: Callable[[], Any]) -> Any:
    """Run a coroutine function on uvloop, the loop `ots serve` runs on (asyncio's own runs the tests)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(scenario())


async def test_on_uvloop_replies_timeouts_and_pipelines_behave_the_same(pooled: Redis, server: RedisServer) -> None:
    await pooled.mset({f"k{i}": f"v{i}" for i in range(500)})
    assert server.process is not None
    pid = server.process.pid

    async def scenario() -> tuple[list[Any], list[Any], bytes | None]:
        client = connect(server.url)
        try:
            gets = await asyncio.gather(*(client.get(f"k{i}") for i in range(500)))
            pipe = client.pipeline(transaction=False)
            pipe.get("k1")
            pipe.set("x", b"1")
            piped = await pipe.execute()
            os.kill(pid, signal.SIGSTOP)
            try:
                with pytest.raises(redis_errors.TimeoutError):
                    await client.get("k2")
            finally:
                os.kill(pid, signal.SIGCONT)
            return gets, piped, await client.get("k3")
        finally:
            await client.aclose()

    gets, piped, after = await asyncio.to_thread(_on_uvloop, scenario)
    assert gets == [f"v{i}".encode() for i in range(500)]
    assert piped == [b"v1", True]
    assert after == b"v3"


async def test_a_unix_socket_url_is_served_on_the_shared_connection(tmp_path: Path) -> None:
    socket_path = tmp_path / "redis.sock"
    server = RedisServer(tmp_path / "redis", None, "--unixsocket", str(socket_path)).start()
    try:
        client = connect(f"unix://{socket_path}?db=2")
        assert isinstance(client, MultiplexedRedis)
        try:
            assert await client.set("over", b"unix")
            assert await client.get("over") == b"unix"
            assert client.multiplexed is not None
            assert client.multiplexed.protocol is not None  # the shared connection answered
            async with Redis.from_url(f"unix://{socket_path}?db=2") as plain:
                assert await plain.get("over") == b"unix"
        finally:
            await client.aclose()
    finally:
        server.stop()


async def test_a_client_used_on_another_event_loop_opens_a_connection_there(client: MultiplexedRedis) -> None:
    async def ping() -> bool:
        return bool(await client.ping())

    assert await asyncio.to_thread(asyncio.run, ping())  # a loop that is closed afterwards
    assert await client.ping()  # this loop's own connection
    assert client.multiplexed is not None
    assert client.multiplexed.protocol is not None
    assert client.multiplexed.protocol.loop is asyncio.get_running_loop()


async def test_a_response_callback_set_on_the_client_applies_to_shared_replies(client: MultiplexedRedis) -> None:
    await client.set("cb", b"7")
    client.set_response_callback("GET", lambda reply, **_: int(reply))
    assert await client.get("cb") == 7


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """Write a certificate for 127.0.0.1 and its key; return their paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


async def test_a_rediss_url_is_served_over_tls(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    cert, key = _self_signed(tmp_path)
    tls_port = free_port()
    tls = ("--tls-port", str(tls_port), "--tls-cert-file", str(cert), "--tls-key-file", str(key))
    server = RedisServer(tmp_path / "redis", None, *tls, "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no")
    try:
        server.start()
    except RuntimeError:
        pytest.skip("this redis-server was built without TLS")
    try:
        client = connect(f"rediss://127.0.0.1:{tls_port}/1?ssl_ca_certs={cert}")
        try:
            assert await client.set("over", b"tls")
            assert await client.get("over") == b"tls"
            assert client.multiplexed is not None
            assert client.multiplexed.protocol is not None
            assert client.multiplexed.protocol.transport is not None
            assert client.multiplexed.protocol.transport.get_extra_info("ssl_object") is not None
        finally:
            await client.aclose()
        async with Redis.from_url(server.url) as plain:  # the plain port of the same server
            assert await plain.execute_command("SELECT", 1)
            assert await plain.get("over") == b"tls"
    finally:
        server.stop()
