"""The multiplexed connection opens as the URL says: password, database, unix socket, TLS."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from onetime.storage.client import connect
from onetime.storage.multiplexed_client import MultiplexedRedis
from tests.support.redis_server import RedisServer, free_port


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
