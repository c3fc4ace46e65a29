"""What the ASGI and WSGI middleware share: the one call into the verifier,
and the answer to a request that did not authenticate."""

from __future__ import annotations

import json
import typing

from .._errors import AuthFailure
from .._keys import ACCOUNT_KEY_HEADER, USER_KEY_HEADER
from .._verifier import Principal, Verifier

HeaderList = typing.Sequence[typing.Tuple[typing.Union[str, bytes], typing.Union[str, bytes]]]

# The core's FORWARDED_FOR_HEADER: a request that carries it goes to the
# core's full reading, which decides whether the peer is a trusted proxy.
_FORWARDED_FOR = "x-forwarded-for"
_ACCOUNT_BYTES, _USER_BYTES, _FORWARDED_FOR_BYTES = (
    name.encode() for name in (ACCOUNT_KEY_HEADER, USER_KEY_HEADER, _FORWARDED_FOR)
)


def authenticate(verifier: Verifier, method: str, path: str, headers: HeaderList, peer: str) -> Principal:
    """Decides one request (core order: method, path, headers, peer).

    ``headers`` are ``(name, value)`` pairs, names as text (WSGI) or as
    bytes (ASGI). A request with each key header at most once and no
    ``X-Forwarded-For`` takes the verifier's lean entry with the two values
    (microseconds); any other takes the generated call with every header,
    where the core reads repeated headers and trusted proxies. Both apply
    the core's rules."""
    account_key = user_key = None
    accounts = users = 0
    forwarded = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == _ACCOUNT_BYTES or lowered == ACCOUNT_KEY_HEADER:
            account_key, accounts = value, accounts + 1
        elif lowered == _USER_BYTES or lowered == USER_KEY_HEADER:
            user_key, users = value, users + 1
        elif lowered == _FORWARDED_FOR_BYTES or lowered == _FORWARDED_FOR:
            forwarded = True
    if forwarded or accounts > 1 or users > 1:
        pairs = [(n.decode("latin-1") if isinstance(n, bytes) else n, v) for n, v in headers]
        return verifier.authenticate_headers(pairs, peer, method, path)
    return verifier.authenticate(_text(account_key), _text(user_key), peer, method, path)


def _text(value: typing.Union[str, bytes, None]) -> typing.Optional[str]:
    # Bytes outside ASCII become non-ASCII characters, malformed keys, as
    # the generated call reads them.
    return value.decode("latin-1") if isinstance(value, bytes) else value


def failure_body(failure: AuthFailure) -> bytes:
    """The JSON body ``rcauth serve`` answers ``failure`` with, byte for byte."""
    return json.dumps(failure.error_body(), separators=(",", ":")).encode()


JSON_CONTENT_TYPE: typing.Final = "application/json"
