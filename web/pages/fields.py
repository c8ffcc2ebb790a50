"""Reading the text fields of a posted form; every page's form reader uses these two."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict


def optional_text(form: FormMultiDict, name: str) -> str | None:
    """Return a posted text field; None when the form has no such field (or a file in its place)."""
    value = form.get(name)
    return value if isinstance(value, str) else None


def text(form: FormMultiDict, name: str) -> str:
    """Return a posted text field; "" when the form has no such field (or a file in its place)."""
    return optional_text(form, name) or ""
