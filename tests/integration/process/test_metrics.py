"""`ots serve` counts what it does at /metrics, over every worker, and shows it only to whom it should."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.metrics import moved, outside_address, parse, sample, scrape
from tests.support.redis_server import RedisServer
from tests.support.server_process import ServerProcess, ots_env

pytestmark = pytest.mark.slow

TOKEN = "metrics-token-for-the-test-4f1e"
REVEAL_ROUTE = "/api/v1/secret/{key}"
ANY_KEY = "a" * 31  # key-shaped, names no secret


@pytest.fixture
def server(private_redis_server: RedisServer, tmp_path: Path) -> Iterator[ServerProcess]:
    env = ots_env(
        tmp_path / "data",
        OTS_REDIS_URL=private_redis_server.url,
        OTS_WORKERS="2",
        OTS_METRICS_TOKEN=TOKEN,
        OTS_HOST="0.0.0.0",  # noqa: S104 - so that a test can be a client from another address
    )
    with ServerProcess(env, tmp_path / "logs") as running:
        yield running


def fresh_connections(server: ServerProcess) -> httpx.Client:
    """Return an API client that opens a connection per request, so both workers get requests."""
    return httpx.Client(base_url=server.api, timeout=10, limits=httpx.Limits(max_keepalive_connections=0))


def share(api: httpx.Client, path: str = "/share", **data: str) -> dict[str, str]:
    response = api.post(path, data=data)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_counters_move_by_exactly_what_a_scripted_sequence_did_over_two_workers(
    server: ServerProcess, private_redis_server: RedisServer
) -> None:
    before = scrape(server.origin)
    with fresh_connections(server) as api:
        plain = [share(api, secret=f"plain {n}") for n in range(3)]
        guarded = share(api, secret="guarded", passphrase="open sesame")
        generated = share(api, "/generate")
        for created in plain[:2]:
            assert "value" in api.post(f"/secret/{created['secret_key']}").json()
        assert api.post(f"/secret/{guarded['secret_key']}", data={"passphrase": "wrong"}).status_code == 404
        assert api.post(f"/secret/{guarded['secret_key']}", data={"passphrase": "open sesame"}).status_code == 200
        assert api.post(f"/secret/{ANY_KEY}").json()["message"] == "Unknown secret"
        share(api, f"/private/{generated['metadata_key']}/burn")
        share(api, f"/private/{plain[2]['metadata_key']}/burn")
        private_redis_server.stop()
        assert api.post("/share", data={"secret": "x"}).headers["x-ots-intended-status"] == "503"
        private_redis_server.start()
    after = scrape(server.origin)

    def by(name: str, **labels: str) -> float:
        return moved(before, after, sample(name, **labels))

    assert by("ots_secrets_created_total", plan="anonymous", kind="typed") == 4
    assert by("ots_secrets_created_total", plan="anonymous", kind="generated") == 1
    assert by("ots_secrets_revealed_total", kind="plain") == 2
    assert by("ots_secrets_revealed_total", kind="passphrase") == 1
    assert by("ots_secrets_burned_total") == 2
    assert by("ots_reveal_failures_total", reason="unknown") == 1
    assert by("ots_reveal_failures_total", reason="wrong_passphrase") == 1
    assert by("ots_reveal_failures_total", reason="locked") == 0
    assert by("ots_redis_failures_total", kind="error") + by("ots_redis_failures_total", kind="timeout") == 1
    # Every reveal was timed under its route's template: 3 answered 200, 2 were v1 errors (HTTP 404).
    assert by("ots_request_duration_seconds_count", route=REVEAL_ROUTE, status="2xx") == 3
    assert by("ots_request_duration_seconds_count", route=REVEAL_ROUTE, status="4xx") == 2
    assert by("ots_bcrypt_waiting", lane="secrets") == 0  # nothing waits once every answer is in
    keys = [secret[name] for secret in (*plain, guarded, generated) for name in ("secret_key", "metadata_key")]
    text = httpx.get(f"{server.origin}/metrics").text
    assert not any(key in text for key in keys)
    assert "127.0.0.1" not in text


def test_a_lockout_is_counted_as_a_locked_reveal_and_a_lockout(server: ServerProcess) -> None:
    before = scrape(server.origin)
    with fresh_connections(server) as api:
        guarded = share(api, secret="guarded", passphrase="open sesame")
        answers = [api.post(f"/secret/{guarded['secret_key']}", data={"passphrase": "wrong"}) for _ in range(7)]
    assert [answer.json()["message"] for answer in answers[-2:]] == ["Rate limit exceeded. Please try again later."] * 2
    after = scrape(server.origin)
    assert moved(before, after, sample("ots_reveal_failures_total", reason="wrong_passphrase")) == 5
    assert moved(before, after, sample("ots_reveal_failures_total", reason="locked")) == 2
    assert moved(before, after, sample("ots_lockouts_total", kind="secret_passphrase")) == 2


def test_metrics_through_a_proxy_need_the_token(server: ServerProcess) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert httpx.get(f"{server.origin}/metrics", headers=forwarded).status_code == 404
    wrong = {**forwarded, "Authorization": "Bearer metrics-token-but-not-the-right-one"}
    assert httpx.get(f"{server.origin}/metrics", headers=wrong).status_code == 404
    right = {**forwarded, "Authorization": f"Bearer {TOKEN}"}
    assert "ots_secrets_burned_total" in {name for name, _ in scrape(server.origin, headers=right)}


def test_metrics_from_another_address_need_the_token(server: ServerProcess) -> None:
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    origin = f"http://{address}:{server.port}"
    refused = httpx.get(f"{origin}/metrics", timeout=10)
    assert refused.status_code == 404
    assert "ots_" not in refused.text
    accepted = httpx.get(f"{origin}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert accepted.status_code == 200
    assert parse(accepted.text)
