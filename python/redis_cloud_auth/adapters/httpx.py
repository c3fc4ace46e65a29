"""Redis Cloud API keys for ``httpx``: ``httpx.Client(auth=ApiKeysAuth())``,
the same with ``httpx.AsyncClient``.

Needs the ``httpx`` extra: ``pip install redis-cloud-auth[httpx]``.
"""

from __future__ import annotations

import typing

import httpx

from . import _keys_source

__all__ = ["ApiKeysAuth"]


class ApiKeysAuth(_keys_source.KeysAuth, httpx.Auth):
    """Adds the ``x-api-key`` and ``x-api-secret-key`` headers to each
    request, for sync and async clients alike. ``repr`` shows a fingerprint,
    never a key. httpx copies these headers onto a followed redirect (it
    strips only ``Authorization``): leave ``follow_redirects`` off, its
    default, for clients that carry keys."""

    def auth_flow(self, request: httpx.Request) -> typing.Generator[httpx.Request, httpx.Response, None]:
        """Sends ``request`` once, with the two headers."""
        request.headers.update(self._keys.expose_headers())
        yield request
