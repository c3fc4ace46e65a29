"""ApiKeys, and finding them in a request's headers."""

from __future__ import annotations

import enum
import typing

from ._errors import handle_type, lifted, translated, translating
from ._native import redis_cloud_auth_ffi as _ffi

__all__ = [
    "ACCOUNT_KEY_HEADER",
    "USER_KEY_HEADER",
    "ApiKeys",
    "KeyKind",
    "key_fingerprint",
    "parse_auth_headers",
]

ACCOUNT_KEY_HEADER: str = _ffi.account_key_header()
"""Header that carries the account key (``x-api-key``)."""
USER_KEY_HEADER: str = _ffi.user_key_header()
"""Header that carries the user key (``x-api-secret-key``)."""


@lifted
class KeyKind(str, enum.Enum):
    """Which of the two keys a message is about."""

    ACCOUNT = "account"
    """The account key, sent as ``x-api-key``."""
    USER = "user"
    """The personal user key, sent as ``x-api-secret-key``."""


_H = typing.TypeVar("_H", bound="_Holder")


@handle_type
class _Holder:
    """A generated object that holds secrets: compared by value, copied as itself, never pickled."""

    __slots__ = ("_inner",)
    _inner: typing.Any

    @classmethod
    def _wrap(cls: type[_H], inner: typing.Any) -> _H:
        held = cls.__new__(cls)
        held._inner = inner
        return held

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._inner == other._inner


@translated()
class ApiKeys(_Holder):
    """The account key and user key of a Redis Cloud API request, validated.

    ``repr`` and ``str`` show a fingerprint, never a key; reading a key is an
    explicit ``expose_*`` call.

    >>> keys = ApiKeys(account_key="AccountKey0123", user_key="UserKey0123456")
    >>> keys.fingerprint.startswith("sha256:")
    True
    """

    __slots__ = ()

    def __init__(self, account_key: str, user_key: str) -> None:
        """Validates both keys (surrounding whitespace is trimmed first);
        raises :class:`ApiKeyError`."""
        self._inner = _ffi.ApiKeys(account_key, user_key)

    @property
    def fingerprint(self) -> str:
        """Fingerprint of the pair (``sha256:`` and 12 hex digits), safe to log."""
        return self._inner.fingerprint()

    @property
    def account_fingerprint(self) -> str:
        """Fingerprint of the account key alone."""
        return self._inner.account_fingerprint()

    @property
    def user_fingerprint(self) -> str:
        """Fingerprint of the user key alone."""
        return self._inner.user_fingerprint()

    def expose_account_key(self) -> str:
        """The account key itself. Only for code that must send or store it."""
        return self._inner.expose_account_key()

    def expose_user_key(self) -> str:
        """The user key itself. Only for code that must send or store it."""
        return self._inner.expose_user_key()

    def expose_headers(self) -> dict[str, str]:
        """The two request headers, name to value, ``x-api-key`` first (the
        values are the keys), e.g. for ``requests``' ``headers=``."""
        return {pair.name: pair.value for pair in self._inner.expose_header_pairs()}

    def __hash__(self) -> int:
        return hash(self._inner)  # over the fingerprint, in Rust

    def __repr__(self) -> str:
        return str(self._inner)


HeaderValue = typing.Union[str, bytes]
Headers = typing.Union[
    typing.Mapping[str, HeaderValue], typing.Iterable[typing.Tuple[str, HeaderValue]]
]


def _header_pairs(headers: Headers) -> list[_ffi.HeaderPair]:
    items = headers.items() if isinstance(headers, typing.Mapping) else headers
    pairs = []
    for name, value in items:
        if isinstance(value, (bytes, bytearray)):
            # Bytes outside ASCII become non-ASCII characters: malformed keys.
            value = bytes(value).decode("latin-1")
        elif isinstance(value, str) and not value.isascii():
            # Text that is not UTF-8 (lone surrogates) likewise.
            value = value.encode("utf-8", "surrogatepass").decode("latin-1")
        pairs.append(_ffi.HeaderPair(name=name, value=value))
    return pairs


@translating
def parse_auth_headers(headers: Headers) -> ApiKeys:
    """Reads the keys from a request's headers, given as a mapping or as
    ``(name, value)`` pairs (repeated names are seen). Names match in any
    case; each header must appear once with a well-formed value; raises
    :class:`HeaderError`."""
    return ApiKeys._wrap(_ffi.parse_auth_headers(_header_pairs(headers)))


def key_fingerprint(value: str) -> str:
    """The non-secret fingerprint of one key value."""
    return _ffi.key_fingerprint(value)
