import pytest

from onetime.plans import ANONYMOUS, BASIC, DAY, DEFAULT_PLANS, HOUR, IDENTITY, MINUTE, Plan


def test_default_plans_match_the_contract() -> None:
    assert DEFAULT_PLANS == {"anonymous": ANONYMOUS, "basic": BASIC, "identity": IDENTITY}
    assert (ANONYMOUS.max_ttl, ANONYMOUS.max_size) == (7 * DAY, 1_000)
    assert (BASIC.max_ttl, BASIC.max_size) == (14 * DAY, 10_000)
    assert (IDENTITY.max_ttl, IDENTITY.max_size) == (30 * DAY, 10_000)


@pytest.mark.parametrize(("plan", "expected"), [(ANONYMOUS, 7 * DAY), (BASIC, 7 * DAY), (IDENTITY, 7 * DAY)])
def test_missing_ttl_means_seven_days(plan: Plan, expected: int) -> None:
    assert plan.apply_ttl(None) == expected


def test_missing_ttl_is_clamped_to_a_shorter_plan() -> None:
    assert Plan("tiny", max_ttl=HOUR, max_size=10).apply_ttl(None) == HOUR


@pytest.mark.parametrize("raw", ["", "   ", "abc", "1h", "nan", "inf", "-inf", [], {}, True, False, object()])
def test_empty_or_non_numeric_ttl_means_sixty_seconds(raw: object) -> None:
    assert ANONYMOUS.apply_ttl(raw) == MINUTE


@pytest.mark.parametrize(("raw", "expected"), [("0", 60), ("-100", 60), ("59", 60), (1, 60), ("60", 60)])
def test_ttl_too_low_is_raised_to_sixty_seconds(raw: object, expected: int) -> None:
    assert ANONYMOUS.apply_ttl(raw) == expected


@pytest.mark.parametrize(("plan", "raw"), [(ANONYMOUS, "604801"), (BASIC, "9999999999"), (IDENTITY, 10**30)])
def test_ttl_too_high_is_lowered_to_the_plan_maximum(plan: Plan, raw: object) -> None:
    assert plan.apply_ttl(raw) == plan.max_ttl


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3600", 3600), (" 3600 ", 3600), (3600, 3600), (3600.9, 3600), ("3600.9", 3600), ("1e3", 1000)],
)
def test_ttl_in_range_is_applied_as_whole_seconds(raw: object, expected: int) -> None:
    assert ANONYMOUS.apply_ttl(raw) == expected


def test_ttl_choices_stop_at_the_plan_maximum() -> None:
    assert ANONYMOUS.ttl_choices == (300, 1800, 3600, 14400, 43200, DAY, 3 * DAY, 7 * DAY)
    assert BASIC.ttl_choices[-1] == 14 * DAY
    assert IDENTITY.ttl_choices[-1] == 30 * DAY
