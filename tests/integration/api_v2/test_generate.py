"""POST /api/v2/secret/generate: the envelope without the password, and the receipt's one echo."""

from __future__ import annotations

import string

from litestar.testing import AsyncTestClient

from tests.integration.api_v2.v2 import assert_error, assert_ok, receipt_key_of, secret_key_of


async def test_generate_without_a_body_answers_a_new_secret_but_not_its_password(client: AsyncTestClient) -> None:
    body = assert_ok(await client.post("/api/v2/secret/generate"))
    assert body["success"] is True
    assert body["details"]["kind"] == "generate"
    assert body["record"]["receipt"]["kind"] == "generate"
    assert "secret_value" not in body["record"]["secret"]
    assert "value" not in body["record"]["receipt"]


async def test_the_receipt_echoes_the_generated_password_once_and_the_reveal_gives_it(
    client: AsyncTestClient,
) -> None:
    record = assert_ok(await client.post("/api/v2/secret/generate", json={"secret": {"length": 20}}))["record"]
    first = assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))
    password = first["details"]["secret_value"]
    assert len(password) == 20
    assert set(password) & set(string.ascii_uppercase)
    assert set(password) & set(string.digits)
    again = assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))
    assert again["details"]["secret_value"] is None
    revealed = assert_ok(await client.post(f"/api/v2/secret/{secret_key_of(record)}/reveal", json={"continue": True}))
    assert revealed["record"]["secret_value"] == password


async def test_generate_reads_nested_form_fields(client: AsyncTestClient) -> None:
    form = {"secret[length]": "16", "secret[ttl]": "300", "secret[character_sets][symbols]": "false"}
    record = assert_ok(await client.post("/api/v2/secret/generate", data=form))["record"]
    assert record["secret"]["lifespan"] == 300
    echoed = assert_ok(await client.get(f"/api/v2/receipt/{receipt_key_of(record)}"))["details"]["secret_value"]
    assert len(echoed) == 16


async def test_a_length_over_the_maximum_is_refused(client: AsyncTestClient) -> None:
    response = await client.post("/api/v2/secret/generate", json={"secret": {"length": 129}})
    assert_error(response, 422, "FormError", "Generated password length must be no more than 128 characters")


async def test_generate_with_a_passphrase_guards_the_password(client: AsyncTestClient) -> None:
    record = assert_ok(await client.post("/api/v2/secret/generate", json={"secret": {"passphrase": "pw"}}))["record"]
    assert record["secret"]["has_passphrase"] is True
    response = await client.post(f"/api/v2/secret/{secret_key_of(record)}/reveal", json={"continue": True})
    assert_error(response, 422, "FormError", "Incorrect passphrase", field="passphrase")
