"""HTTP Basic authentication of API callers, exactly as the v1 contract describes."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from litestar import Request

from onetime.accounts.caller import Caller
from onetime.accounts.service import AccountService
from onetime.errors import NotAuthorized


async def authenticate(request: Request[Any, Any, Any], account_service: AccountService) -> Caller:
    """Return the anonymous caller without credentials; with any, they must be right."""
    header = request.headers.get("authorization")
    if header is None:
        return account_service.anonymous()
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise NotAuthorized
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise NotAuthorized from None
    custid, separator, token = decoded.partition(":")
    if not separator or not custid or not token:
        raise NotAuthorized
    return await account_service.authenticate(custid, token)
