"""Redis Cloud API keys for ``requests``: ``requests.get(url, auth=ApiKeysAuth())``.

Needs the ``requests`` extra: ``pip install redis-cloud-auth[requests]``.
"""

from __future__ import annotations

import typing
import urllib.parse

import requests

from .._keys import ACCOUNT_KEY_HEADER, USER_KEY_HEADER
from . import _keys_source

__all__ = ["ApiKeysAuth"]

_HEADER_NAMES = (ACCOUNT_KEY_HEADER, USER_KEY_HEADER)


class ApiKeysAuth(_keys_source.KeysAuth, requests.auth.AuthBase):
    """Adds the ``x-api-key`` and ``x-api-secret-key`` headers to each
    request; a redirect to another origin does not carry them. ``repr``
    shows a fingerprint, never a key."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(self._keys.expose_headers())
        request.register_hook("response", _drop_keys_on_cross_origin_redirect)
        return request

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApiKeysAuth):
            return NotImplemented
        return self._keys == other._keys  # no __hash__: unhashable


def _origin(url: typing.Optional[str]) -> tuple[str, typing.Optional[str], typing.Optional[int]]:
    parts = urllib.parse.urlsplit(url or "")
    return parts.scheme, parts.hostname, parts.port


def _drop_keys_on_cross_origin_redirect(
    response: requests.Response, *args: typing.Any, **kwargs: typing.Any
) -> requests.Response:
    # requests copies every header but Authorization onto the redirected
    # request, which it builds from this one: take the keys out first when
    # the next hop is another origin.
    if response.is_redirect and response.request is not None:
        request = response.request
        target = urllib.parse.urljoin(request.url or "", response.headers["location"])
        if _origin(target) != _origin(request.url):
            for name in _HEADER_NAMES:
                request.headers.pop(name, None)
    return response
