"""Exception classes of the package, one per error of the core, and how
generated errors, records and enums become the package's."""

from __future__ import annotations

import datetime
import functools
import inspect
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
_C = typing.TypeVar("_C", bound=type)


class RedisCloudAuthError(Exception):
    """Base class of every error raised by ``redis_cloud_auth``; its message
    (``str(error)``) comes from the core and never holds a secret."""

    code: str
    """Stable snake_case code, the same in every language."""

    def __init__(self, detail: str, *, code: str, **fields: typing.Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        vars(self).update(fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, detail={self.detail!r})"

    def __reduce__(self) -> typing.Any:  # copy and pickle (a worker process's error, say) keep the fields
        return _rebuilt, (type(self), self.detail, {k: v for k, v in vars(self).items() if k != "detail"})


def _rebuilt(cls: type[RedisCloudAuthError], detail: str, fields: dict[str, typing.Any]) -> RedisCloudAuthError:
    return cls(detail, **fields)


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
    error_body: str
    """The JSON body to answer with, as the core renders it for ``rcauth
    serve``: ``{"error", "message", "status"}`` (the public code, the
    public message, the HTTP status)."""


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


def _unpicklable(self: typing.Any) -> typing.NoReturn:
    raise TypeError(f"{type(self).__name__} objects are native handles and cannot be pickled")


def handle_type(cls: _C) -> _C:
    """A class whose objects own a native handle: a copy is the object itself (two would free it twice)."""
    cls.__reduce__ = _unpicklable  # type: ignore[assignment]
    cls.__copy__ = cls.__deepcopy__ = lambda self, *_: self  # type: ignore[attr-defined]
    return cls


for _generated in [c for c in vars(_ffi).values() if isinstance(c, type) and hasattr(c, "_uniffi_clone_handle")]:
    handle_type(_generated)

# The generated errors, named as the classes raised here.
_NATIVE_ERRORS: tuple[type[BaseException], ...] = tuple(getattr(_ffi, name) for name in __all__[1:])


def translate(error: BaseException) -> BaseException:
    """The exception of this package for a generated one (others unchanged),
    with the generated error's fields (its public methods), read once."""
    native = next((native for native in _NATIVE_ERRORS if isinstance(error, native)), None)
    if native is None:
        return error
    if native is _ffi.CredentialError:
        fields = dict(vars(error))
    else:
        names = [name for name in dir(native) if not name.startswith("_") and not hasattr(Exception, name)]
        fields = {name: getattr(error, name)() for name in names}
    if isinstance(fields.get("retry_after"), datetime.timedelta):
        fields["retry_after"] = fields["retry_after"].total_seconds()
    ours: type[RedisCloudAuthError] = globals()[native.__name__]
    return ours(fields.pop("detail"), **fields)


def translating(function: _F) -> _F:
    """Wraps ``function`` so that generated errors surface as this package's."""

    async def waiting(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        try:
            return await function(*args, **kwargs)
        except _NATIVE_ERRORS as error:
            raise translate(error) from None

    def calling(*args: typing.Any, **kwargs: typing.Any) -> typing.Any:
        try:
            return function(*args, **kwargs)
        except _NATIVE_ERRORS as error:
            raise translate(error) from None

    wrapper = waiting if inspect.iscoroutinefunction(function) else calling
    return typing.cast(_F, functools.wraps(function)(wrapper))


def translated(*skip: str) -> typing.Callable[[_C], _C]:
    """Applies :func:`translating` to ``__init__`` and every public method,
    classmethod and property of a class, but those named in ``skip``."""

    def wrap(cls: _C) -> _C:
        for name, member in list(vars(cls).items()):
            wrapped: typing.Any
            if name in skip or (name.startswith("_") and name != "__init__"):
                continue
            if isinstance(member, property):
                get, set_ = member.fget, member.fset
                wrapped = property(get and translating(get), set_ and translating(set_), doc=member.__doc__)
            elif isinstance(member, classmethod):
                wrapped = classmethod(translating(member.__func__))
            elif inspect.isfunction(member):
                wrapped = translating(member)
            else:
                continue
            setattr(cls, name, wrapped)
        return cls

    return wrap


def lifted(cls: _C) -> _C:
    """Has the generated code build ``cls`` wherever it builds its record or
    enum of the same name (it looks the name up on each call): an answer is
    read from Rust once, straight into this package's type."""
    setattr(_ffi, cls.__name__, cls)
    return cls
