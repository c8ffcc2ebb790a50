"""What the OpenAPI schema says of v2 beyond the handlers' signatures: request bodies and errors.

The v2 handlers read their bodies themselves (JSON, or form fields with nested names), so
Litestar cannot infer them; these operations describe them from the Structs of api/v2/requests.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import msgspec
from litestar.enums import MediaType
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Reference, RequestBody, Schema

from api.v2.errors import ErrorBody

FORM = "application/x-www-form-urlencoded"
_ERROR_STATUSES = {
    400: "The request could not be read",
    401: "Credentials are missing or wrong (a wrong Authorization header is refused, not ignored)",
    403: "Anonymous creation is not allowed here (OTS_CREATE), or this server only reveals (OTS_MODE=read)",
    404: "Unknown or consumed secret or receipt; unknown path or method",
    413: "The request body is too large",
    422: "A parameter is refused; `field` names it",
    429: "Too many requests or passphrase guesses; see `retry_after` and the Retry-After header",
    503: "Storage is unavailable",
}
V2_ERRORS = {
    status: ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)
    for status, description in _ERROR_STATUSES.items()
}
_SCALARS = {
    msgspec.inspect.IntType: OpenAPIType.INTEGER,
    msgspec.inspect.FloatType: OpenAPIType.NUMBER,
    msgspec.inspect.StrType: OpenAPIType.STRING,
    msgspec.inspect.BoolType: OpenAPIType.BOOLEAN,
}


def schema_of(declared: msgspec.inspect.Type, description: str | None = None) -> Schema:  # noqa: PLR0911
    """Describe a declared parameter type (Structs nest) as an OpenAPI schema."""
    if isinstance(declared, msgspec.inspect.Metadata):
        found = (declared.extra_json_schema or {}).get("description")
        return schema_of(declared.type, description or found)
    if isinstance(declared, msgspec.inspect.UnionType):
        members = [member for member in declared.types if not isinstance(member, msgspec.inspect.NoneType)]
        if len(members) == 1:
            return schema_of(members[0], description)
        return Schema(any_of=[schema_of(member) for member in members], description=description)
    if isinstance(declared, msgspec.inspect.StructType):
        properties: dict[str, Reference | Schema] = {
            field.encode_name: schema_of(field.type) for field in declared.fields
        }
        required = [field.encode_name for field in declared.fields if field.required]
        return Schema(
            type=OpenAPIType.OBJECT, properties=properties, required=required or None, description=description
        )
    if isinstance(declared, msgspec.inspect.ListType):
        return Schema(type=OpenAPIType.ARRAY, items=schema_of(declared.item_type), description=description)
    if isinstance(declared, msgspec.inspect.DictType):
        return Schema(
            type=OpenAPIType.OBJECT, additional_properties=schema_of(declared.value_type), description=description
        )
    for kind, openapi_type in _SCALARS.items():
        if isinstance(declared, kind):
            return Schema(type=openapi_type, description=description)
    raise TypeError(f"no OpenAPI schema for a parameter of type {declared!r}")


@cache
def body_of(kind: type[msgspec.Struct]) -> type[Operation]:
    """Return the operation class of a handler whose body is `kind` (as JSON, or as nested form fields)."""
    media = OpenAPIMediaType(schema=schema_of(msgspec.inspect.type_info(kind)))
    body = RequestBody(content={MediaType.JSON.value: media, FORM: media}, required=False)

    @dataclass
    class BodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    BodyOperation.__name__ = BodyOperation.__qualname__ = f"V2{kind.__name__}Operation"
    BodyOperation.__doc__ = f"A v2 operation whose body is {kind.__name__}."
    return BodyOperation
