"""Bodies no parser can read as text (JSON nested thousands deep, multipart fields in invalid
UTF-8 or an unknown charset) are the client's fault: a 400-class answer on both faces and one
log line, with no traceback and none of the client's text."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import assert_error
from tests.support.pages import csrf_token

ATTACKER = "ATTACKERtext"
BOUNDARY = "b0undary"
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _multipart(name: str, data: bytes, content_type: str | None = None) -> bytes:
    headers = f'Content-Disposition: form-data; name="{name}"'
    if content_type is not None:
        headers += f"\r\nContent-Type: {content_type}"
    return f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


INVALID_UTF8 = _multipart("secret", b"\xff\xfe" + ATTACKER.encode())
UNKNOWN_CHARSET = _multipart("secret", b"x", f"text/plain; charset={ATTACKER}")
DEEP_JSON = b'{"secret": ' + b"[" * 5000 + b"]" * 5000 + b"}"


def _assert_logged_without_traceback_or_client_text(caplog: pytest.LogCaptureFixture) -> None:
    logged = caplog.text
    assert "Traceback" not in logged
    assert ATTACKER not in logged
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
    assert len([record for record in caplog.records if record.name == "ots.access"]) == 1


async def test_json_nested_too_deep_is_a_v1_400(client: AsyncTestClient, caplog: pytest.LogCaptureFixture) -> None:
    headers = {"content-type": "application/json"}
    response = await client.post("/api/v1/share", content=DEEP_JSON, headers=headers)
    assert_error(response, "The request body is nested too deeply", 400)
    _assert_logged_without_traceback_or_client_text(caplog)


@pytest.mark.parametrize("body", [INVALID_UTF8, UNKNOWN_CHARSET], ids=["invalid-utf8", "unknown-charset"])
async def test_unreadable_multipart_is_a_v1_400(
    client: AsyncTestClient, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    response = await client.post("/api/v1/share", content=body, headers=MULTIPART)
    assert_error(response, "The request could not be read", 400)
    _assert_logged_without_traceback_or_client_text(caplog)


@pytest.mark.parametrize("body", [INVALID_UTF8, UNKNOWN_CHARSET], ids=["invalid-utf8", "unknown-charset"])
@pytest.mark.parametrize("with_token", [True, False], ids=["token-in-header", "no-token"])
async def test_unreadable_multipart_form_is_a_400_page(
    client: AsyncTestClient, caplog: pytest.LogCaptureFixture, body: bytes, *, with_token: bool
) -> None:
    # Without a token in the header the CSRF check reads the form first: it must fail alike.
    headers = {**MULTIPART, "x-csrftoken": await csrf_token(client)} if with_token else MULTIPART
    caplog.clear()
    response = await client.post("/create", content=body, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert ATTACKER not in response.text
    assert "Traceback" not in response.text
    _assert_logged_without_traceback_or_client_text(caplog)
