"""What the pages carry for safety: headers, CSRF, no inline code, error pages, no leaks in logs."""

import logging
import re
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from onetime.secret_service import SecretService
from onetime.settings import Settings
from tests.conftest import with_settings
from tests.support.pages import HTMX, csrf_token, main_of, share
from tests.support.redis_server import RedisServer
from web.app import create_app


async def page_paths(client: AsyncTestClient) -> list[str]:
    plain = await share(client)
    locked = await share(client, passphrase="open sesame")
    return [
        "/",
        f"/private/{plain['metadata_key']}",
        f"/private/{locked['metadata_key']}/burn",
        f"/secret/{locked['secret_key']}",
        "/no-such-page",
    ]


async def test_every_page_carries_the_security_headers(client: AsyncTestClient) -> None:
    for path in [*await page_paths(client), "/static/css/site.css", "/static/vendor/htmx.min.js"]:
        response = await client.get(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy, path
        assert "script-src 'self';" in policy
        assert "style-src 'self';" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_pages_have_no_inline_script_style_or_handler_and_no_third_party_url(client: AsyncTestClient) -> None:
    for path in await page_paths(client):
        html = (await client.get(path)).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html)
        assert not re.search(r"\son[a-z]+=", html)
        assert not re.search(r"\shx-on", html)
        for url in re.findall(r'\s(?:src|href|action|hx-get|hx-post)="([^"]*)"', html):
            assert url.startswith(("/", "#")), (path, url)


async def test_htmx_is_configured_to_need_neither_eval_nor_inline_styles(client: AsyncTestClient) -> None:
    html = (await client.get("/")).text
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert config
    assert '"allowEval":false' in config.group(1)
    assert '"includeIndicatorStyles":false' in config.group(1)
    assert '"historyCacheSize":0' in config.group(1)


async def test_vendored_htmx_and_assets_are_served_with_long_caching(client: AsyncTestClient) -> None:
    html = (await client.get("/")).text
    src = re.search(r'<script src="(/static/vendor/htmx\.min\.js\?v=[0-9a-f]{12})" integrity="sha384-\S+" defer>', html)
    assert src
    response = await client.get(src.group(1))
    assert response.status_code == 200
    assert 'version:"2.0.11"' in response.text
    assert "max-age=31536000" in response.headers["cache-control"]
    assert (Path(__file__).parents[3] / "static/vendor/htmx.LICENSE").exists()


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/create", {"secret": "s"}),
        ("/generate", {}),
        ("/secret/{secret_key}", {}),
        ("/private/{metadata_key}/burn", {}),
    ],
)
@pytest.mark.parametrize("token", ["none", "forged", "no-cookie"])
async def test_a_form_without_a_valid_csrf_token_is_refused(
    client: AsyncTestClient, settings: Settings, path: str, form: dict[str, str], token: str
) -> None:
    metadata = await share(client, "kept-value")
    url = path.format(**metadata)
    data = dict(form)
    if token == "forged":
        await client.get("/")
        data["_csrf_token"] = "0" * 128
    elif token == "no-cookie":
        # A token taken from someone else's page, posted without their cookie.
        async with AsyncTestClient(create_app(settings), base_url="https://secrets.example.com") as other:
            data["_csrf_token"] = await csrf_token(other)
    response = await client.post(url, data=data)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert (await client.get(f"/api/v1/private/{metadata['metadata_key']}")).json()["state"] == "new"


async def test_the_csrf_cookie_is_http_only_same_site_and_bound_to_the_origin(client: AsyncTestClient) -> None:
    cookie = (await client.get("/")).headers["set-cookie"]
    assert cookie.startswith("__Host-csrftoken=")
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie


async def test_each_new_visitor_gets_a_token_of_its_own_in_cookie_and_form(client: AsyncTestClient) -> None:
    # The cookie's line is built once per process around each visitor's fresh token.
    seen = set()
    for _ in range(3):
        client.cookies.clear()
        page = await client.get("/")
        cookie_token = page.cookies["__Host-csrftoken"]
        assert re.search(r'name="_csrf_token" value="([^"]+)"', page.text)[1] == cookie_token  # type: ignore[index]
        seen.add(cookie_token)
    assert len(seen) == 3


