"""What an anonymous visitor's requests leave behind: no session, and a CSRF cookie only where a form needs one."""

from litestar.testing import AsyncTestClient


def _cookie_names(response_headers: list[str]) -> set[str]:
    return {header.split("=", 1)[0] for header in response_headers}


async def test_anonymous_home_page_sets_the_csrf_cookie_and_no_session(client: AsyncTestClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert _cookie_names(response.headers.get_list("set-cookie")) == {"__Host-csrftoken"}


async def test_json_api_sets_no_cookie(client: AsyncTestClient) -> None:
    created = await client.post("/api/v1/share", data={"secret": "s3cret"})
    assert created.status_code == 200
    assert created.headers.get_list("set-cookie") == []
    receipt = await client.get(f"/api/v1/private/{created.json()['metadata_key']}")
    assert receipt.status_code == 200
    assert receipt.headers.get_list("set-cookie") == []
