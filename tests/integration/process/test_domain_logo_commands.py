"""`ots domain brand --logo` with images that once crashed it: one clear line, or the logo saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from tests.support.dns_server import DnsTestServer
from tests.support.images import GREY, grey16_png, header_only_png
from tests.support.redis_server import RedisServer
from tests.support.server_process import ots_env, run_ots

pytestmark = pytest.mark.slow

DOMAIN = "secrets.acme.example"


@pytest.fixture
def env(tmp_path: Path, shared_redis_server: RedisServer, redis: Redis, dns: DnsTestServer) -> dict[str, str]:
    del redis  # flushed for this test
    env = ots_env(tmp_path / "data", OTS_REDIS_URL=shared_redis_server.url, OTS_DNS_RESOLVER=dns.address)
    assert run_ots("account", "create", "alice@example.com", env=env).returncode == 0
    added = run_ots("domain", "add", "alice@example.com", DOMAIN, env=env)
    token = added.stdout.splitlines()[2].split()[2].strip('"')
    dns.txt(f"_onetime-challenge.{DOMAIN}", token)
    dns.a(DOMAIN, "192.0.2.10")
    assert run_ots("domain", "verify", "alice@example.com", DOMAIN, env=env).returncode == 0
    return env


def test_a_16_bit_greyscale_logo_is_saved(env: dict[str, str], tmp_path: Path) -> None:
    logo = tmp_path / "grey16.png"
    logo.write_bytes(grey16_png(2048, 2048))
    result = run_ots("domain", "brand", "alice@example.com", DOMAIN, "--logo", str(logo), env=env)
    assert result.returncode == 0, result.stderr
    assert "logo: image/png" in result.stdout
    assert "Traceback" not in result.stderr


def test_an_oversized_logo_is_one_line_and_exit_1(env: dict[str, str], tmp_path: Path) -> None:
    logo = tmp_path / "grey16-4096.png"
    logo.write_bytes(header_only_png(4096, 4096, depth=16, colour_type=GREY))
    result = run_ots("domain", "brand", "alice@example.com", DOMAIN, "--logo", str(logo), env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("ots: The logo is too large in pixels (4096 x 4096); use one of at most")
    assert len(result.stderr.splitlines()) == 1


def test_branding_an_unverified_domain_is_one_line_and_exit_1(env: dict[str, str]) -> None:
    assert run_ots("account", "create", "bob@example.com", env=env).returncode == 0
    other = "other.acme.example"
    assert run_ots("domain", "add", "bob@example.com", other, env=env).returncode == 0
    result = run_ots("domain", "brand", "bob@example.com", other, "--name", "Bob", env=env)
    assert result.returncode == 1
    assert (
        result.stderr
        == f"ots: Verify {other} before branding it: create its TXT record and address, then check DNS again\n"
    )


def test_add_says_when_the_claim_lapses(env: dict[str, str]) -> None:
    assert run_ots("account", "create", "bob@example.com", env=env).returncode == 0
    printed = run_ots("domain", "add", "bob@example.com", "other.acme.example", env=env).stdout
    assert "or this claim lapses; the first account to verify the name gets it." in printed.splitlines()[-1]
