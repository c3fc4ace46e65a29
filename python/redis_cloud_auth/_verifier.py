"""The verifier: accounts, owners and user keys, ``authenticate``, and the
system log, on an in-memory store or a SQLite file."""

from __future__ import annotations

import array
import ctypes
import dataclasses
import enum
import itertools
import os
import typing
import weakref

from ._errors import AuthFailure, handle_type, lifted, translated, translating
from ._keys import Headers, _header_pairs
from ._native import redis_cloud_auth_ffi as _ffi

__all__ = [
    "AuthRequest",
    "Principal",
    "Secret",
    "Role",
    "SystemLogEntry",
    "UserInfo",
    "UserKeyInfo",
    "Verifier",
]


@lifted
class Role(str, enum.Enum):
    """A user's role in an account; only owners hold user keys."""

    OWNER = "owner"
    MEMBER = "member"
    VIEWER = "viewer"
    BILLING_ADMIN = "billing-admin"
    LOGS_VIEWER = "logs-viewer"


@lifted
class Principal(typing.NamedTuple):
    """Who a request authenticated as: the account, the key's owner and
    name, and the source IP the verifier saw (after trusted proxies). Holds
    no secret."""

    account_id: int
    account_name: str
    user_id: int
    owner_name: str
    owner_email: str
    key_name: str
    source_ip: str


@lifted
@dataclasses.dataclass(frozen=True)
class UserInfo:
    """A user of an account."""

    id: int
    account_id: int
    name: str
    email: str
    role: Role


@lifted
@dataclasses.dataclass(frozen=True)
class UserKeyInfo:
    """A user key as listed: its name, owner and allow list, never its value."""

    name: str
    account_id: int
    owner_id: int
    owner_name: str
    owner_email: str
    allow_list: list[str]
    created_timestamp: str
    active: bool
    """False while the owner does not have the owner role."""


@lifted
@dataclasses.dataclass(frozen=True)
class SystemLogEntry:
    """One entry of an account's system log, newest first. Holds no secret."""

    id: int
    time: str
    originator: str
    api_key_name: typing.Optional[str]
    resource: str
    kind: str
    description: str


class AuthRequest(typing.NamedTuple):
    """One request to authenticate (for :meth:`Verifier.authenticate_many`):
    the arguments of :meth:`Verifier.authenticate`, in the same order."""

    method: str
    path: str
    headers: Headers
    peer: str


Secret = _ffi.Secret
"""A new key: ``str()`` and ``repr()`` show ``** redacted **``;
``expose()`` returns the text."""


# The lean C entry points of the library the generated module loaded, and
# the core's encoded outcome they return: redis_cloud_auth_fast_path.h.
class _Outcome(ctypes.Structure):
    """`RcaAuthOutcome`: the verifier's handle, and the principal's or failure's texts."""

    _fields_ = [
        ("handle", ctypes.c_uint64),
        ("account_id", ctypes.c_uint64),
        ("user_id", ctypes.c_uint64),
        ("text_len", ctypes.c_uint32),
        ("text", ctypes.c_char * 4096),
    ]


def _function(lib: ctypes.CDLL, name: str, restype: typing.Any, *argtypes: typing.Any) -> typing.Any:
    """``name`` of ``lib``. ``rca_authenticate`` goes without argtypes (cheapest): the request
    as bytes, its 32-bit shape as an int, the out-struct's address as a c_void_p made once."""
    function = getattr(lib, name)
    function.restype = restype
    if argtypes:
        function.argtypes = argtypes
    return function


# The library the generated module loaded: holding the GIL through the call
# (PyDLL) for the in-memory store, where a call takes about a microsecond
# and never waits; releasing it (CDLL) for SQLite and Redis, which may wait.
_PATH = _ffi._UniffiLib._name
_HOLDING_GIL = _function(ctypes.PyDLL(_PATH), "rca_authenticate", ctypes.c_int64)
_RELEASING_GIL = _function(ctypes.CDLL(_PATH), "rca_authenticate", ctypes.c_int64)
_MANY = _function(
    ctypes.CDLL(_PATH), "rca_authenticate_many", ctypes.c_int64,
    ctypes.c_uint64, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_void_p,
)
_RELEASE = _function(ctypes.PyDLL(_PATH), "rca_verifier_release", None, ctypes.c_uint64)

