"""Names of the values that handlers receive by dependency injection."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency

from onetime.accounts.caller import Caller
from onetime.accounts.service import AccountService
from onetime.secret_service import SecretService

SecretServiceDep: TypeAlias = NamedDependency[SecretService]
AccountServiceDep: TypeAlias = NamedDependency[AccountService]
CallerDep: TypeAlias = NamedDependency[Caller]
ClientAddressDep: TypeAlias = NamedDependency[str]
