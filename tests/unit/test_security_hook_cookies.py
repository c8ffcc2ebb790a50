"""The before-send security hook drops cookies from publicly cacheable responses, and only there."""

import pytest

from web.security import add_security_headers


def start(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http.response.start", "status": 200, "headers": list(headers)}


@pytest.mark.parametrize("cache_control", [b"public, max-age=604800", b"max-age=60, s-maxage=600", b"Public"])
async def test_a_cookie_on_a_publicly_cacheable_response_is_dropped(cache_control: bytes) -> None:
    message = start((b"cache-control", cache_control), (b"set-cookie", b"csrftoken=abc"), (b"set-cookie", b"x=1"))
    await add_security_headers(message, {"type": "http", "path": "/brand/logo"})  # type: ignore[arg-type]
    names = [name for name, _ in message["headers"]]  # type: ignore[attr-defined]
    assert b"set-cookie" not in names
    assert (b"cache-control", cache_control) in message["headers"]  # type: ignore[operator]


@pytest.mark.parametrize("cache_control", [b"no-store", b"private, max-age=60", None])
async def test_a_cookie_on_any_other_response_stays(cache_control: bytes | None) -> None:
    headers = [(b"set-cookie", b"csrftoken=abc")]
    if cache_control is not None:
        headers.append((b"cache-control", cache_control))
    message = start(*headers)
    await add_security_headers(message, {"type": "http", "path": "/"})  # type: ignore[arg-type]
    assert (b"set-cookie", b"csrftoken=abc") in message["headers"]  # type: ignore[operator]
