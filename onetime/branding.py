"""A custom domain's brand: checked display name, colour, instruction texts, and a re-encoded logo.

Nothing a customer uploads is served as given: a logo is decoded and written again by Pillow
(PNG or JPEG only, never SVG, which can carry scripts), so only pixels reach a visitor.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from onetime.errors import InvalidRequest

NAME_MAX = 60
INSTRUCTION_MAX = 500
LOGO_MAX_BYTES = 256 * 1024
"""Largest accepted upload."""
LOGO_MAX_PIXELS = 4096 * 4096
"""Largest accepted image before decoding (a small file can claim a huge size)."""
LOGO_BOX = (512, 512)
"""A logo is scaled down to fit this box."""
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_LUMINANCE_MIDPOINT = 0.179
"""Relative luminance above which dark text reads better than white on the colour (WCAG)."""


@dataclass(frozen=True, slots=True)
class Logo:
    """A re-encoded logo: its bytes and content type."""

    data: bytes
    content_type: str


def clean_text(text: str, limit: int, what: str, *, multiline: bool = False) -> str:
    """Return a display text without control characters, or raise when it is too long."""
    allowed = {"\n"} if multiline else set()
    text = text.replace("\r\n", "\n")
    cleaned = "".join(c for c in text if c in allowed or unicodedata.category(c)[0] != "C").strip()
    if len(cleaned) > limit:
        raise InvalidRequest(f"The {what} must be at most {limit} characters long")
    return cleaned


def parse_colour(text: str) -> str:
    """Return a colour as `#rrggbb` (from `#rgb` or `#rrggbb`), or raise."""
    found = _COLOUR.fullmatch(text.strip())
    if found is None:
        raise InvalidRequest("The primary colour must be a hex colour like #1a55a6")
    digits = found.group(1).lower()
    if len(digits) == 3:  # noqa: PLR2004
        digits = "".join(d * 2 for d in digits)
    return f"#{digits}"


def text_colour_on(colour: str) -> str:
    """Return black or white, whichever reads better on a `#rrggbb` background."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]  # noqa: PLR2004
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > _LUMINANCE_MIDPOINT else "#ffffff"


def reencode_logo(upload: bytes) -> Logo:
    """Decode an uploaded PNG or JPEG and write it again, scaled to fit the logo box."""
    if not upload:
        raise InvalidRequest("Choose a PNG or JPEG file for the logo")
    if len(upload) > LOGO_MAX_BYTES:
        raise InvalidRequest(f"The logo must be at most {LOGO_MAX_BYTES // 1024} KB")
    try:
        with Image.open(io.BytesIO(upload), formats=list(LOGO_FORMATS)) as image:
            kind = image.format or ""
            if image.width * image.height > LOGO_MAX_PIXELS:
                raise InvalidRequest("The logo is too large in pixels; use one under 4096 x 4096")
            image.load()
            picture = image.copy()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidRequest("The logo must be a PNG or JPEG image") from None
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    if kind == "JPEG":
        picture.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    else:
        has_alpha = picture.mode in {"RGBA", "LA"} or "transparency" in picture.info
        picture.convert("RGBA" if has_alpha else "RGB").save(out, format="PNG", optimize=True)
    return Logo(out.getvalue(), LOGO_FORMATS.get(kind, "image/png"))
