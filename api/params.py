"""Request parameters: the query string merged with a form, multipart or JSON body.

Values are read leniently, as text, and handed out as the parameters Structs of api/schemas.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import msgspec
from litestar import Request

from onetime.errors import InvalidRequest
from onetime.translations import N_

Value = str | list[str]


ParamsT = TypeVar("ParamsT", bound=msgspec.Struct)


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter, as a parameters Struct declares it (see api/schemas.py)."""

    attribute: str
    name: str
    """The name on the wire."""
    type: msgspec.inspect.Type
    """The declared type, without its annotations."""
    description: str | None
    required: bool

    @property
    def repeats(self) -> bool:
        """Return whether the parameter may be given several times (a list)."""
        return isinstance(self.type, msgspec.inspect.ListType)


@cache
def declared_params(kind: type[msgspec.Struct]) -> tuple[Param, ...]:
    """Return the parameters a Struct declares, in its field order."""
    info = msgspec.inspect.type_info(kind)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"{kind.__name__} is not a Struct")
    return tuple(_param(field) for field in info.fields)


def _param(field: msgspec.inspect.Field) -> Param:
    declared, description = field.type, None
    if isinstance(declared, msgspec.inspect.Metadata):
        description = (declared.extra_json_schema or {}).get("description")
        declared = declared.type
    return Param(field.name, field.encode_name, declared, description, field.required)


@dataclass(frozen=True, slots=True)
class Params:
    """Parameters by name; a name given several times keeps every value."""

    values: dict[str, Value]

    def read(self, kind: type[ParamsT]) -> ParamsT:
        """Return the parameters that `kind` declares; the others are ignored."""
        return kind(**{param.attribute: self._value(param) for param in declared_params(kind)})

    def _value(self, param: Param) -> str | list[str] | None:
        value = self.values.get(param.name)
        if param.repeats:  # every non-empty value
            found = value if isinstance(value, list) else [value] if value is not None else []
            return [item for item in found if item.strip()]
        if isinstance(value, list):  # the first, if repeated
            return value[0] if value else None
        return value


def _merge(values: dict[str, Value], name: str, value: str) -> None:
    name = name.removesuffix("[]")
    _check_text(name, value)
    existing = values.get(name)
    if existing is None:
        values[name] = value
    elif isinstance(existing, list):
        existing.append(value)
    else:
        values[name] = [existing, value]


def _check_text(name: str, value: str) -> None:
    try:
        value.encode()
    except UnicodeEncodeError:
        raise InvalidRequest(N_("Parameter %(name)s is not valid UTF-8 text"), name=name[:40]) from None


def _from_form(raw: bytes) -> list[tuple[str, str]]:
    try:
        text = raw.decode()
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict", max_num_fields=64)
    except UnicodeDecodeError:
        raise InvalidRequest(N_("The request body is not valid UTF-8")) from None
    except ValueError:
        raise InvalidRequest(N_("The request body has too many fields")) from None


def _scalar(name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidRequest(N_("Parameter %(name)s must be a string"), name=name[:40])


def _from_json(raw: bytes) -> list[tuple[str, str]]:
    try:
        document = msgspec.json.decode(raw) if raw.strip() else {}
    except msgspec.DecodeError:
        raise InvalidRequest(N_("The request body is not valid JSON")) from None
    except RecursionError:  # nested thousands deep: no parameter is, so refuse it, as the client's fault
        raise InvalidRequest(N_("The request body is nested too deeply")) from None
    if not isinstance(document, dict):
        raise InvalidRequest(N_("The request body must be a JSON object"))
    pairs: list[tuple[str, str]] = []
    for name, value in document.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            text = _scalar(name, item)
            if text is not None:
                pairs.append((name, text))
    return pairs


async def read_params(request: Request[Any, Any, Any]) -> Params:
    """Read the query string and the body into one set of parameters (the body wins)."""
    values: dict[str, Value] = {}
    try:
        query = parse_qsl(request.scope.get("query_string", b"").decode(), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InvalidRequest(N_("The query string is not valid UTF-8")) from None
    for name, value in query:
        _merge(values, name, value)
    body_values: dict[str, Value] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        for name, value in form.multi_items():
            if isinstance(value, str):
                _merge(body_values, name, value)
    else:
        raw = await request.body()
        pairs = _from_json(raw) if content_type.endswith("json") else _from_form(raw)
        for name, value in pairs:
            _merge(body_values, name, value)
    values.update(body_values)
    return Params(values)
