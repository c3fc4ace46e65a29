"""What the ASGI and WSGI middleware share: the one call into the verifier,
and the answer to a request that did not authenticate."""

from __future__ import annotations

import typing

from .._errors import AuthFailure
from .._verifier import Principal, Verifier

HeaderList = typing.Sequence[typing.Tuple[typing.Union[str, bytes], typing.Union[str, bytes]]]


def authenticate(verifier: Verifier, method: str, path: str, headers: HeaderList, peer: str) -> Principal:
    """Decides one request with the verifier's one call (core order:
    method, path, headers, peer).

    ``headers`` are ``(name, value)`` pairs, names as text (WSGI) or as
    bytes (ASGI); bytes are read as Latin-1, so a byte outside ASCII
    becomes a non-ASCII character and a malformed key, as the core reads
    it. The core reads the keys, repeated headers and trusted proxies."""
    pairs = typing.cast(typing.Sequence[typing.Tuple[str, str]], headers)
    if headers and isinstance(headers[0][0], bytes):
        pairs = [(_text(name), _text(value)) for name, value in headers]
    return verifier.authenticate(method, path, pairs, peer)


def _text(value: typing.Union[str, bytes]) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def failure_body(failure: AuthFailure) -> bytes:
    """The JSON body ``rcauth serve`` answers ``failure`` with, byte for
    byte, as the core renders it."""
    return failure.error_body.encode()


JSON_CONTENT_TYPE: typing.Final = "application/json"
