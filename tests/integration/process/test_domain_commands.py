"""`ots domain add|verify|brand|list|remove` as real commands, verifying against the tests' DNS server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from redis.asyncio import Redis

from tests.support.dns_server import DnsTestServer
from tests.support.redis_server import RedisServer
from tests.support.server_process import ots_env, run_ots

pytestmark = pytest.mark.slow

DOMAIN = "secrets.acme.example"


@pytest.fixture
def env(tmp_path: Path, shared_redis_server: RedisServer, redis: Redis, dns: DnsTestServer) -> dict[str, str]:
    del redis  # flushed for this test
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=shared_redis_server.url, OTS_DNS_RESOLVER=dns.address)
    assert run_ots("account", "create", "alice@example.com", env=env).returncode == 0
    assert run_ots("account", "create", "bob@example.com", env=env).returncode == 0
    return env


def ots_domain(*args: str, env: dict[str, str], code: int = 0) -> str:
    result = run_ots("domain", *args, env=env)
    assert result.returncode == code, result.stdout + result.stderr
    return result.stdout if code == 0 or result.stdout else result.stderr


def test_add_prints_the_record_to_create_then_verify_follows_dns(env: dict[str, str], dns: DnsTestServer) -> None:
    printed = ots_domain("add", "alice@example.com", "Secrets.Acme.Example", env=env)
    lines = printed.splitlines()
    assert lines[0] == f"{DOMAIN}: unverified"
    record = lines[2].split()
    assert record[:2] == [f"_onetime-challenge.{DOMAIN}", "TXT"]
    token = record[2].strip('"')
    assert len(token) == 31
    assert f"ots domain verify alice@example.com {DOMAIN}" in printed

    pending = ots_domain("verify", "alice@example.com", DOMAIN, env=env, code=1)
    assert pending.splitlines()[0] == f"{DOMAIN}: pending"
    assert f'missing: No TXT record _onetime-challenge.{DOMAIN} with the value "{token}"' in pending
    assert f"missing: No A, AAAA or CNAME record for {DOMAIN}" in pending

    dns.txt(f"_onetime-challenge.{DOMAIN}", token)
    dns.a(DOMAIN, "192.0.2.10")
    assert ots_domain("verify", "alice@example.com", DOMAIN, env=env) == f"{DOMAIN}: verified\n"
    assert ots_domain("list", "alice@example.com", env=env) == f"{DOMAIN}\tverified\n"


def add_and_verify(env: dict[str, str], dns: DnsTestServer, email: str = "alice@example.com") -> None:
    token = ots_domain("add", email, DOMAIN, env=env).splitlines()[2].split()[2].strip('"')
    dns.txt(f"_onetime-challenge.{DOMAIN}", token)
    dns.a(DOMAIN, "192.0.2.10")
    ots_domain("verify", email, DOMAIN, env=env)


def test_a_domain_verified_by_another_account_is_refused_with_a_clear_message(
    env: dict[str, str], dns: DnsTestServer
) -> None:
    add_and_verify(env, dns)
    message = ots_domain("add", "bob@example.com", DOMAIN, env=env, code=1)
    assert message == f"ots: {DOMAIN} is already registered by another account\n"
    assert ots_domain("list", "bob@example.com", env=env) == ""
    assert ots_domain("remove", "bob@example.com", DOMAIN, env=env, code=1) == f"ots: Unknown domain: {DOMAIN}\n"


def test_brand_sets_the_brand_and_re_encodes_the_logo(env: dict[str, str], tmp_path: Path, dns: DnsTestServer) -> None:
    add_and_verify(env, dns)
    logo = tmp_path / "logo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 90, 200)).save(buffer, format="JPEG")
    logo.write_bytes(buffer.getvalue())
    printed = ots_domain(
        "brand", "alice@example.com", DOMAIN, "--name", "ACME Vault", "--color", "#0A7D32",
        "--logo", str(logo), "--public-homepage", "on", "--before-reveal", "Work laptop only.", env=env,
    )  # fmt: skip
    assert "name: ACME Vault" in printed
    assert "colour: #0a7d32" in printed
    assert "logo: image/jpeg" in printed
    assert "public homepage: on" in printed
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    refused = ots_domain("brand", "alice@example.com", DOMAIN, "--logo", str(svg), env=env, code=1)
    assert refused == "ots: The logo must be a PNG or JPEG image\n"
    assert ots_domain("brand", "alice@example.com", DOMAIN, "--color", "red", env=env, code=1).startswith(
        "ots: The primary colour must be a hex colour"
    )


def test_remove_forgets_the_domain(env: dict[str, str]) -> None:
    ots_domain("add", "alice@example.com", DOMAIN, env=env)
    assert ots_domain("remove", "alice@example.com", DOMAIN, env=env) == f"removed {DOMAIN}\n"
    assert ots_domain("list", "alice@example.com", env=env) == ""
    assert ots_domain("add", "bob@example.com", DOMAIN, env=env).startswith(f"{DOMAIN}: unverified")


def test_an_unknown_account_cannot_add_domains(env: dict[str, str]) -> None:
    assert ots_domain("add", "nobody@example.com", DOMAIN, env=env, code=1) == "ots: No account with that email\n"
