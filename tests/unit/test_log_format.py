import json
import logging
import sys
import threading

from web.log_format import NO_REQUEST, JsonFormatter, RequestIdFilter, request_id


def record(message: str, *, exc_info: bool = False) -> logging.LogRecord:
    info = sys.exc_info() if exc_info else None
    return logging.LogRecord("ots.test", logging.ERROR, __file__, 1, message, (), info)


def test_a_json_line_is_one_object_on_one_line_with_the_request_id() -> None:
    token = request_id.set("0123456789abcdef")
    try:
        stamped = record('a "quoted"\nmessage')
        RequestIdFilter().filter(stamped)
    finally:
        request_id.reset(token)
    line = JsonFormatter().format(stamped)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == 'a "quoted"\nmessage'
    assert (parsed["level"], parsed["logger"], parsed["request_id"]) == ("ERROR", "ots.test", "0123456789abcdef")


def test_a_traceback_stays_on_the_line() -> None:
    try:
        raise ValueError("boom")  # noqa: TRY301 - a traceback to format
    except ValueError:
        line = JsonFormatter().format(record("failed", exc_info=True))
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]


def test_the_id_is_taken_where_the_line_is_logged_not_where_it_is_written() -> None:
    token = request_id.set("feedfacecafebeef")
    try:
        stamped = record("queued")
        RequestIdFilter().filter(stamped)
    finally:
        request_id.reset(token)
    written: list[str] = []
    writer = threading.Thread(target=lambda: written.append(JsonFormatter().format(stamped)))
    writer.start()
    writer.join()
    assert json.loads(written[0])["request_id"] == "feedfacecafebeef"


def test_outside_a_request_the_id_is_a_dash() -> None:
    assert json.loads(JsonFormatter().format(record("starting")))["request_id"] == NO_REQUEST
