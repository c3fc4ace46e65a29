"""What the ASGI and WSGI middleware share: the one call into the verifier,
and the answer to a request that did not authenticate."""

from __future__ import annotations

import json
import typing

from .._errors import AuthFailure
from .._keys import Headers
from .._verifier import Principal, Verifier


def authenticate(verifier: Verifier, method: str, path: str, headers: Headers, peer: str) -> Principal:
    """Decides one request (core order: method, path, headers, peer)."""
    return verifier.authenticate_headers(headers, peer, method, path)


def failure_body(failure: AuthFailure) -> bytes:
    """The JSON body ``rcauth serve`` answers ``failure`` with, byte for byte."""
    return json.dumps(failure.error_body(), separators=(",", ":")).encode()


JSON_CONTENT_TYPE: typing.Final = "application/json"
