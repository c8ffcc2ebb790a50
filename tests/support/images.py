"""Images for logo tests, written byte by byte: Pillow cannot write every kind a browser may upload."""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREY, RGB, GREY_ALPHA, RGBA = 0, 2, 4, 6


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _header(width: int, height: int, depth: int, colour_type: int) -> bytes:
    return _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0))


def grey16_png(width: int, height: int) -> bytes:
    """Return a 16-bit greyscale PNG (Pillow's mode I;16) with a gradient, compressed as small as it gets."""
    row = b"\x00" + b"".join(struct.pack(">H", (x * 257) & 0xFFFF) for x in range(width))
    pixels = zlib.compress(row * height, 9)
    return PNG_SIGNATURE + _header(width, height, 16, GREY) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def header_only_png(width: int, height: int, depth: int = 8, colour_type: int = RGBA) -> bytes:
    """Return a PNG that claims a size but holds no pixels: decoding it would fail, reading its header not."""
    return PNG_SIGNATURE + _header(width, height, depth, colour_type) + _chunk(b"IEND", b"")
