"""Redis Cloud API keys for ``httpx``: ``httpx.Client(auth=ApiKeysAuth())``,
the same with ``httpx.AsyncClient``.

Needs the ``httpx`` extra: ``pip install redis-cloud-auth[httpx]``.
"""

from __future__ import annotations

import typing

import httpx

from . import _keys_source

__all__ = ["ApiKeysAuth"]


class ApiKeysAuth(httpx.Auth):
    """Adds the ``x-api-key`` and ``x-api-secret-key`` headers to each
    request, for sync and async clients alike.

    Built from :class:`~redis_cloud_auth.ApiKeys`,
    :class:`~redis_cloud_auth.Credentials`, a
    :class:`~redis_cloud_auth.CredentialChain`, or nothing (the default
    chain: environment, profile file, keychain). ``repr`` shows a
    fingerprint, never a key. httpx copies these headers onto a followed
    redirect (it strips only ``Authorization``): leave ``follow_redirects``
    off, its default, for clients that carry keys.
    """

    def __init__(self, credentials: _keys_source.KeysLike = None) -> None:
        """Raises :class:`~redis_cloud_auth.CredentialError` when the chain finds nothing."""
        self._keys, self._base_url = _keys_source.resolve(credentials)

    @property
    def base_url(self) -> typing.Optional[str]:
        """The API base URL the credentials carry (``None`` when they carry none)."""
        return self._base_url

    @property
    def fingerprint(self) -> str:
        """Fingerprint of the keys, safe to log."""
        return self._keys.fingerprint

    def auth_flow(self, request: httpx.Request) -> typing.Generator[httpx.Request, httpx.Response, None]:
        """Sends ``request`` once, with the two headers."""
        request.headers.update(self._keys.expose_headers())
        yield request

    def __repr__(self) -> str:
        return f"ApiKeysAuth({self._keys.fingerprint})"
