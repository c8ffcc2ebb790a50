import pytest

from onetime.keys import new_key
from web.access_log import safe_path


def test_key_in_a_path_is_cut_to_six_characters() -> None:
    key = new_key()
    assert safe_path(f"/api/v1/secret/{key}") == f"/api/v1/secret/{key[:6]}..."


def test_every_key_in_a_path_is_cut() -> None:
    first, second = new_key(), new_key()
    shortened = safe_path(f"/private/{first}/burn/{second}")
    assert shortened == f"/private/{first[:6]}.../burn/{second[:6]}..."
    assert first not in shortened
    assert second not in shortened


@pytest.mark.parametrize("path", ["/", "/api/v1/status", "/api/v1/private/recent", "/static/css/site.css"])
def test_paths_without_keys_are_unchanged(path: str) -> None:
    assert safe_path(path) == path


def test_uppercase_and_overlong_key_like_segments_are_cut_too() -> None:
    raw = "ABCDEFGHIJ0123456789KLMNOPQRSTUVWXYZ" * 3
    assert safe_path(f"/secret/{raw}") == "/secret/ABCDEF..."
