"""Brand values: domain names, colours, texts and logos are checked (and logos re-encoded) before storage."""

from __future__ import annotations

import dataclasses
import io

import pytest
from PIL import Image

from onetime.domains.branding import (
    BRANDING_FIELDS,
    LOGO_MAX_BYTES,
    Branding,
    BrandingChange,
    clean_text,
    parse_colour,
    reencode_logo,
    text_colour_on,
)
from onetime.domains.names import normalize_domain
from onetime.errors import InvalidRequest
from onetime.storage.domains import BRANDING_CODES
from web.sites import host_name


def image_bytes(kind: str, size: tuple[int, int] = (64, 32), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    colour = {"RGB": (10, 120, 200), "RGBA": (10, 120, 200, 128), "L": 90}[mode]
    Image.new(mode, size, colour).save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Secrets.ACME.example", "secrets.acme.example"),
        ("secrets.acme.example.", "secrets.acme.example"),
        (" a-b.example ", "a-b.example"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domain_names_are_stored_lowercase_ascii(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "example", "10.0.0.1", "a_b.example", "-a.example", "a..example", "x" * 250 + ".com"]
)
def test_things_that_are_not_domain_names_are_refused(raw: str) -> None:
    with pytest.raises(InvalidRequest):
        normalize_domain(raw)


@pytest.mark.parametrize(("raw", "expected"), [("#1A55A6", "#1a55a6"), ("1a55a6", "#1a55a6"), ("#abc", "#aabbcc")])
def test_colours_are_stored_as_six_hex_digits(raw: str, expected: str) -> None:
    assert parse_colour(raw) == expected


@pytest.mark.parametrize("raw", ["red", "#12345", "#1234567", "#ggg", "url(x)", "#fff;}body{display:none"])
def test_anything_but_a_hex_colour_is_refused(raw: str) -> None:
    with pytest.raises(InvalidRequest, match="hex colour"):
        parse_colour(raw)


@pytest.mark.parametrize(("colour", "text"), [("#ffffff", "#000000"), ("#000000", "#ffffff"), ("#ffd400", "#000000")])
def test_text_on_the_brand_colour_is_black_or_white_whichever_reads_better(colour: str, text: str) -> None:
    assert text_colour_on(colour) == text


def test_texts_lose_control_characters_and_keep_line_breaks_where_allowed() -> None:
    assert clean_text("  Call\x00 us\r\nat 5 \u202e ", 100, "text", multiline=True) == "Call us\nat 5"
    assert clean_text("ACME\nVault", 100, "display name") == "ACMEVault"
    with pytest.raises(InvalidRequest, match="at most 5 characters"):
        clean_text("123456", 5, "display name")


def test_a_branding_change_checks_every_value_it_sets() -> None:
    values = BrandingChange(display_name=" ACME ", primary_colour="#0A7D32", public_homepage=True).checked()
    assert values == {"display_name": "ACME", "primary_colour": "#0a7d32", "public_homepage": True}
    assert BrandingChange(primary_colour="").checked() == {"primary_colour": ""}
    with pytest.raises(InvalidRequest, match="text shown before reveal"):
        BrandingChange(before_reveal="x" * 501).checked()


def test_every_branding_field_is_on_the_brand_and_the_change_and_has_its_stored_code() -> None:
    names = [field.name for field in BRANDING_FIELDS]
    assert names == [field.name for field in dataclasses.fields(BrandingChange) if field.name != "logo"]
    assert set(names) < {field.name for field in dataclasses.fields(Branding)}
    assert BRANDING_CODES == {
        "display_name": "n",
        "primary_colour": "col",
        "before_reveal": "t1",
        "on_reveal": "t2",
        "after_reveal": "t3",
        "public_homepage": "hp",
    }


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_png_and_jpeg_logos_are_re_encoded_as_the_same_kind(kind: str, content_type: str) -> None:
    logo = reencode_logo(image_bytes(kind))
    assert logo.content_type == content_type
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.format == kind
        assert image.size == (64, 32)


def test_a_logo_with_transparency_keeps_it() -> None:
    logo = reencode_logo(image_bytes("PNG", mode="RGBA"))
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.mode == "RGBA"


def test_a_large_logo_is_scaled_down_to_fit_the_box() -> None:
    logo = reencode_logo(image_bytes("PNG", size=(2000, 500)))
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.size == (512, 128)


@pytest.mark.parametrize(
    "upload",
    [
        b"",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"GIF89a" + b"\x00" * 32,
        image_bytes("GIF"),
        image_bytes("BMP"),
        b"\x89PNG\r\n\x1a\n" + b"truncated",
    ],
)
def test_anything_but_a_png_or_jpeg_logo_is_refused(upload: bytes) -> None:
    with pytest.raises(InvalidRequest):
        reencode_logo(upload)


def test_a_logo_over_the_size_cap_is_refused_before_decoding() -> None:
    with pytest.raises(InvalidRequest, match="at most 256 KB"):
        reencode_logo(b"\x89PNG" + b"\x00" * LOGO_MAX_BYTES)


def test_a_logo_that_claims_too_many_pixels_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="too large in pixels"):
        reencode_logo(image_bytes("PNG", size=(5000, 4000), mode="L"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Secrets.Example.com", "secrets.example.com"),
        ("secrets.example.com:8443", "secrets.example.com"),
        ("secrets.example.com.", "secrets.example.com"),
        ("[::1]:8000", "::1"),
        ("127.0.0.1:8000", "127.0.0.1"),
        ("", ""),
    ],
)
def test_host_names_drop_port_case_and_trailing_dot(raw: str, expected: str) -> None:
    assert host_name(raw) == expected
