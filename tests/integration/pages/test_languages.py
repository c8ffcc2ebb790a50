"""Languages over HTTP: Accept-Language, the cookie, the picker's POST, <html lang>, the API's words and locale."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.support.pages import HTMX, csrf_token, share

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
HTML_LANG = re.compile(r'<html lang="([^"]+)">')


def html_lang(html: str) -> str:
    found = HTML_LANG.search(html)
    assert found, "the page has no <html lang>"
    return found.group(1)


async def test_without_a_choice_the_pages_are_english(client: AsyncTestClient) -> None:
    html = (await client.get("/")).text
    assert html_lang(html) == "en"
    assert "Share a secret, once" in html
    assert '<option value="en" lang="en" selected>English</option>' in html


async def test_accept_language_chooses_the_language_of_the_page(client: AsyncTestClient) -> None:
    html = (await client.get("/", headers=GERMAN)).text
    assert html_lang(html) == "de"
    assert "Ein Geheimnis teilen, einmalig" in html
    assert "Share a secret, once" not in html
    assert '<option value="604800" selected>7 Tage</option>' in html
    assert '<option value="de" lang="de" selected>Deutsch</option>' in html


async def test_the_highest_quality_language_the_server_speaks_wins(client: AsyncTestClient) -> None:
    html = (await client.get("/", headers={"Accept-Language": "sv;q=1, pt-BR;q=0.4, ja;q=0.8"})).text
    assert html_lang(html) == "ja"
    html = (await client.get("/", headers={"Accept-Language": "pt-BR"})).text
    assert html_lang(html) == "pt-BR"
    assert "Compartilhe um segredo, uma única vez" in html


async def test_the_cookie_overrides_accept_language(client: AsyncTestClient) -> None:
    client.cookies.set("lang", "fr")
    html = (await client.get("/", headers=GERMAN)).text
    assert html_lang(html) == "fr"
    assert "Partagez un secret, une seule fois" in html


async def test_an_htmx_partial_speaks_the_same_language_as_its_page(client: AsyncTestClient) -> None:
    response = await client.get("/", headers={**HTMX, "Accept-Language": "nl"})
    assert response.text.startswith("<title>Een geheim delen · ")
    assert "Deel een geheim, één keer" in response.text


async def test_the_picker_sets_the_cookie_and_goes_back_to_the_page(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/language",
        data={"lang": "es", "next": "/signin?next=/dashboard", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/dashboard"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lang=es;")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    html = (await client.get("/signin")).text
    assert html_lang(html) == "es"
    assert "Iniciar sesión" in html


async def test_the_picker_never_leads_to_another_site(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", ""):
        response = await client.post(
            "/language", data={"lang": "de", "next": target, "_csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"


async def test_the_picker_ignores_a_language_it_does_not_know(client: AsyncTestClient) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/language", data={"lang": "xx", "next": "/", "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "set-cookie" not in response.headers or "lang=" not in response.headers["set-cookie"]


async def test_the_picker_needs_the_forms_csrf_token(client: AsyncTestClient) -> None:
    await client.get("/")
    response = await client.post("/language", data={"lang": "de", "next": "/"}, follow_redirects=False)
    assert response.status_code == 403
    assert "lang=" not in response.headers.get("set-cookie", "")


async def test_every_page_carries_the_picker_back_to_itself(client: AsyncTestClient) -> None:
    for path in ("/", "/signin", "/signup", "/no-such-page"):
        html = (await client.get(path)).text
        assert '<form class="language-picker" method="post" action="/language"' in html, path
        assert f'<input type="hidden" name="next" value="{path}">' in html, path


async def test_the_picker_brings_a_page_back_with_its_query(client: AsyncTestClient) -> None:
    html = (await client.get("/signin?next=/dashboard")).text
    assert '<input type="hidden" name="next" value="/signin?next=/dashboard">' in html


async def test_error_pages_and_form_errors_are_translated(client: AsyncTestClient) -> None:
    missing = await client.get("/no-such-page", headers={"Accept-Language": "ja"})
    assert missing.status_code == 404
    assert html_lang(missing.text) == "ja"
    assert "ページが見つかりません" in missing.text
    token = await csrf_token(client)
    refused = await client.post(
        "/create",
        data={"secret": "x" * 1001, "ttl": "3600", "_csrf_token": token},
        headers={"Accept-Language": "fr"},
    )
    assert refused.status_code == 422
    # The size, and its French digit grouping (a narrow no-break space), in the French sentence.
    assert "Ce secret fait 1\u202f001 octets, au-delà des 1\u202f000 octets autorisés sans compte." in refused.text


async def test_status_reports_the_requests_locale(client: AsyncTestClient) -> None:
    assert (await client.get("/api/v1/status")).json()["locale"] == "en"
    assert (await client.get("/api/v1/status", headers=GERMAN)).json()["locale"] == "de"
    assert (await client.get("/api/v1/status", headers={"Accept-Language": "pt-BR"})).json()["locale"] == "pt_BR"
    assert (await client.get("/api/v2/status")).json() == {"success": True, "status": "nominal", "locale": "en"}
    assert (await client.get("/api/v2/status", headers={"Accept-Language": "ja"})).json()["locale"] == "ja"
    locales = (await client.get("/api/v2/supported-locales", headers=GERMAN)).json()
    assert locales["locale"] == "de"
    assert set(locales["locales"]) == {"en", "de", "fr", "es", "nl", "pt_BR", "ja"}


async def test_api_messages_stay_english_by_default_and_follow_the_requests_language(client: AsyncTestClient) -> None:
    english = await client.post("/api/v1/secret/" + "a" * 31)
    assert english.status_code == 404
    assert english.json()["message"] == "Unknown secret"
    german = await client.post("/api/v1/secret/" + "a" * 31, headers=GERMAN)
    assert german.json()["message"] == "Unbekanntes Geheimnis"
    too_big = await client.post("/api/v1/share", data={"secret": "x" * 1001})
    assert too_big.json()["message"] == "Secret value exceeds the maximum size of 1000 bytes"


async def test_v2_translates_message_and_keeps_error_in_english(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": ""}}, headers=GERMAN)
    body = response.json()
    assert response.status_code == 422
    assert body["error"] == "You did not provide anything to share"
    assert body["message"] == "Sie haben nichts zum Teilen angegeben"


async def test_a_receipt_in_japanese_says_its_duration_in_japanese(client: AsyncTestClient) -> None:
    metadata = await share(client, ttl="90000")
    html = (await client.get(f"/private/{metadata['metadata_key']}", headers={"Accept-Language": "ja"})).text
    assert "残り 1 日 1 時間" in html
    assert "シークレットのリンクができました" in html


async def test_pages_drawn_once_are_kept_per_language(client: AsyncTestClient) -> None:
    for headers, lang, heading in [
        (GERMAN, "de", "Ein Geheimnis teilen, einmalig"),
        ({}, "en", "Share a secret, once"),
        ({"Accept-Language": "ja"}, "ja", "シークレットを一度だけ共有"),
        (GERMAN, "de", "Ein Geheimnis teilen, einmalig"),
    ]:
        html = (await client.get("/", headers=headers)).text
        assert html_lang(html) == lang
        assert heading in html


async def test_a_kept_reveal_page_leads_the_picker_back_to_its_own_secret_only(client: AsyncTestClient) -> None:
    first = (await share(client, "one"))["secret_key"]
    second = (await share(client, "two"))["secret_key"]
    first_page = (await client.get(f"/secret/{first}", headers=GERMAN)).text
    second_page = (await client.get(f"/secret/{second}", headers=GERMAN)).text
    assert f'<input type="hidden" name="next" value="/secret/{first}">' in first_page
    assert f'<input type="hidden" name="next" value="/secret/{second}">' in second_page
    assert first not in second_page
