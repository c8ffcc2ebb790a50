"""Two regions for real: two `ots serve` processes, each with its own redis-server and its own host.

A secret created in eu carries an eu link, reveals in eu, and is unknown in us: no data crosses.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

REGIONS = "us=https://us.example.test,eu=https://eu.example.test"
HOST = {"us": "us.example.test", "eu": "eu.example.test"}


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServerProcess]]:
    started: list[RedisServer | ServerProcess] = []
    servers: dict[str, ServerProcess] = {}
    try:
        for region in ("us", "eu"):
            directory = tmp_path_factory.mktemp(region)
            redis = RedisServer(directory / "redis").start()
            started.append(redis)
            env = ots_env(directory / "data", OTS_REDIS_URL=redis.url, OTS_REGION=region, OTS_REGIONS=REGIONS)
            servers[region] = ServerProcess(env, directory / "logs").start()
            started.append(servers[region])
        yield servers
    finally:
        for process in reversed(started):
            process.stop()


def call(server: ServerProcess, region: str, method: str, path: str, **options: object) -> httpx.Response:
    """Send a request to one region's server, under that region's host name."""
    headers = {"Host": HOST[region]}
    return httpx.request(method, f"{server.origin}{path}", headers=headers, timeout=10, **options)  # type: ignore[arg-type]


def test_status_names_each_region(regions: dict[str, ServerProcess]) -> None:
    for region, server in regions.items():
        assert call(server, region, "GET", "/api/v1/status").json() == {
            "status": "nominal",
            "locale": "en",
            "region": region,
        }


def test_a_secret_created_in_eu_has_an_eu_link_reveals_there_and_is_unknown_in_us(
    regions: dict[str, ServerProcess],
) -> None:
    created = call(regions["eu"], "eu", "POST", "/api/v1/share", data={"secret": "stays-in-eu"}).json()
    assert created["secret_url"] == f"https://eu.example.test/secret/{created['secret_key']}"
    assert created["metadata_url"].startswith("https://eu.example.test/private/")
    in_us = call(regions["us"], "us", "POST", f"/api/v1/secret/{created['secret_key']}")
    assert in_us.status_code == 404
    assert in_us.json() == {"message": "Unknown secret", "secret_key": created["secret_key"]}
    assert call(regions["us"], "us", "GET", f"/api/v1/private/{created['metadata_key']}").status_code == 404
    revealed = call(regions["eu"], "eu", "POST", f"/api/v1/secret/{created['secret_key']}").json()
    assert revealed == {
        "value": "stays-in-eu",
        "secret_key": created["secret_key"],
        "share_domain": "https://eu.example.test",
    }


def test_each_region_answers_only_on_its_own_host(regions: dict[str, ServerProcess]) -> None:
    wrong = call(regions["eu"], "us", "GET", "/")  # the us host name, sent to the eu deployment
    assert wrong.status_code == 404
    assert wrong.text == "Not Found\n"


def test_pages_show_the_current_region_and_link_to_the_others(regions: dict[str, ServerProcess]) -> None:
    home = call(regions["eu"], "eu", "GET", "/").text
    assert '<nav class="regions" aria-label="Region">' in home
    assert "Region: <strong>EU</strong>" in home
    assert '<a href="https://us.example.test/">Switch to US</a>' in home
    assert 'href="https://eu.example.test/"' not in home
    us_home = call(regions["us"], "us", "GET", "/").text
    assert '<a href="https://eu.example.test/">Switch to EU</a>' in us_home
