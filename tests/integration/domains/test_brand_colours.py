"""A brand colour stays readable in the dark scheme (issue 15 item 12)."""

from __future__ import annotations

import pytest

from web.pages.domains import DARK_SURFACE, contrast, dark_scheme_colour


@pytest.mark.parametrize("colour", ["#0a7d32", "#1a55a6", "#000000", "#a8201a", "#ffcc00"])
def test_the_dark_scheme_colour_reads_at_4_5_to_1_and_is_the_brand_when_it_already_does(colour: str) -> None:
    dark = dark_scheme_colour(colour)
    assert contrast(dark, DARK_SURFACE) >= 4.5
    if contrast(colour, DARK_SURFACE) >= 4.5:
        assert dark == colour


def test_the_green_the_new_user_saw_at_3_5_to_1_is_lightened() -> None:
    assert contrast("#0a7d32", DARK_SURFACE) < 4.5
    assert dark_scheme_colour("#0a7d32") != "#0a7d32"
