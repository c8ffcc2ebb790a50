"""Reading a v2 request's parameters: a JSON object, or form fields whose names nest with brackets.

`secret[secret]=x&secret[ttl]=60&secret[recipient][]=a@b.c` reads as
`{"secret": {"secret": "x", "ttl": "60", "recipient": ["a@b.c"]}}`, as Rack reads it upstream.
A POST reads only its body and a GET only its query string: a passphrase or a value never has to
travel in a URL, where proxies and access logs keep it.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import msgspec
from litestar import Request

from api.v2.errors import FieldError, UnreadableBody

BodyT = TypeVar("BodyT", bound=msgspec.Struct)
MAX_FIELDS = 64
"""Form fields a request may carry; the largest v2 request has fewer than ten."""
MAX_DEPTH = 3
_NAME = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")

Tree = dict[str, Any]


def _path_of(name: str) -> list[str]:
    """Split `a[b][]` into ["a", "b", ""]; a name that does not nest is one step."""
    found = _NAME.fullmatch(name)
    if found is None:
        return [name]
    steps = [found.group(1)]
    if found.group(2):
        steps += found.group(2)[1:-1].split("][")
    if len(steps) > MAX_DEPTH + 1:
        raise UnreadableBody("A form field's name is nested too deeply")
    return steps


def _place(tree: Tree, name: str, value: str) -> None:
    *parents, last = _path_of(name)
    node = tree
    for step in parents[:-1] if last == "" else parents:
        child = node.setdefault(step, {})
        if not isinstance(child, dict):
            raise UnreadableBody("A form field is given both as a value and as a group")
        node = child
    if last == "":  # `name[]`: one item of a list
        items = node.setdefault(parents[-1], [])
        if not isinstance(items, list):
            raise UnreadableBody("A form field is given both as a value and as a list")
        items.append(value)
    elif isinstance(node.get(last), dict):
        raise UnreadableBody("A form field is given both as a value and as a group")
    else:
        node[last] = value  # a name given twice keeps its last value, as Rack does


def nest(pairs: list[tuple[str, str]]) -> Tree:
    """Return form fields as the nested object their names describe; a field without a name is ignored."""
    tree: Tree = {}
    for name, value in pairs:
        if name and not name.startswith("["):
            _place(tree, name, value)
    return tree


def _decode_form(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode(), keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise UnreadableBody("The request is not valid UTF-8") from None
    except ValueError:
        raise UnreadableBody("The request has too many fields") from None


def _decode_json(raw: bytes) -> Tree:
    try:
        document = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise UnreadableBody("The request body is not valid JSON") from None
    except RecursionError:
        raise UnreadableBody("The request body is nested too deeply") from None
    if not isinstance(document, dict):
        raise UnreadableBody("The request body must be a JSON object")
    return document


async def read_body(request: Request[Any, Any, Any]) -> Tree:
    """Return the parameters of a POST or PATCH body: JSON, a form, or a multipart form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        return nest([(name, value) for name, value in form.multi_items() if isinstance(value, str)])
    raw = await request.body()
    if not raw.strip():
        return {}
    # `curl -d '{...}'` sends JSON labelled as a form: an object is read as what it plainly is.
    if content_type.endswith("json") or raw.lstrip().startswith(b"{"):
        return _decode_json(raw)
    return nest(_decode_form(raw))


def read_query(request: Request[Any, Any, Any]) -> Tree:
    """Return the parameters of a GET: its query string."""
    return nest(_decode_form(request.scope.get("query_string", b"")))


def typed(tree: Tree, kind: type[BodyT]) -> BodyT:
    """Return the parameters as `kind` declares them (numbers may come as text); refuse the rest with a 422."""
    try:
        return msgspec.convert(tree, kind, strict=False)
    except msgspec.ValidationError as error:
        # msgspec names the path and the expected type, never the value given.
        _, located, path = str(error).rpartition(" - at `$.")
        field = path.rstrip("`").split(".")[-1].split("[")[0] if located else None
        raise FieldError(f"Incorrect payload format: {error}", field=field) from None
