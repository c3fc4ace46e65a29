"""The keys a client adapter sends: given, or found by a credential chain."""

from __future__ import annotations

import typing

from .._credentials import CredentialChain, Credentials
from .._keys import ApiKeys

KeysLike = typing.Union[ApiKeys, Credentials, CredentialChain, None]
"""What a client adapter is built from; ``None`` is the default chain."""


class KeysAuth:
    """What both client adapters hold: the keys, and the base URL their
    credentials carry."""

    def __init__(self, credentials: KeysLike = None) -> None:
        """From :class:`~redis_cloud_auth.ApiKeys`,
        :class:`~redis_cloud_auth.Credentials`, a
        :class:`~redis_cloud_auth.CredentialChain`, or nothing (the default
        chain: environment, profile file, keychain). Raises
        :class:`~redis_cloud_auth.CredentialError` when the chain finds nothing."""
        self._base_url: typing.Optional[str] = None
        if credentials is None:
            credentials = CredentialChain()
        if isinstance(credentials, CredentialChain):
            credentials = credentials.resolve().credentials
        if isinstance(credentials, Credentials):
            self._base_url = credentials.base_url
            credentials = credentials.keys
        if not isinstance(credentials, ApiKeys):
            raise TypeError(
                f"expected ApiKeys, Credentials, CredentialChain or None, got {type(credentials).__name__}"
            )
        self._keys = credentials

    @property
    def base_url(self) -> typing.Optional[str]:
        """The API base URL the credentials carry (``None`` when they carry none)."""
        return self._base_url

    @property
    def fingerprint(self) -> str:
        """Fingerprint of the keys, safe to log."""
        return self._keys.fingerprint

    def __repr__(self) -> str:
        return f"ApiKeysAuth({self._keys.fingerprint})"
