"""Names of the values that handlers receive by dependency injection."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency

from onetime.accounts import AccountService, Caller
from onetime.service import SecretService

SecretServiceDep: TypeAlias = NamedDependency[SecretService]
AccountServiceDep: TypeAlias = NamedDependency[AccountService]
CallerDep: TypeAlias = NamedDependency[Caller]
ClientAddressDep: TypeAlias = NamedDependency[str]
