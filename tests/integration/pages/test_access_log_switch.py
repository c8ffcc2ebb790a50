"""OTS_APP_ACCESS_LOG: the app's own access log, on by default, off where Caddy logs the requests."""

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient
from litestar.types import Message, Receive, Scope, Send
from redis.asyncio import Redis

from onetime import metrics
from onetime.settings import Settings
from tests.conftest import with_settings
from tests.support.metrics import moved, parse, sample
from web.access_log import request_middleware
from web.app import create_app
from web.log_format import request_id


@pytest.fixture
async def quiet_client(settings: Settings, redis: Redis) -> AsyncIterator[AsyncTestClient]:
    app = create_app(with_settings(settings, app_access_log=False))
    async with AsyncTestClient(app, base_url="https://secrets.example.com") as test_client:
        yield test_client


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "ots.access"]


async def test_access_log_on_writes_a_line_per_request_routed_or_not(
    client: AsyncTestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="ots.access")
    assert (await client.get("/")).status_code == 200
    assert (await client.get("/no-such-page")).status_code == 404
    lines = _access_lines(caplog)
    assert len(lines) == 2
    assert '"GET /" 200' in lines[0]
    assert '"GET /no-such-page" 404' in lines[1]


async def test_access_log_off_writes_no_line_routed_or_not(
    quiet_client: AsyncTestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="ots.access")
    assert (await quiet_client.get("/")).status_code == 200
    assert (await quiet_client.get("/no-such-page")).status_code == 404
    created = await quiet_client.post("/api/v1/share", data={"secret": "s3cret"})
    assert created.status_code == 200
    assert _access_lines(caplog) == []


async def test_access_log_off_keeps_the_security_headers_and_the_plain_404(quiet_client: AsyncTestClient) -> None:
    page = await quiet_client.get("/")
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store"
    unknown_host = await quiet_client.get("/", headers={"host": "elsewhere.example.org"})
    assert unknown_host.status_code == 404
    assert unknown_host.text == "Not Found\n"


async def test_access_log_off_still_times_every_routed_request_for_the_metrics(
    quiet_client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_VARIABLE, raising=False)
    before = parse(metrics.exposition(None).decode())
    assert (await quiet_client.get("/")).status_code == 200
    assert (await quiet_client.post("/api/v1/share", data={"secret": "s3cret"})).status_code == 200
    after = parse(metrics.exposition(None).decode())
    assert moved(before, after, sample("ots_request_duration_seconds_count", route="/", status="2xx")) == 1
    share = sample("ots_request_duration_seconds_count", route="/api/v1/share", status="2xx")
    assert moved(before, after, share) == 1


@pytest.mark.parametrize("access_log", [True, False])
async def test_every_request_gets_its_own_id_with_the_access_log_on_or_off(access_log: bool) -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(request_id.get())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass

    served = request_middleware(access_log=access_log)(app)
    for _ in range(2):
        scope = {"type": "http", "method": "GET", "path": "/", "state": {}, "client": ("127.0.0.1", 1)}
        await served(scope, receive, send)  # type: ignore[arg-type]
    assert len(set(seen)) == 2
    assert all(len(one) == 16 for one in seen)
    assert request_id.get() == "-"
