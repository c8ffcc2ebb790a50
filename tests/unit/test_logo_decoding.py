"""Logos: every mode is converted to 8-bit RGB(A) or refused clearly; oversized images are refused from the header."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from onetime.domains import branding
from onetime.domains.branding import LOGO_BOX, reencode_logo
from onetime.errors import InvalidRequest
from tests.support.images import GREY, grey16_png, header_only_png


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_large_16_bit_greyscale_png_is_converted_not_crashed() -> None:
    upload = grey16_png(2048, 2048)
    with Image.open(io.BytesIO(upload)) as original:
        assert original.mode == "I;16"
    logo = reencode_logo(upload)
    image = _decoded(logo.data)
    assert image.mode == "RGB"
    assert image.size == LOGO_BOX
    # The gradient survives: 16-bit values keep their top 8 bits, not clipped to white.
    assert len(image.convert("L").getcolors() or []) > 100


def test_a_small_16_bit_greyscale_png_keeps_its_grey_levels() -> None:
    image = _decoded(reencode_logo(grey16_png(200, 10)).data)
    assert image.getpixel((0, 0)) == (0, 0, 0)
    assert image.getpixel((199, 0))[0] == (199 * 257) >> 8


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "I;16"])
def test_every_png_mode_becomes_rgb_or_rgba(mode: str) -> None:
    out = io.BytesIO()
    Image.new(mode, (1200, 900)).save(out, format="PNG")
    image = _decoded(reencode_logo(out.getvalue()).data)
    assert image.mode == ("RGBA" if "A" in mode else "RGB")
    assert max(image.size) == LOGO_BOX[0]


@pytest.mark.parametrize("mode", ["L", "RGB", "CMYK"])
def test_every_jpeg_mode_becomes_rgb(mode: str) -> None:
    out = io.BytesIO()
    Image.new(mode, (1200, 900)).save(out, format="JPEG")
    logo = reencode_logo(out.getvalue())
    assert logo.content_type == "image/jpeg"
    assert _decoded(logo.data).mode == "RGB"


def test_the_reported_16_bit_4096_square_png_is_refused_from_its_header() -> None:
    # 16 MP of 16-bit grey plus its RGB copy is more memory than a logo may take.
    with pytest.raises(InvalidRequest, match=r"too large in pixels \(4096 x 4096\); use one of at most \d+ x \d+"):
        reencode_logo(header_only_png(4096, 4096, depth=16, colour_type=GREY))


@pytest.mark.parametrize(("width", "height"), [(5000, 10), (10, 5000), (60000, 60000)])
def test_a_huge_dimension_png_is_refused_before_decoding(width: int, height: int) -> None:
    # The file holds no pixels at all: had it been decoded, the message would be "must be a PNG or JPEG".
    with pytest.raises(InvalidRequest, match="too large in pixels"):
        reencode_logo(header_only_png(width, height))


def test_an_image_within_the_budget_is_decoded() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (2800, 2800)).save(out, format="PNG")
    assert _decoded(reencode_logo(out.getvalue()).data).size == LOGO_BOX


def test_a_mode_that_cannot_be_converted_is_refused_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def cannot_convert(image: Image.Image) -> Image.Image:
        raise ValueError(image.mode)

    monkeypatch.setattr(branding, "_eight_bit", cannot_convert)
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="PNG")
    with pytest.raises(
        InvalidRequest, match=r"pixel format \(RGB\) cannot be used; save it as an 8-bit RGB or RGBA PNG"
    ):
        reencode_logo(out.getvalue())
