"""Issue 15 item 10: the size error said once, with what an account allows; a blank secret refused everywhere."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from onetime.plans import ANONYMOUS, BASIC
from tests.support.accounts import post_form, sign_up_ok
from tests.support.pages import main_of

BLANK = "  \r\n\t \r\n"
EMPTY_MESSAGE = "You did not provide anything to share"


async def test_the_size_error_is_said_once_and_names_what_an_account_allows(client: AsyncTestClient) -> None:
    size = ANONYMOUS.max_size + 2
    response = await post_form(client, "/create", {"secret": "x" * size})
    assert response.status_code == 422
    main = main_of(response.text)
    expected = (
        f"This secret is {size:,} bytes, over the {ANONYMOUS.max_size:,} bytes allowed without an account."
        f" Shorten it, or sign up: an account allows {BASIC.max_size:,} bytes."
    )
    assert re.findall(r'class="(?:field-error|alert)"[^>]*>([^<]*)<', main) == [expected]
    assert f"(an account allows {BASIC.max_size:,})" in main  # the hint says it before any mistake


async def test_an_account_over_its_size_is_not_told_to_sign_up(client: AsyncTestClient) -> None:
    await sign_up_ok(client)
    size = BASIC.max_size + 1
    response = await post_form(client, "/create", {"secret": "x" * size})
    assert response.status_code == 422
    assert f"This secret is {size:,} bytes, over the {BASIC.max_size:,} bytes allowed. Shorten it" in response.text
    assert "an account allows" not in main_of(response.text)


@pytest.mark.parametrize("value", [BLANK, " ", "\n"])
async def test_a_blank_secret_gets_the_empty_secrets_answer_from_v1(client: AsyncTestClient, value: str) -> None:
    response = await client.post("/api/v1/share", data={"secret": value})
    assert response.json() == {"message": EMPTY_MESSAGE}
    assert response.headers["x-ots-intended-status"] == "400"


async def test_a_blank_secret_gets_the_empty_secrets_answer_from_v2(client: AsyncTestClient) -> None:
    empty = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": ""}})
    blank = await client.post("/api/v2/secret/conceal", json={"secret": {"secret": BLANK}})
    assert blank.status_code == empty.status_code == 422
    assert blank.json()["error"] == empty.json()["error"] == EMPTY_MESSAGE


async def test_the_page_says_why_a_blank_secret_made_no_link(client: AsyncTestClient) -> None:
    response = await post_form(client, "/create", {"secret": BLANK})
    assert response.status_code == 422
    assert 'id="secret-error">The secret is only spaces and line breaks.' in response.text
