"""The HTTP client: ``Client`` (asyncio) and ``BlockingClient``."""

from __future__ import annotations

import dataclasses
import datetime
import json as _json
import sys
import typing

from ._credentials import CredentialChain, Credentials
from ._errors import convert_field, translating, translating_async
from ._keys import ApiKeys
from ._native import redis_cloud_auth_ffi as _ffi
from ._verifier import SystemLogEntry, _record

__all__ = [
    "AccountInfo",
    "ApiResponse",
    "BlockingClient",
    "Client",
    "KeyInfo",
    "Owner",
    "SystemLogPage",
]

convert_field("retry_after", lambda d: d.total_seconds())

CredentialsLike = typing.Union[ApiKeys, Credentials, CredentialChain, None]
_USER_AGENT = f"python/{sys.version_info.major}.{sys.version_info.minor}"


@dataclasses.dataclass(frozen=True)
class Owner:
    """The owner of a user key."""

    name: str
    email: str


@dataclasses.dataclass(frozen=True)
class KeyInfo:
    """The user key a request used (never its value)."""

    name: str
    account_id: int
    account_name: str
    allowed_source_ips: list[str]
    created_timestamp: typing.Optional[str]
    owner: Owner
    http_source_ip: typing.Optional[str]
    """The source IP the server saw."""


@dataclasses.dataclass(frozen=True)
class AccountInfo:
    """The account and the calling key, as ``GET /v1/`` answers."""

    id: int
    name: str
    created_timestamp: typing.Optional[str]
    updated_timestamp: typing.Optional[str]
    key: KeyInfo

    @classmethod
    def _of(cls, native: _ffi.AccountInfo) -> AccountInfo:
        k = native.key
        key = KeyInfo(
            name=k.name,
            account_id=k.account_id,
            account_name=k.account_name,
            allowed_source_ips=list(k.allowed_source_ips),
            created_timestamp=k.created_timestamp,
            owner=Owner(name=k.owner.name, email=k.owner.email),
            http_source_ip=k.http_source_ip,
        )
        return cls(native.id, native.name, native.created_timestamp, native.updated_timestamp, key)


@dataclasses.dataclass(frozen=True)
class SystemLogPage:
    """A page of the account's system log, newest first."""

    entries: list[SystemLogEntry]
    links: list[typing.Any]

    @classmethod
    def _of(cls, native: _ffi.SystemLogPage) -> SystemLogPage:
        return cls(
            entries=[_record(SystemLogEntry, e) for e in native.entries],
            links=[_json.loads(link) for link in native.links],
        )


@dataclasses.dataclass(frozen=True)
class ApiResponse:
    """A successful answer to :meth:`Client.request`."""

    status: int
    headers: dict[str, str]
    """Response headers (lower-case names), authentication headers removed."""
    json: typing.Any
    """The body parsed as JSON; ``None`` for an empty body."""

    @classmethod
    def _of(cls, native: _ffi.ApiResponse) -> ApiResponse:
        headers: dict[str, str] = {}
        for pair in native.headers:
            headers[pair.name] = (
                f"{headers[pair.name]}, {pair.value}" if pair.name in headers else pair.value
            )
        return cls(native.status, headers, _json.loads(native.json))


def _seconds(value: typing.Optional[float]) -> typing.Optional[datetime.timedelta]:
    return None if value is None else datetime.timedelta(seconds=value)


def _options(
    base_url: typing.Optional[str],
    timeout: typing.Optional[float],
    connect_timeout: typing.Optional[float],
    max_retries: typing.Optional[int],
    retry_backoff: typing.Optional[typing.Tuple[float, float]],
    max_retry_after: typing.Optional[float],
    user_agent_suffix: typing.Optional[str],
    rate_limit_per_minute: typing.Optional[int],
) -> _ffi.ClientOptions:
    base, cap = retry_backoff if retry_backoff is not None else (None, None)
    return _ffi.ClientOptions(
        base_url=base_url,
        timeout=_seconds(timeout),
        connect_timeout=_seconds(connect_timeout),
        max_retries=max_retries,
        retry_backoff_base=_seconds(base),
        retry_backoff_cap=_seconds(cap),
        max_retry_after=_seconds(max_retry_after),
        user_agent_suffix=user_agent_suffix,
        rate_limit_per_minute=rate_limit_per_minute,
    )


