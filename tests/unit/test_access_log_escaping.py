"""The access log writes every request on exactly one line, whatever its path holds."""

import logging

import pytest

from web.access_log import log_uncaught_exception, log_unrouted_response, printable, safe_path


@pytest.mark.parametrize(
    ("raw", "logged"),
    [
        ("/a\nb", "/a\\nb"),
        ("/a\rb", "/a\\rb"),
        ("/a\x1b[2Jb", "/a\\x1b[2Jb"),
        ("/a\x00b\x7fc", "/a\\x00b\\x7fc"),
        ("/a\u2028b\x85c", "/a\\u2028b\\x85c"),
        ('/a"b\\c', '/a\\"b\\\\c'),
        ("/café/ünïcode", "/café/ünïcode"),
    ],
)
def test_control_and_non_printable_characters_in_a_path_are_escaped(raw: str, logged: str) -> None:
    assert safe_path(raw) == logged


def test_an_escaped_path_cannot_forge_a_second_line() -> None:
    forged = '/x" 200 1.0ms\n127.0.0.1 "GET /admin" 200 1.0ms\r\x1b[1A'
    line = safe_path(forged)
    assert line.isprintable()
    assert "\n" not in line
    assert '" 200' not in line.replace('\\"', "")


def test_printable_text_is_unchanged() -> None:
    assert printable("/api/v1/status") == "/api/v1/status"


async def test_an_unrouted_request_is_logged_on_one_line(caplog: pytest.LogCaptureFixture) -> None:
    scope = {
        "type": "http",
        "method": "GET\n",
        "path": '/x" 404 -\n10.0.0.1 "GET /forged',
        "client": ("127.0.0.1\r", 1),
        "state": {},
    }
    with caplog.at_level(logging.INFO, logger="ots.access"):
        await log_unrouted_response({"type": "http.response.start", "status": 404, "headers": []}, scope)  # type: ignore[arg-type]
    [record] = caplog.records
    message = record.getMessage()
    assert "\n" not in message
    assert "\r" not in message
    assert message == '127.0.0.1\\r "GET\\n /x\\" 404 -\\n10.0.0.1 \\"GET /forged" 404 -'


def test_a_bug_report_names_the_request_on_its_first_line(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("ots.test")
    try:
        raise RuntimeError("boom")  # noqa: TRY301 - a bug to report
    except RuntimeError:
        with caplog.at_level(logging.ERROR, logger="ots.test"):
            log_uncaught_exception(logger, {"method": "GET", "path": "/a\nforged"}, ["Traceback\n"])  # type: ignore[arg-type]
    first_line = caplog.records[0].getMessage().split("\n", 1)[0]
    assert first_line == "uncaught RuntimeError on GET /a\\nforged"
