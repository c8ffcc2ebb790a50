"""What the OpenAPI schema says of v1 beyond the handlers' signatures: request and error bodies.

The v1 handlers read their parameters themselves (query string merged with a form, multipart or
JSON body, as the contract requires), so Litestar cannot infer the bodies; these operations
describe them from the parameters Structs of api/schemas.py, the declarations the reader follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import msgspec
from litestar.enums import MediaType
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema

from api.errors import INTENDED_STATUS_HEADER
from api.params import declared_params
from api.schemas import Error

FORM = "application/x-www-form-urlencoded"
V1_ERRORS = {
    404: ResponseSpec(
        data_container=Error,
        description="Every v1 error: the message (and secret_key for unknown keys); "
        f"the real class of the error is in the {INTENDED_STATUS_HEADER} header",
        generate_examples=False,
    )
}


def _schema(declared: msgspec.inspect.Type, description: str | None = None) -> Schema:
    if isinstance(declared, msgspec.inspect.UnionType):
        # A number may arrive as text (v1 clients send strings); the schema documents the number.
        members = [member for member in declared.types if not isinstance(member, msgspec.inspect.NoneType)]
        numbers = [member for member in members if isinstance(member, msgspec.inspect.IntType)]
        return _schema((numbers or members)[0], description)
    if isinstance(declared, msgspec.inspect.IntType):
        return Schema(type=OpenAPIType.INTEGER, maximum=declared.le, description=description)
    if isinstance(declared, msgspec.inspect.StrType):
        return Schema(type=OpenAPIType.STRING, description=description)
    if isinstance(declared, msgspec.inspect.ListType):
        return Schema(type=OpenAPIType.ARRAY, items=_schema(declared.item_type), description=description)
    raise TypeError(f"no OpenAPI schema for a parameter of type {declared!r}")


def request_body(kind: type[msgspec.Struct]) -> RequestBody:
    """Describe a parameters Struct as a form or JSON body."""
    params = declared_params(kind)
    required = [param.name for param in params if param.required]
    schema = Schema(
        type=OpenAPIType.OBJECT,
        properties={param.name: _schema(param.type, param.description) for param in params},
        required=required or None,
    )
    media = OpenAPIMediaType(schema=schema)
    return RequestBody(content={FORM: media, MediaType.JSON.value: media}, required=bool(required))


@cache
def reads(kind: type[msgspec.Struct]) -> type[Operation]:
    """Return the operation class of a handler that reads the parameters `kind` declares."""
    body = request_body(kind)

    @dataclass
    class BodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    BodyOperation.__name__ = BodyOperation.__qualname__ = f"{kind.__name__}Operation"
    BodyOperation.__doc__ = f"An operation whose body is {kind.__name__}."
    return BodyOperation
