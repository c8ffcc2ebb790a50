import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from onetime import metrics
from tests.support.metrics import moved, parse, sample


@pytest.fixture(autouse=True)
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_VARIABLE, raising=False)


def scrape(outbox_depth: int | None = None) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return parse(metrics.exposition(outbox_depth).decode())


@pytest.mark.parametrize(
    ("cause", "kind"),
    [
        (RedisTimeoutError("Timeout reading from socket"), "timeout"),
        (TimeoutError(), "timeout"),
        (RedisConnectionError("Connection refused"), "error"),
        (OSError("no route"), "error"),
        (None, "error"),
    ],
)
def test_a_redis_failure_is_counted_as_a_timeout_or_an_error_by_its_cause(
    cause: BaseException | None, kind: str
) -> None:
    before = scrape()
    metrics.redis_failed(cause)
    assert moved(before, scrape(), sample("ots_redis_failures_total", kind=kind)) == 1


def test_the_outbox_depth_is_shown_only_when_it_was_read() -> None:
    assert sample("ots_mail_outbox_depth") not in scrape()
    assert scrape(outbox_depth=3)[sample("ots_mail_outbox_depth")] == 3


def test_requests_are_timed_by_route_template_and_status_class() -> None:
    route = "/api/v1/secret/{key}"
    before = scrape()
    metrics.request_answered(route, 404, 0.02)
    metrics.request_answered(route, 200, 0.02)
    metrics.request_answered(route, 204, 0.02)
    after = scrape()
    assert moved(before, after, sample("ots_request_duration_seconds_count", route=route, status="2xx")) == 2
    assert moved(before, after, sample("ots_request_duration_seconds_count", route=route, status="4xx")) == 1


def test_the_bcrypt_gauge_goes_back_down_when_the_call_leaves_its_lane() -> None:
    metrics.bcrypt_queued("secrets")
    assert scrape()[sample("ots_bcrypt_waiting", lane="secrets")] >= 1
    metrics.bcrypt_done("secrets")
    assert scrape()[sample("ots_bcrypt_waiting", lane="secrets")] == 0
