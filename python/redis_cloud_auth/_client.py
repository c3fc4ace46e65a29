"""The HTTP client: ``Client`` (asyncio) and ``BlockingClient``."""

from __future__ import annotations

import dataclasses
import datetime
import json as _json
import sys
import typing

from . import _awaits  # noqa: F401  (the generated awaits wake through it)
from ._credentials import CredentialChain, Credentials
from ._errors import lifted, translated
from ._keys import ApiKeys
from ._native import redis_cloud_auth_ffi as _ffi
from ._verifier import SystemLogEntry

__all__ = [
    "AccountInfo",
    "ApiResponse",
    "BlockingClient",
    "Client",
    "KeyInfo",
    "Owner",
    "SystemLogPage",
]

CredentialsLike = typing.Union[ApiKeys, Credentials, CredentialChain, None]
_USER_AGENT = f"python/{sys.version_info.major}.{sys.version_info.minor}"


@lifted
@dataclasses.dataclass(frozen=True)
class Owner:
    """The owner of a user key."""

    name: str
    email: str


@lifted
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


@lifted
@dataclasses.dataclass(frozen=True)
class AccountInfo:
    """The account and the calling key, as ``GET /v1/`` answers."""

    id: int
    name: str
    created_timestamp: typing.Optional[str]
    updated_timestamp: typing.Optional[str]
    key: KeyInfo


@dataclasses.dataclass(frozen=True)
class SystemLogPage:
    """A page of the account's system log, newest first."""

    entries: list[SystemLogEntry]
    links: list[typing.Any]

    @classmethod
    def _of(cls, native: _ffi.SystemLogPage) -> SystemLogPage:
        entries = typing.cast("list[SystemLogEntry]", native.entries)  # lifted
        return cls(entries, [_json.loads(link) for link in native.links])


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
        for name, value in ((pair.name, pair.value) for pair in native.headers):
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        return cls(native.status, headers, _json.loads(native.json))


def _seconds(value: typing.Optional[float]) -> typing.Optional[datetime.timedelta]:
    return None if value is None else datetime.timedelta(seconds=value)


def _body(json: typing.Any) -> typing.Optional[str]:
    return None if json is None else _json.dumps(json)


@translated()
class _ClientBase:
    __slots__ = ("_inner",)

    # The generated class each subclass wraps.
    _NATIVE: typing.ClassVar[typing.Any]

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
        base, cap = retry_backoff if retry_backoff is not None else (None, None)
        options = _ffi.ClientOptions(
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
        native = self._NATIVE
        credentials = CredentialChain() if credentials is None else credentials
        makers = {ApiKeys: native, Credentials: native.from_credentials, CredentialChain: native.from_chain}
        make = next((make for kind, make in makers.items() if isinstance(credentials, kind)), None)
        if make is None:
            raise TypeError(f"expected ApiKeys, Credentials, CredentialChain or None, got {type(credentials).__name__}")
        self._inner = make(credentials._inner, options)

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


@translated()
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

    def account(self) -> AccountInfo:
        """The account and the calling key (``GET /``)."""
        return self._inner.account()

    def system_log(self, offset: int = 0, limit: int = 100) -> SystemLogPage:
        """A page of the account's system log (``GET /logs``), newest first;
        ``limit`` is 1 to 1000."""
        return SystemLogPage._of(self._inner.system_log(offset, limit))

    def request(self, method: str, path: str, json: typing.Any = None) -> ApiResponse:
        """Any request: ``path`` relative to the base URL (starting with
        ``/``), ``json`` an optional body. Non-2xx answers raise
        :class:`ClientError`."""
        return ApiResponse._of(self._inner.request(method, path, _body(json)))


@translated()
class Client(_ClientBase):
    """An asyncio client for the Redis Cloud API: every call is a coroutine;
    the network work runs on the library's own threads, never blocking the
    event loop. Retries as :class:`BlockingClient` does."""

    __slots__ = ()

    _NATIVE = _ffi.Client

    async def account(self) -> AccountInfo:
        """The account and the calling key (``GET /``)."""
        return await self._inner.account()

    async def system_log(self, offset: int = 0, limit: int = 100) -> SystemLogPage:
        """A page of the account's system log (``GET /logs``), newest first."""
        return SystemLogPage._of(await self._inner.system_log(offset, limit))

    async def request(self, method: str, path: str, json: typing.Any = None) -> ApiResponse:
        """Any request; see :meth:`BlockingClient.request`."""
        return ApiResponse._of(await self._inner.request(method, path, _body(json)))
