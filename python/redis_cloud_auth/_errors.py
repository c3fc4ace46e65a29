"""Exception classes of the package, one per error of the core.

Every error has a stable ``code`` (the same in every language) and a
message (``str(error)``) that comes from the core and never holds a secret.
"""

from __future__ import annotations

import functools
import typing

from ._native import redis_cloud_auth_ffi as _ffi

__all__ = [
    "RedisCloudAuthError",
    "ApiKeyError",
    "HeaderError",
    "CredentialError",
    "AdminError",
    "AuthFailure",
    "ClientError",
]

_F = typing.TypeVar("_F", bound=typing.Callable[..., typing.Any])


class RedisCloudAuthError(Exception):
    """Base class of every error raised by ``redis_cloud_auth``."""

    code: str
    """Stable snake_case code, the same in every language."""

    def __init__(self, detail: str, *, code: str, **fields: typing.Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        for name, value in fields.items():
            setattr(self, name, value)

    def __str__(self) -> str:
        return self.detail

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r})"


class ApiKeyError(RedisCloudAuthError, ValueError):
    """A key value was rejected: empty, wrong length, or a character that is
    not visible ASCII. ``key`` says which key (a :class:`KeyKind`)."""

    key: typing.Any


class HeaderError(RedisCloudAuthError, ValueError):
    """The authentication headers of a request could not be read.
    ``header`` names the header."""

    header: str


class CredentialError(RedisCloudAuthError):
    """Credentials could not be loaded, saved or resolved."""


class AdminError(RedisCloudAuthError):
    """An admin operation of the verifier was refused (``not_found``,
    ``not_allowed``, ``invalid_name``, ``name_taken``, ``invalid_cidr``,
    ``allow_list_too_long``, ``randomness``, ``store_*``)."""


class AuthFailure(RedisCloudAuthError):
    """A request did not authenticate.

    ``str(failure)`` and ``code`` give the precise reason, for logs; answer
    the caller with only ``http_status`` and ``public_message``, in which an
    account mismatch reads like an invalid user key.
    """

    http_status: int
    """401, 403 (source IP outside the allow list, or unknown) or 503."""
    public_message: str
    """What the caller is shown."""
    public_code: str
    """The error code the caller is shown: ``unauthorized``, ``forbidden``,
    ``service_unavailable`` (or ``internal_error`` for an invalid peer)."""
    header: typing.Optional[str] = None
    """The header concerned, for ``missing_credentials`` and ``malformed_credentials``."""
    source_ip: typing.Optional[str] = None
    """The source IP, for ``source_ip_not_allowed``."""

    def error_body(self) -> dict[str, typing.Any]:
        """The JSON error body to answer with: ``{"error", "message", "status"}``
        (the public code, the public message, the HTTP status)."""
        return {"error": self.public_code, "message": self.public_message, "status": self.http_status}


class ClientError(RedisCloudAuthError):
    """A call to the API did not succeed (``unauthorized``, ``forbidden``,
    ``rate_limited``, ``not_found``, ``api_error``, ``timeout``,
    ``transport``, ``invalid_request``, ``credentials``)."""

    status: typing.Optional[int] = None
    """The HTTP status the server answered with, when there was one."""
    retry_after: typing.Optional[float] = None
    """Seconds the server asked to wait, on ``rate_limited``."""
    credential_code: typing.Optional[str] = None
    """The credential error's code, on ``credentials``."""


# Generated error base class -> the class raised here.
_CLASSES: list[tuple[type[BaseException], type[RedisCloudAuthError]]] = [
    (_ffi.ApiKeyError, ApiKeyError),
    (_ffi.HeaderError, HeaderError),
    (_ffi.CredentialError, CredentialError),
    (_ffi.AdminError, AdminError),
    (_ffi.AuthFailure, AuthFailure),
    (_ffi.ClientError, ClientError),
]

# Converts generated field values (enums) into this package's types.
_FIELD_CONVERTERS: dict[str, typing.Callable[[typing.Any], typing.Any]] = {}


def register(
    native: type[BaseException],
    ours: type[RedisCloudAuthError],
) -> None:
    """Maps one more generated error class to one of this package."""
    _CLASSES.append((native, ours))


def convert_field(name: str, converter: typing.Callable[[typing.Any], typing.Any]) -> None:
    """Converts the field ``name`` of every translated error with ``converter``."""
    _FIELD_CONVERTERS[name] = converter


def translate(error: BaseException) -> BaseException:
    """The exception of this package for a generated one (others unchanged)."""
    for native, ours in _CLASSES:
        if isinstance(error, native):
            fields = dict(vars(error))
            code = fields.pop("code")
            detail = fields.pop("detail")
            for name, value in fields.items():
                converter = _FIELD_CONVERTERS.get(name)
                if converter is not None and value is not None:
                    fields[name] = converter(value)
            if fields.get("status") == 0:
                fields["status"] = None
            return ours(detail, code=code, **fields)
    return error


def _native_errors() -> tuple[type[BaseException], ...]:
    return tuple(native for native, _ in _CLASSES)


def translating(function: _F) -> _F:
    """Wraps ``function`` so that generated errors surface as this package's."""

    @functools.wraps(function)
    def wrapper(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        try:
            return function(*args, **kwargs)
        except _native_errors() as error:
            raise translate(error) from None

    return typing.cast(_F, wrapper)


def translating_async(function: _F) -> _F:
    """:func:`translating` for coroutine functions."""

    @functools.wraps(function)
    async def wrapper(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        try:
            return await function(*args, **kwargs)
        except _native_errors() as error:
            raise translate(error) from None

    return typing.cast(_F, wrapper)
