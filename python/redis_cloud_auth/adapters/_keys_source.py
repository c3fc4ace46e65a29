"""The keys a client adapter sends: given, or found by a credential chain."""

from __future__ import annotations

import typing

from .._credentials import CredentialChain, Credentials
from .._errors import translating
from .._keys import ApiKeys

KeysLike = typing.Union[ApiKeys, Credentials, CredentialChain, None]
"""What a client adapter is built from; ``None`` is the default chain."""


@translating
def resolve(credentials: KeysLike) -> tuple[ApiKeys, typing.Optional[str]]:
    """The keys, and the base URL when the credentials carry one."""
    if isinstance(credentials, ApiKeys):
        return credentials, None
    if isinstance(credentials, Credentials):
        return credentials.keys, credentials.base_url
    if credentials is None:
        credentials = CredentialChain()
    if isinstance(credentials, CredentialChain):
        found = credentials.resolve().credentials
        return found.keys, found.base_url
    raise TypeError(
        f"expected ApiKeys, Credentials, CredentialChain or None, got {type(credentials).__name__}"
    )