def _build(native_class: typing.Any, credentials: CredentialsLike, options: _ffi.ClientOptions) -> typing.Any:
    if credentials is None:
        return native_class.from_chain(CredentialChain()._inner, options)
    if isinstance(credentials, ApiKeys):
        return native_class(credentials._inner, options)
    if isinstance(credentials, Credentials):
        return native_class.from_credentials(credentials._inner, options)
    if isinstance(credentials, CredentialChain):
        return native_class.from_chain(credentials._inner, options)
    raise TypeError(
        f"expected ApiKeys, Credentials, CredentialChain or None, got {type(credentials).__name__}"
    )


def _body(json: typing.Any) -> typing.Optional[str]:
    return None if json is None else _json.dumps(json)


class _ClientBase:
    __slots__ = ("_inner",)

    @translating
    def __init__(
        self,
        credentials: CredentialsLike = None,
        *,
        base_url: typing.Optional[str] = None,
        timeout: typing.Optional[float] = None,
        connect_timeout: typing.Optional[float] = None,
        max_retries: typing.Optional[int] = None,
        retry_backoff: typing.Optional[typing.Tuple[float, float]] = None,
        max_retry_after: typing.Optional[float] = None,
        user_agent_suffix: typing.Optional[str] = _USER_AGENT,
        rate_limit_per_minute: typing.Optional[int] = None,
    ) -> None:
        """``credentials`` are :class:`ApiKeys`, :class:`Credentials` (with
        their base URL), a :class:`CredentialChain`, or ``None`` for the
        default chain. Times are in seconds; ``retry_backoff`` is ``(first
        wait, longest wait)``. Raises :class:`ClientError` (``credentials``
        or ``invalid_request``)."""
        options = _options(
            base_url,
            timeout,
            connect_timeout,
            max_retries,
            retry_backoff,
            max_retry_after,
            user_agent_suffix,
            rate_limit_per_minute,
        )
        self._inner = _build(self._NATIVE, credentials, options)

    # The generated class each subclass wraps.
    _NATIVE: typing.ClassVar[typing.Any]

    @property
    def base_url(self) -> str:
        """The base URL requests go to."""
        return self._inner.base_url()

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the keys in use, safe to log."""
        return self._inner.fingerprint()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, keys={self.fingerprint!r})"


class BlockingClient(_ClientBase):
    """A client for the Redis Cloud API whose calls block (and release the
    GIL while they wait). Retries 429, 5xx and connection failures with
    backoff, honouring the server's retry-after.

    >>> client = BlockingClient(ApiKeys("AccountKey0123", "UserKey0123456"),
    ...                         base_url="http://127.0.0.1:9/v1")
    >>> client.base_url
    'http://127.0.0.1:9/v1'
    """

    __slots__ = ()

    _NATIVE = _ffi.BlockingClient

    @translating
    def account(self) -> AccountInfo:
        """The account and the calling key (``GET /``)."""
        return AccountInfo._of(self._inner.account())

    @translating
    def system_log(self, offset: int = 0, limit: int = 100) -> SystemLogPage:
        """A page of the account's system log (``GET /logs``), newest first;
        ``limit`` is 1 to 1000."""
        return SystemLogPage._of(self._inner.system_log(offset, limit))

    @translating
    def request(self, method: str, path: str, json: typing.Any = None) -> ApiResponse:
        """Any request: ``path`` relative to the base URL (starting with
        ``/``), ``json`` an optional body. Non-2xx answers raise
        :class:`ClientError`."""
        return ApiResponse._of(self._inner.request(method, path, _body(json)))


class Client(_ClientBase):
    """An asyncio client for the Redis Cloud API: every call is a coroutine;
    the network work runs on the library's own threads, never blocking the
    event loop. Retries as :class:`BlockingClient` does."""

    __slots__ = ()

    _NATIVE = _ffi.Client

    @translating_async
    async def account(self) -> AccountInfo:
        """The account and the calling key (``GET /``)."""
        return AccountInfo._of(await self._inner.account())

    @translating_async
    async def system_log(self, offset: int = 0, limit: int = 100) -> SystemLogPage:
        """A page of the account's system log (``GET /logs``), newest first."""
        return SystemLogPage._of(await self._inner.system_log(offset, limit))

    @translating_async
    async def request(self, method: str, path: str, json: typing.Any = None) -> ApiResponse:
        """Any request; see :meth:`BlockingClient.request`."""
        return ApiResponse._of(await self._inner.request(method, path, _body(json)))