async def test_the_json_api_needs_no_token_and_sets_no_cookie(client: AsyncTestClient) -> None:
    created = await client.post("/api/v1/share", data={"secret": "s"})
    assert created.status_code == 200
    assert "set-cookie" not in created.headers
    assert "set-cookie" not in (await client.get("/api/v1/status")).headers
    assert "set-cookie" not in (await client.get("/api/v1/nope")).headers
    assert "set-cookie" not in (await client.get("/static/css/site.css")).headers


async def test_unknown_paths_are_a_page_but_json_under_the_api(client: AsyncTestClient) -> None:
    page = await client.get("/no-such-page", headers=HTMX)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["hx-retarget"] == "body"
    api = await client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404
    assert api.json() == {"error": "Not Found"}
    assert (await client.get("/static/no-such-file.css")).status_code == 404


async def test_a_form_too_large_to_read_gets_the_413_page(client: AsyncTestClient, settings: Settings) -> None:
    token = await csrf_token(client)
    response = await client.post("/create", data={"secret": "x" * (settings.max_body_bytes + 1), "_csrf_token": token})
    assert response.status_code == 413
    assert "That was too much to send" in response.text


async def test_a_bug_gets_the_500_page_without_details(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("internal detail 1234")

    monkeypatch.setattr(SecretService, "receipt", broken)
    response = await client.get(f"/private/{'a' * 31}")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "internal detail" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_storage_down_gets_the_service_unavailable_page(
    settings: Settings, private_redis_server: RedisServer
) -> None:
    app = create_app(with_settings(settings, redis_url=private_redis_server.url))
    async with AsyncTestClient(app, base_url="https://secrets.example.com") as client:
        metadata = await share(client)
        token = await csrf_token(client)
        private_redis_server.stop()
        for response in (
            await client.get(f"/private/{metadata['metadata_key']}"),
            await client.get(f"/secret/{metadata['secret_key']}"),
            await client.post("/create", data={"secret": "s", "_csrf_token": token}),
        ):
            assert response.status_code == 503
            assert "The service is unavailable" in main_of(response.text)
            assert response.headers["content-type"].startswith("text/html")


async def test_the_secret_value_never_reaches_a_log_or_a_url(
    client: AsyncTestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = await csrf_token(client)
    created = await client.post(
        "/create", data={"secret": "value-c4n4ry", "passphrase": "phrase-c4n4ry", "_csrf_token": token}
    )
    link = re.search(r'id="share-link"[^>]*value="([^"]+)"', created.text)
    assert link
    path = link.group(1).removeprefix("https://secrets.example.com")
    revealed = await client.post(path, data={"passphrase": "phrase-c4n4ry", "_csrf_token": token})
    assert "value-c4n4ry" in revealed.text
    assert all("c4n4ry" not in str(response.url) for response in [*created.history, created, revealed])
    server_log = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("httpx"))
    assert "POST /secret/" in server_log
    assert "c4n4ry" not in server_log
    assert path.rsplit("/", 1)[1] not in server_log  # full keys are shortened in the access log


@pytest.mark.parametrize("status", [403, 404, 413, 429, 500, 503, 400])
def test_every_error_page_has_the_look_of_the_site(settings: Settings, status: int) -> None:
    engine = create_app(settings).template_engine
    assert engine is not None
    name = f"errors/{status}.html" if status != 400 else "errors/error.html"
    html = engine.get_template(name).render(status=status)
    assert html.startswith("<!doctype html>")
    assert '<link rel="stylesheet" href="/static/css/site.css?v=' in html
    assert re.search(
        r'<a href="/" class="brand"><img class="brand-mark" src="/static/img/logo\.svg[^>]*>Onetime Secret</a>', html
    )
    assert re.search(r'<main id="main" tabindex="-1">\s*<h1 tabindex="-1">[^<]+</h1>', html)
    assert "Traceback" not in html
