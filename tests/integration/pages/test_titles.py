"""Every page is named once: its htmx partial carries the same <title> as the whole page."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.support.accounts import post_form, sign_up_ok
from tests.support.pages import HTMX, csrf_token, main_of, share

TITLE = re.compile(r"<title>([^<]*)</title>")


def titles(html: str) -> list[str]:
    """Return the text of every <title> in a page or partial."""
    return TITLE.findall(html)


async def assert_same_title(client: AsyncTestClient, path: str, expected: str) -> None:
    page = await client.get(path)
    partial = await client.get(path, headers=HTMX)
    assert page.status_code == partial.status_code == 200, path
    assert titles(page.text) == [expected], path
    assert titles(partial.text) == [expected], path
    assert partial.text.lstrip().startswith("<title>"), path  # at the top: htmx reads it there
    assert "<title>" not in main_of(page.text), path  # a whole page names itself in the head only


async def test_the_secret_pages_and_their_partials_have_one_title(client: AsyncTestClient) -> None:
    metadata = await share(client, passphrase="open sesame")
    for path, title in (
        ("/", "Share a secret"),
        (f"/private/{metadata['metadata_key']}", "Your secret link"),
        (f"/private/{metadata['metadata_key']}/burn", "Burn this secret?"),
        (f"/secret/{metadata['secret_key']}", "You have a secret"),
    ):
        await assert_same_title(client, path, f"{title} · Onetime Secret")


async def test_the_account_pages_and_their_partials_have_one_title(client: AsyncTestClient) -> None:
    for path, title in (("/signin", "Sign in"), ("/signup", "Create an account")):
        await assert_same_title(client, path, f"{title} · Onetime Secret")
    await sign_up_ok(client)
    for path, title in (
        ("/dashboard", "Your recent secrets"),
        ("/account", "Your account"),
        ("/account/domains", "Your domains"),
    ):
        await assert_same_title(client, path, f"{title} · Onetime Secret")


async def test_a_revealed_secret_has_the_same_title_with_and_without_htmx(client: AsyncTestClient) -> None:
    answers = []
    for headers in ({}, HTMX):
        path = f"/secret/{(await share(client))['secret_key']}"
        answers.append(await client.post(path, data={"_csrf_token": await csrf_token(client, path)}, headers=headers))
    page, partial = answers
    assert titles(page.text) == titles(partial.text) == ["Your secret · Onetime Secret"]


async def test_a_form_drawn_again_with_an_error_keeps_its_title(client: AsyncTestClient) -> None:
    response = await post_form(client, "/create", {"secret": ""}, page="/")
    retried = await client.post("/create", data={"secret": "", "_csrf_token": await csrf_token(client)}, headers=HTMX)
    assert response.status_code == retried.status_code == 422
    assert titles(response.text) == titles(retried.text) == ["Share a secret · Onetime Secret"]
