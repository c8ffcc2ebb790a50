"""A reveal page whose script Redis took and never answered says the secret may be gone (504), not "try again"."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from onetime.settings import Settings
from onetime.storage.client import STATE_CHANGE_TIMEOUT
from tests.conftest import with_settings
from tests.support.pages import HTMX, csrf_token, main_of, share
from tests.support.redis_server import RedisServer
from web.app import create_app

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
async def test_a_reveal_redis_holds_past_the_wait_shows_the_may_be_gone_page(
    settings: Settings, private_redis_server: RedisServer, headers: dict[str, str]
) -> None:
    # Without request limits the reveal's first write is the script that consumes the secret.
    app = create_app(with_settings(settings, redis_url=private_redis_server.url, rate_limits=False))
    async with AsyncTestClient(app, base_url="https://secrets.example.com") as client:
        metadata = await share(client)
        path = f"/secret/{metadata['secret_key']}"
        token = await csrf_token(client, path)
        redis = Redis.from_url(private_redis_server.url)
        try:
            await redis.client_pause(int((STATE_CHANGE_TIMEOUT + 1) * 1000), all=False)  # writes wait
            response = await client.post(path, data={"_csrf_token": token}, headers=headers)
            await redis.client_unpause()
        finally:
            await redis.aclose()
    assert response.status_code == 504
    main = main_of(response.text)
    assert "The secret may already have been revealed" in main
    assert "ask the sender for a new link" in main
    assert "try again" not in main.lower()
    assert response.headers["cache-control"] == "no-store"
