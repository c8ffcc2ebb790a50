"""Generated passwords: every character class present, drawn from a CSPRNG, shuffled."""

from __future__ import annotations

import secrets
import string

from onetime.errors import InvalidRequest
from onetime.translations import N_

DEFAULT_LENGTH = 12
MAX_LENGTH = 128
_AMBIGUOUS = set("ilo1IO0")
CHARACTER_SETS = tuple(
    "".join(char for char in chars if char not in _AMBIGUOUS)
    for chars in (
        string.ascii_uppercase,
        string.ascii_lowercase,
        string.digits,
        "!@#$%^&*()_-+=[]{}|:;\"'<>,.?/~`",
    )
)
MIN_LENGTH = len(CHARACTER_SETS)
_ALL = "".join(CHARACTER_SETS)


def password_length(raw: object) -> int:
    """Return the requested length: default when missing or unreadable, at least one per set."""
    if raw is None or raw == "":
        return DEFAULT_LENGTH
    try:
        length = int(str(raw).strip())
    except ValueError:
        return DEFAULT_LENGTH
    if length > MAX_LENGTH:
        raise InvalidRequest(
            N_("Generated password length must be no more than %(count)s characters"), count=MAX_LENGTH
        )
    return max(length, MIN_LENGTH)


def generate_password(length: int = DEFAULT_LENGTH) -> str:
    """Return a random password of `length` characters with one from each character set."""
    chars = [secrets.choice(charset) for charset in CHARACTER_SETS]
    chars += [secrets.choice(_ALL) for _ in range(length - len(chars))]
    # Fisher-Yates with the CSPRNG, so the required characters land anywhere.
    for index in range(len(chars) - 1, 0, -1):
        other = secrets.randbelow(index + 1)
        chars[index], chars[other] = chars[other], chars[index]
    return "".join(chars)
