"""Names of the values that handlers receive by dependency injection."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency

from api.params import Params
from onetime.accounts import AccountService, Caller
from onetime.service import SecretService

SecretServiceDep: TypeAlias = NamedDependency[SecretService]
AccountServiceDep: TypeAlias = NamedDependency[AccountService]
CallerDep: TypeAlias = NamedDependency[Caller]
ParamsDep: TypeAlias = NamedDependency[Params]
ClientAddressDep: TypeAlias = NamedDependency[str]