_KINDS = [(k.code, k.http_status, k.public_code) for k in _ffi.auth_failure_kinds()]
# Results at or below this are call errors, not outcomes.
_CALL_ERROR = -1001
# The call error for a buffer the entry cannot read: not UTF-8 where text is
# needed, or not as many fields as the header count says (one holds a NUL).
_UNREAD = -1002
_new_principal = tuple.__new__
_chain = itertools.chain.from_iterable
_TEXT_OFFSET = _Outcome.text.offset
# Principals kept by key serial in a list up to this serial, past it in a dict emptied at this many.
_KEPT_MAX = 1 << 17


def _new_outcome(handle: int) -> tuple[_Outcome, memoryview, ctypes.c_void_p]:
    """An out-struct for verifier ``handle``, a byte view of it, its address as a c_void_p."""
    out = _Outcome(handle)
    return out, memoryview(out).cast("B"), ctypes.c_void_p(ctypes.addressof(out))


def _texts(out: _Outcome, view: memoryview) -> list[str]:
    """The NUL-separated texts of an out-struct."""
    return view[_TEXT_OFFSET : _TEXT_OFFSET + out.text_len].tobytes().decode().split("\0")


@handle_type
@translated("authenticate", "authenticate_many")
class Verifier:
    """Decides whether requests authenticate, and manages the accounts,
    users and keys it decides with. Thread-safe.

    ``Verifier()`` keeps everything in memory; ``Verifier(path)`` (or
    :meth:`open_sqlite`) uses the SQLite file at ``path``, which several
    processes may share.
    """

    __slots__ = ("_inner", "_handle", "_outcomes", "_kept", "_principals", "_lean", "__weakref__")

    def __init__(self, path: typing.Union[str, os.PathLike, None] = None) -> None:
        inner = _ffi.Verifier.in_memory() if path is None else _ffi.Verifier.open_sqlite(os.fspath(path))
        self._attach(inner, _HOLDING_GIL if path is None else _RELEASING_GIL)

    def _attach(self, inner: typing.Any, lean: typing.Any) -> None:
        self._inner, self._lean = inner, lean
        self._handle = handle = inner.fast_path_handle()
        weakref.finalize(self, _RELEASE, handle)
        # Out-structs not in use: a call takes one and puts it back (pop and
        # append are atomic), so threads never share one.
        self._outcomes = [_new_outcome(handle)]
        # _kept[serial], or past _KEPT_MAX _principals[encoded outcome]: the Principal first
        # built for that key from the peer as given. A serial names one key's fields for the
        # verifier's life (counting up from 1 in each): never stale; operations are atomic.
        self._kept: list[typing.Optional[Principal]] = []
        self._principals: dict[int, Principal] = {}

    @classmethod
    def in_memory(cls) -> Verifier:
        """A verifier over a new, empty in-memory store."""
        return cls()

    @classmethod
    def open_sqlite(cls, path: typing.Union[str, os.PathLike]) -> Verifier:
        """A verifier over the SQLite file at ``path`` (created mode 0600)."""
        return cls(path)

    @classmethod
    def open_redis(cls, url: str) -> Verifier:
        """A verifier over the Redis store at ``url`` (``redis://HOST:PORT``),
        shared by a fleet of verifiers; calls release the GIL."""
        verifier = cls.__new__(cls)
        verifier._attach(_ffi.Verifier.open_redis(url), _RELEASING_GIL)
        return verifier

    def authenticate(self, method: str, path: str, headers: Headers, peer: str) -> Principal:
        """Decides whether a request authenticates: ``method`` and ``path``
        go to the system log, ``headers`` are all of the request's (a
        mapping or ``(name, value)`` pairs; the keys and, from a trusted
        proxy, ``X-Forwarded-For`` are read), ``peer`` is the address the
        connection came from. Returns the :class:`Principal`, or raises
        :class:`AuthFailure`."""
        # The request as the lean entry reads it; fields that are not text or
        # hold a NUL (the entry counts the NULs) take the generated call.
        try:
            if type(headers) is dict:
                fields = (method, path, peer, *_chain(headers.items()))
            else:
                if not isinstance(headers, (list, tuple, typing.Mapping)):
                    headers = list(headers)  # read once: the generated call may need them again
                items = headers.items() if isinstance(headers, typing.Mapping) else headers
                # Unpacked as pairs: an item of another length is the generated call's error.
                fields = (method, path, peer, *(field for name, value in items for field in (name, value)))
            data = "\0".join(fields).encode()
        except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
            return self._generated(method, path, headers, peer)
        size, count = len(data), (len(fields) - 3) >> 1
        if size >> 24 or count >> 8:  # the entry's shape, size << 8 | count, fits 32 bits
            return self._generated(method, path, headers, peer)
        outcomes = self._outcomes
        try:
            outcome = outcomes.pop()
        except IndexError:
            outcome = _new_outcome(self._handle)
        try:
            result = self._lean(data, size << 8 | count, outcome[2])
            if result >= 0:
                # From the peer as given (bit 0 clear), a key seen before needs nothing from the out-struct.
                try:
                    known = None if result & 1 else self._kept[result >> 1]
                except IndexError:  # past the list: in the dict, if kept
                    known = self._principals.get(result)
                if known is not None:
                    if known[6] == peer:
                        return known  # immutable: the same value again
                    return _new_principal(Principal, (*known[:6], peer))
                return self._principal(result, outcome)
            if result == _UNREAD:
                return self._generated(method, path, headers, peer)
            raise self._failure(result, outcome)
        finally:
            outcomes.append(outcome)

    @translating
    def _generated(self, method: str, path: str, headers: Headers, peer: str) -> Principal:
        """:meth:`authenticate` for fields that are bytes or hold a NUL."""
        return self._inner.authenticate(method, path, _header_pairs(headers), peer)

    def _principal(self, result: int, outcome: tuple[_Outcome, memoryview, ctypes.c_void_p]) -> Principal:
        """A principal read from the out-struct, kept by its key's serial."""
        out, view, _ = outcome
        account_name, owner_name, owner_email, key_name, source_ip = _texts(out, view)
        principal = _new_principal(
            Principal, (out.account_id, account_name, out.user_id, owner_name, owner_email, key_name, source_ip)
        )
        serial, kept = result >> 1, self._kept
        if not result & 1 and serial < _KEPT_MAX:
            kept.extend([None] * (serial + 1 - len(kept)))  # none if long enough (lengths only grow)
            kept[serial] = principal
        elif not result & 1:
            if len(self._principals) >= _KEPT_MAX:
                self._principals.clear()
            self._principals[result] = principal
        return principal

    @staticmethod
    def _failure(result: int, outcome: tuple[_Outcome, memoryview, ctypes.c_void_p]) -> BaseException:
        """The exception for a negative result."""
        if result <= _CALL_ERROR:
            return ValueError(f"the verifier could not read the request ({result})")
        out, view, _ = outcome
        code, http_status, public_code = _KINDS[-1 - result]
        detail, public, header, source_ip, body = _texts(out, view)
        return AuthFailure(
            detail, code=code, http_status=http_status, public_message=public, public_code=public_code,
            error_body=body, header=header or None, source_ip=source_ip or None,
        )

    def authenticate_many(self, requests: typing.Iterable[AuthRequest]) -> list[str]:
        """Authenticates each :class:`AuthRequest` (or ``(method, path,
        headers, peer)`` tuple) in one call; returns each one's code:
        ``"ok"`` or the failure's code."""
        requests = list(requests)
        fields: list[str] = []
        read: list[typing.Any] = []  # each request's header items (an iterator is read once)
        try:
            for method, path, headers, peer in requests:
                read.append(items := list(headers.items() if isinstance(headers, typing.Mapping) else headers))
                fields += (method, path, peer, str(len(items)))
                fields += (field for name, value in items for field in (name, value))
            data = "\0".join(fields).encode()
        except (TypeError, ValueError):  # the generated call says what is wrong
            data = None
        if data is None or data.count(0) != len(fields) - 1:  # the generated call reads them
            heads = read + [h for _, _, h, _ in requests[len(read) :]]
            native = [_ffi.AuthRequest(method=m, path=p, headers=_header_pairs(h), peer=r) for (m, p, _, r), h in zip(requests, heads)]
            return self._inner.authenticate_many(native)
        outcomes = array.array("q", bytes(8 * len(requests)))
        status = _MANY(self._handle, len(requests), data, len(data), outcomes.buffer_info()[0])
        if status != 0:
            raise ValueError(f"the verifier could not read the requests ({status})")
        return ["ok" if o >= 0 else _KINDS[-1 - o][0] for o in outcomes]

    def create_account(self, name: str) -> int:
        """Creates an account (API disabled) and returns its id."""
        return self._inner.create_account(name)

    def add_user(self, account_id: int, name: str, email: str, role: Role = Role.OWNER) -> int:
        """Adds a user to an account and returns the user's id."""
        return self._inner.add_user(account_id, name, email, Role(role))

    def set_user_role(self, account_id: int, user_id: int, role: Role) -> None:
        """Changes a user's role; the keys of a user who is no longer an
        owner stop authenticating until the role comes back."""
        self._inner.set_user_role(account_id, user_id, Role(role))

    def enable_api(self, account_id: int) -> typing.Optional[Secret]:
        """Enables the API. The first call creates the account key and
        returns it, the only time it can be read; later calls return None."""
        return self._inner.enable_api(account_id)

    def disable_api(self, account_id: int) -> None:
        """Disables the API: every request of the account fails."""
        self._inner.disable_api(account_id)

    def rotate_account_key(self, account_id: int) -> Secret:
        """Replaces the account key and returns the new one, once."""
        return self._inner.rotate_account_key(account_id)

    def create_user_key(
        self, account_id: int, acting_user_id: int, owner_id: int, name: str, allow_list: typing.Iterable[str]
    ) -> Secret:
        """Creates a user key named ``name`` (10 to 50 letters, digits, ``-``
        and ``_``) for ``owner_id`` and returns it, once. ``acting_user_id``
        and ``owner_id`` must be owners of the account; ``allow_list`` holds
        CIDRs (empty allows every source)."""
        return self._inner.create_user_key(account_id, acting_user_id, owner_id, name, list(allow_list))

    def set_allow_list(
        self, account_id: int, acting_user_id: int, name: str, allow_list: typing.Iterable[str]
    ) -> None:
        """Replaces a user key's allow list."""
        self._inner.set_allow_list(account_id, acting_user_id, name, list(allow_list))

    def delete_user_key(self, account_id: int, acting_user_id: int, name: str) -> None:
        """Deletes a user key; once this returns it never authenticates again."""
        self._inner.delete_user_key(account_id, acting_user_id, name)

    def list_user_keys(self, account_id: int) -> list[UserKeyInfo]:
        """The account's user keys, by name; never a key value."""
        return self._inner.list_user_keys(account_id)

    def list_users(self, account_id: int) -> list[UserInfo]:
        """The account's users, by id."""
        return self._inner.list_users(account_id)

    def api_enabled(self, account_id: int) -> bool:
        """Whether the account has the API enabled."""
        return self._inner.api_enabled(account_id)

    def system_log(self, account_id: int, offset: int = 0, limit: int = 100) -> list[SystemLogEntry]:
        """The account's system log, newest first: ``limit`` entries (at
        most 1000) after skipping ``offset``."""
        return self._inner.system_log(account_id, offset, limit)

    def flush_system_log(self) -> None:
        """Waits until every queued system-log entry is in the store."""
        self._inner.flush_system_log()

    @property
    def trusted_proxies(self) -> list[str]:
        """Proxies whose ``X-Forwarded-For`` is believed: CIDRs or bare IP addresses."""
        return self._inner.trusted_proxies()

    @trusted_proxies.setter
    def trusted_proxies(self, proxies: typing.Iterable[str]) -> None:
        self._inner.set_trusted_proxies(list(proxies))

    def __repr__(self) -> str:
        return f"Verifier({self._inner!r})"
