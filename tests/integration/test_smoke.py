from litestar.testing import AsyncTestClient


async def test_status_answers_nominal(client: AsyncTestClient) -> None:
    response = await client.get("/api/v1/status")
    assert response.status_code == 200
    assert response.json() == {"status": "nominal", "locale": "en"}


async def test_share_then_reveal_returns_the_value_once(client: AsyncTestClient) -> None:
    created = (await client.post("/api/v1/share", data={"secret": "hunter2", "ttl": "3600"})).json()
    first = await client.post(f"/api/v1/secret/{created['secret_key']}")
    second = await client.post(f"/api/v1/secret/{created['secret_key']}")
    assert first.json()["value"] == "hunter2"
    assert second.status_code == 404
    assert second.json() == {"message": "Unknown secret", "secret_key": created["secret_key"]}
