"""What a browser account's password must be: long, not common, not the email, hard to guess.

It may hold no control characters either. A password is compared in its NFKC form
(`normalize_password`), at sign-up and at every check, so the same password typed on another
keyboard or system (composed or decomposed accents, full-width letters) still matches.
An ASCII password is its own NFKC form, so hashes made before still verify.
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources

from zxcvbn import zxcvbn

from onetime.errors import PasswordRejected
from onetime.translations import N_

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
PASSWORD_MIN_SCORE = 3
"""The least zxcvbn score (0-4) a new password needs: 3 is "safely unguessable" (about 10^8 guesses)
and up, beyond what an online attacker can try under the sign-in limits."""
_ESTIMATED_LENGTH = 72
"""zxcvbn estimates only so many characters (and slows down past them); a password whose first 72
characters are hard to guess is hard to guess."""
_COMMON_PASSWORDS = "data/common-passwords.txt"


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of the most common passwords of 12 characters or more, lowercased."""
    text = resources.files("onetime").joinpath(_COMMON_PASSWORDS).read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("# "))


ZXCVBN_WARNINGS = (
    N_("Straight rows of keys are easy to guess"),
    N_("Short keyboard patterns are easy to guess"),
    N_('Repeats like "aaa" are easy to guess'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc"'),
    N_('Sequences like "abc" or "6543" are easy to guess'),
    N_("Recent years are easy to guess"),
    N_("Dates are often easy to guess"),
    N_("This is a top-10 common password"),
    N_("This is a top-100 common password"),
    N_("This is a very common password"),
    N_("This is similar to a commonly used password"),
    N_("A word by itself is easy to guess"),
    N_("Names and surnames by themselves are easy to guess"),
    N_("Common names and surnames are easy to guess"),
)
"""zxcvbn's warnings (English only, without their final stop) as "easy to guess (...)" quotes them:
listed for the catalogs, so each language says the hint in its own words."""


def normalize_password(password: str) -> str:
    """Return the form of a password that is hashed and checked (Unicode NFKC)."""
    return unicodedata.normalize("NFKC", password)


def check_password(password: str, email: str) -> None:
    """Refuse a new password that breaks a rule, with a message that says what to do instead.

    Too short or too long, control characters, one of the most common passwords, the email itself,
    or easy to guess by zxcvbn's estimate.
    """
    password = normalize_password(password)
    if len(password) < PASSWORD_MIN_LENGTH:
        raise PasswordRejected(N_("Choose a password of at least %(count)s characters."), count=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise PasswordRejected(N_("Choose a password of at most %(count)s characters."), count=PASSWORD_MAX_LENGTH)
    if any(unicodedata.category(character) in {"Cc", "Cs"} for character in password):
        raise PasswordRejected(
            N_("Use letters, digits, spaces and symbols only: no tabs, line breaks or control codes.")
        )
    folded = password.strip().lower()
    if folded in common_passwords():
        raise PasswordRejected(N_("This password is one of the most common ones. Choose another."))
    email = email.lower()
    if folded in {email, email.partition("@")[0]}:
        raise PasswordRejected(N_("Do not use your email address as your password."))
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=[email, *email.partition("@")[::2]])
    if estimate["score"] < PASSWORD_MIN_SCORE:
        hint = estimate["feedback"]["warning"]
        # zxcvbn's own hint is English only: it stays in the English words, and out of the others.
        if hint:
            raise PasswordRejected(
                N_(
                    "This password is easy to guess (%(hint)s). "
                    "Add a few uncommon words, or let a password manager make one."
                ),
                hint=hint.rstrip("."),
            )
        raise PasswordRejected(
            N_("This password is easy to guess. Add a few uncommon words, or let a password manager make one.")
        )
