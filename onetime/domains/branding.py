"""A custom domain's brand: checked display name, colour, instruction texts, and a re-encoded logo.

BRANDING_FIELDS is the one list of what a brand holds (besides its logo): the domain checks
values by it, storage converts by it, and the faces offer its fields.

Nothing a customer uploads is served as given: a logo is decoded and written again by Pillow
(PNG or JPEG only, never SVG, which can carry scripts), so only pixels reach a visitor.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from PIL import Image, UnidentifiedImageError

from onetime.errors import InvalidRequest
from onetime.translations import N_

NAME_MAX = 60
INSTRUCTION_MAX = 500
LOGO_MAX_BYTES = 256 * 1024
"""Largest accepted upload."""
LOGO_MAX_SIDE = 4096
"""Longest accepted side, read from the header before decoding (a small file can claim a huge size)."""
LOGO_MAX_PIXELS = 16_000_000
"""Most pixels accepted, read from the header before decoding."""
LOGO_DECODE_BUDGET = 64 * 1024 * 1024
"""Most memory one logo may take while it is decoded and converted (the decoded image plus an RGBA copy)."""
_CONVERTED_BYTES_PER_PIXEL = 4
"""The RGB or RGBA copy every logo is converted to (Pillow keeps RGB in four bytes too)."""
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
"""Bytes per pixel Pillow decodes each mode into; every other mode takes four."""
_SIXTEEN_BIT_GREY = frozenset({"I;16", "I;16B", "I;16L", "I;16N", "I"})
LOGO_BOX = (512, 512)
"""A logo is scaled down to fit this box."""
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_LUMINANCE_MIDPOINT = 0.179
"""Relative luminance above which dark text reads better than white on the colour (WCAG)."""


COLOUR_MAX = len("#rrggbb")
"""Longest colour a form accepts."""
BrandingKind = Literal["text", "colour", "switch"]


@dataclass(frozen=True, slots=True)
class BrandingField:
    """One value of a brand: how it is named, offered and checked."""

    name: str
    """Its attribute on Branding and BrandingChange, and its form field."""
    label: str
    """What a form calls it."""
    summary: str
    """What it does, in a few words (the command line's help)."""
    kind: BrandingKind
    """`text`, `colour` (`#rrggbb`) or `switch` (on or off)."""
    max_length: int = 0
    """Longest accepted text or colour (0 for a switch)."""
    multiline: bool = False
    """Whether the text may hold line breaks."""
    noun: str = ""
    """How an error message names it."""
    hint: str = ""
    """A form's help below the field ("" for none)."""

    def clean(self, value: str | bool) -> str | bool:
        """Return the value as stored: a text without control characters, `#rrggbb`, or a switch; or raise."""
        if self.kind == "switch":
            return bool(value)
        typed = str(value)
        if self.kind == "colour":
            return parse_colour(typed) if typed.strip() else ""
        return clean_text(typed, self.max_length, self.noun, multiline=self.multiline)


BRANDING_FIELDS = (
    BrandingField(
        name="display_name",
        label=N_("Display name"),
        summary="display name shown instead of the product's",
        kind="text",
        max_length=NAME_MAX,
        noun=N_("display name"),
        hint=N_("Shown instead of the product's name. Empty: the domain."),
    ),
    BrandingField(
        name="primary_colour",
        label=N_("Primary colour"),
        summary='primary colour, "#rrggbb" ("" for the default)',
        kind="colour",
        max_length=COLOUR_MAX,
        noun=N_("primary colour"),
        hint=N_("A hex colour like #1a55a6, for buttons and the name. Empty: the default."),
    ),
    BrandingField(
        name="before_reveal",
        label=N_("Text before the secret is revealed"),
        summary="text on the page before the secret is revealed",
        kind="text",
        max_length=INSTRUCTION_MAX,
        multiline=True,
        noun=N_("text shown before reveal"),
    ),
    BrandingField(
        name="on_reveal",
        label=N_("Text shown with the revealed secret"),
        summary="text shown with the revealed secret",
        kind="text",
        max_length=INSTRUCTION_MAX,
        multiline=True,
        noun=N_("text shown on reveal"),
    ),
    BrandingField(
        name="after_reveal",
        label=N_("Text shown below the revealed secret"),
        summary="text shown below the revealed secret",
        kind="text",
        max_length=INSTRUCTION_MAX,
        multiline=True,
        noun=N_("text shown after reveal"),
    ),
    BrandingField(
        name="public_homepage",
        label=N_("Allow anyone to create secrets on this domain (a public home page)"),
        summary="serve the page that creates secrets on the domain",
        kind="switch",
        noun=N_("public home page"),
    ),
)
"""What a brand holds besides its logo, in the order forms show it."""


@dataclass(frozen=True, slots=True)
class Branding:
    """How a custom domain presents itself to recipients (one attribute per BRANDING_FIELDS entry)."""

    display_name: str = ""
    primary_colour: str = ""
    """`#rrggbb`, or "" for the site's own colour."""
    before_reveal: str = ""
    on_reveal: str = ""
    after_reveal: str = ""
    public_homepage: bool = False
    """Whether the domain also serves the page that creates secrets."""
    logo_version: str = ""
    """A digest of the logo (changes its URL when it changes); "" when there is none."""
    logo_type: str = ""


@dataclass(frozen=True, slots=True)
class BrandingChange:
    """New branding values (one attribute per BRANDING_FIELDS entry); None leaves a value as it is."""

    display_name: str | None = None
    primary_colour: str | None = None
    before_reveal: str | None = None
    on_reveal: str | None = None
    after_reveal: str | None = None
    public_homepage: bool | None = None
    logo: bytes | None = None
    """An uploaded PNG or JPEG, re-encoded before it is stored."""

    @classmethod
    def of_values(cls, values: Mapping[str, str | bool]) -> BrandingChange:
        """Return the change that sets each BRANDING_FIELDS value found in `values` (by field name)."""
        return cls(**{field.name: values[field.name] for field in BRANDING_FIELDS if field.name in values})  # type: ignore[arg-type]

    def checked(self) -> dict[str, str | bool]:
        """Return the values that change, checked and cleaned, by field name; or raise on the first bad one."""
        found: dict[str, str | bool] = {}
        for field in BRANDING_FIELDS:
            value = getattr(self, field.name)
            if value is not None:
                found[field.name] = field.clean(value)
        return found


@dataclass(frozen=True, slots=True)
class Logo:
    """A re-encoded logo: its bytes and content type."""

    data: bytes
    content_type: str

    @property
    def version(self) -> str:
        """Return a short digest of the logo, which changes its URL whenever it changes."""
        return hashlib.sha256(self.data).hexdigest()[:16]


def clean_text(text: str, limit: int, what: str, *, multiline: bool = False) -> str:
    """Return a display text without control characters, or raise when it is too long."""
    allowed = {"\n"} if multiline else set()
    text = text.replace("\r\n", "\n")
    cleaned = "".join(c for c in text if c in allowed or unicodedata.category(c)[0] != "C").strip()
    if len(cleaned) > limit:
        raise InvalidRequest(N_("The %(what)s must be at most %(limit)s characters long"), what=what, limit=limit)
    return cleaned


def parse_colour(text: str) -> str:
    """Return a colour as `#rrggbb` (from `#rgb` or `#rrggbb`), or raise."""
    found = _COLOUR.fullmatch(text.strip())
    if found is None:
        raise InvalidRequest(N_("The primary colour must be a hex colour like #1a55a6"))
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


def check_logo_upload(upload: bytes) -> None:
    """Refuse an empty or oversized upload (cheap checks, before anything is counted or decoded)."""
    if not upload:
        raise InvalidRequest(N_("Choose a PNG or JPEG file for the logo"))
    if len(upload) > LOGO_MAX_BYTES:
        raise InvalidRequest(N_("The logo must be at most %(size)s KB"), size=LOGO_MAX_BYTES // 1024)


def _check_decoded_size(width: int, height: int, mode: str) -> None:
    """Refuse an image whose decoding would take too much memory, from its header alone."""
    bytes_per_pixel = _BYTES_PER_PIXEL.get(mode, 4) + _CONVERTED_BYTES_PER_PIXEL
    most_pixels = min(LOGO_MAX_PIXELS, LOGO_DECODE_BUDGET // bytes_per_pixel)
    if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
        raise InvalidRequest(
            N_("The logo is too large in pixels (%(width)s x %(height)s); use one of at most %(side)s pixels a side"),
            width=width,
            height=height,
            side=LOGO_MAX_SIDE,
        )
    if width * height > most_pixels:
        side = math.isqrt(most_pixels)
        raise InvalidRequest(
            N_(
                "The logo is too large in pixels (%(width)s x %(height)s); use one of at most %(side)s x %(side)s"
                " (the logo is shown at most %(box_width)s x %(box_height)s)"
            ),
            width=width,
            height=height,
            side=side,
            box_width=LOGO_BOX[0],
            box_height=LOGO_BOX[1],
        )


def _eight_bit(image: Image.Image) -> Image.Image:
    """Return the image as RGB, or RGBA when it has transparency: the modes thumbnails and writers take."""
    if image.mode in _SIXTEEN_BIT_GREY:
        # 16-bit grey keeps its top 8 bits; Pillow cannot reduce or write it as it is.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    has_alpha = "A" in image.getbands() or "a" in image.mode or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def reencode_logo(upload: bytes) -> Logo:
    """Decode an uploaded PNG or JPEG and write it again as RGB(A), scaled to fit the logo box.

    The header is read first and an image that would take too much memory is refused before
    any pixel is decoded. This blocks for up to a few hundred milliseconds: call it off the event
    loop (DomainService does).
    """
    check_logo_upload(upload)
    try:
        with Image.open(io.BytesIO(upload), formats=list(LOGO_FORMATS)) as image:
            kind = image.format or ""
            _check_decoded_size(image.width, image.height, image.mode)
            if kind == "JPEG":
                # A JPEG can be decoded at 1/2 to 1/8 scale, which is all the box needs.
                image.draft("RGB", (LOGO_BOX[0] * 2, LOGO_BOX[1] * 2))
            image.load()
            mode = image.mode
            picture = _fitted(image)
    except Image.DecompressionBombError:
        raise InvalidRequest(
            N_("The logo is too large in pixels; use one of at most %(side)s x %(side)s"), side=LOGO_MAX_SIDE
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidRequest(N_("The logo must be a PNG or JPEG image")) from None
    if picture is None:
        raise InvalidRequest(
            N_("This logo's pixel format (%(mode)s) cannot be used; save it as an 8-bit RGB or RGBA PNG"), mode=mode
        )
    out = io.BytesIO()
    if kind == "JPEG":
        picture.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    else:
        picture.save(out, format="PNG", optimize=True)
    return Logo(out.getvalue(), LOGO_FORMATS.get(kind, "image/png"))


def _fitted(image: Image.Image) -> Image.Image | None:
    """Return the decoded image as RGB(A) scaled to fit the logo box, or None for a mode Pillow cannot convert."""
    try:
        picture = _eight_bit(image)
        picture.thumbnail(LOGO_BOX)
    except (ValueError, OSError):
        return None
    return picture
