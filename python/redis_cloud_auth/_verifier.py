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

from ._errors import AuthFailure, translating
from ._keys import Headers, _header_pairs
from ._native import redis_cloud_auth_ffi as _ffi

__all__ = [
    "Principal",
    "Role",
    "SystemLogEntry",
    "UserInfo",
    "UserKeyInfo",
    "Verifier",
]


class Role(str, enum.Enum):
    """A user's role in an account; only owners hold user keys."""

    OWNER = "owner"
    MEMBER = "member"
    VIEWER = "viewer"
    BILLING_ADMIN = "billing-admin"
    LOGS_VIEWER = "logs-viewer"

    def _native(self) -> _ffi.Role:
        return _ffi.Role[self.name]


class Principal:
    """Who a request authenticated as. Holds no secret."""

    # The account, owner and key fields in one tuple, shared by every
    # Principal of the same key (the verifier caches it by the key's
    # serial), and the source IP of this request.
    __slots__ = ("_fields", "_source_ip")

    _fields: tuple
    _source_ip: str

    @classmethod
    def _of(cls, native: _ffi.Principal) -> Principal:
        principal = cls.__new__(cls)
        principal._fields = (
            native.account_id,
            native.user_id,
            native.account_name,
            native.owner_name,
            native.owner_email,
            native.key_name,
        )
        principal._source_ip = native.source_ip
        return principal

    @property
    def account_id(self) -> int:
        """The account."""
        return self._fields[0]

    @property
    def user_id(self) -> int:
        """The key owner's user id."""
        return self._fields[1]

    @property
    def account_name(self) -> str:
        """The account's name."""
        return self._fields[2]

    @property
    def owner_name(self) -> str:
        """The key owner's name."""
        return self._fields[3]

    @property
    def owner_email(self) -> str:
        """The key owner's email."""
        return self._fields[4]

    @property
    def key_name(self) -> str:
        """The user key's name."""
        return self._fields[5]

    @property
    def source_ip(self) -> str:
        """The source IP the verifier saw (after trusted proxies)."""
        return self._source_ip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Principal):
            return NotImplemented
        return self._fields == other._fields and self._source_ip == other._source_ip

    def __hash__(self) -> int:
        return hash((self._fields, self._source_ip))

    def __repr__(self) -> str:
        return (
            f"Principal(account_id={self.account_id}, account_name={self.account_name!r}, "
            f"user_id={self.user_id}, owner_name={self.owner_name!r}, "
            f"owner_email={self.owner_email!r}, key_name={self.key_name!r}, "
            f"source_ip={self.source_ip!r})"
        )


@dataclasses.dataclass(frozen=True)
class UserInfo:
    """A user of an account."""

    id: int
    account_id: int
    name: str
    email: str
    role: Role


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


def _record(cls: type, native: typing.Any) -> typing.Any:
    return cls(**{f.name: getattr(native, f.name) for f in dataclasses.fields(cls)})


# The lean C entry points of the same library the generated module loaded.
class _Outcome(ctypes.Structure):
    """`RcaAuthOutcome` of bindings/ffi/include/redis_cloud_auth_fast_path.h."""

    _fields_ = [
        ("account_id", ctypes.c_uint64),
        ("user_id", ctypes.c_uint64),
        ("http_status", ctypes.c_uint32),
        ("text_len", ctypes.c_uint32),
        ("text", ctypes.c_char * 4096),
    ]


class _EntryPoints:
    """The lean C entry points, with their argument types set once."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.authenticate = lib.rca_verifier_authenticate
        self.authenticate.restype = ctypes.c_int32
        self.authenticate.argtypes = [
            ctypes.c_uint64,
            *(ctypes.c_char_p, ctypes.c_size_t) * 5,  # account key, user key, peer, method, path
            ctypes.c_void_p,
        ]
        self.joined = lib.rca_verifier_authenticate_joined
        self.joined.restype = ctypes.c_int32
        self.joined.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p]
        # Called without argtypes, the cheapest ctypes call: the handle as
        # a c_uint64 and the out-struct's address as a c_void_p made once,
        # the texts as bytes, their length as a C int (below 2**31).
        self.keyed = lib.rca_verifier_authenticate_keyed
        self.keyed.restype = ctypes.c_int64
        self.batch = lib.rca_verifier_authenticate_batch
        self.batch.restype = ctypes.c_int32
        self.batch.argtypes = [
            ctypes.c_uint64,
            ctypes.c_size_t,
            *(ctypes.c_char_p, ctypes.c_size_t) * 3,  # fields, method, path
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]


# The library the generated module loaded, twice: holding the GIL through
# the call (PyDLL) for the in-memory store, where a call takes about a
# microsecond and never waits; releasing it (CDLL) for SQLite, where a call
# may read the file to pick up another process's changes.
_LIB = ctypes.PyDLL(_ffi._UniffiLib._name)
_HOLDING_GIL = _EntryPoints(_LIB)
_RELEASING_GIL = _EntryPoints(ctypes.CDLL(_ffi._UniffiLib._name))
_AUTHENTICATE = _HOLDING_GIL.authenticate
_JOINED = _HOLDING_GIL.joined
_KEYED = _HOLDING_GIL.keyed
_BATCH = _HOLDING_GIL.batch
_RELEASE = _LIB.rca_verifier_release
_RELEASE.restype = None
_RELEASE.argtypes = [ctypes.c_uint64]

_FAILURE_CODES: list[str] = ["ok", *_ffi.auth_failure_codes()]
_CALL_ERRORS = {
    -1: "a required pointer was null",
    -2: "the method or path is not UTF-8",
    -3: "internal error in the verifier",
    -4: "an argument is too long",
    -5: "the principal does not fit the result buffer",
}
_ENCODED: dict[str, bytes] = {}
_new_principal = object.__new__
_TEXT_OFFSET = _Outcome.text.offset
# rca_verifier_authenticate_keyed: results from here up are successes.
_PRINCIPAL_MIN = 1 << 16
# Longest joined request it takes (its length is a C int).
_KEYED_MAX = (1 << 31) - 1
# Principals cached per verifier, by key serial; emptied when full.
_PRINCIPALS_MAX = 1 << 17


def _encoded(text: str) -> bytes:
    """Method and path bytes, cached for the few distinct values servers use."""
    found = _ENCODED.get(text)
    if found is None:
        found = text.encode("utf-8", "surrogatepass")
        if len(_ENCODED) < 1024:
            _ENCODED[text] = found
    return found


def _new_outcome() -> tuple[_Outcome, memoryview, int, ctypes.c_void_p]:
    """An out-struct, a byte view of it, and its address (as an int, and as
    a c_void_p for calls without argtypes)."""
    out = _Outcome()
    address = ctypes.addressof(out)
    return out, memoryview(out).cast("B"), address, ctypes.c_void_p(address)


def _texts(out: _Outcome, view: memoryview) -> list[str]:
    """The NUL-separated texts of an out-struct."""
    return view[_TEXT_OFFSET : _TEXT_OFFSET + out.text_len].tobytes().decode().split("\0")


def _principal(out: _Outcome, view: memoryview) -> tuple[tuple, str]:
    """The fields and the source IP of a principal in an out-struct."""
    account_name, owner_name, owner_email, key_name, source_ip = _texts(out, view)
    return (out.account_id, out.user_id, account_name, owner_name, owner_email, key_name), source_ip


def _call_error(code: int) -> ValueError:
    return ValueError(_CALL_ERRORS.get(code, f"verifier call failed ({code})"))


def _failure(code: int, out: _Outcome, view: memoryview) -> BaseException:
    """The exception for a nonzero result of the C entry point."""
    if code < 0:
        return _call_error(code)
    detail, public, public_code, header, source_ip = _texts(out, view)
    return AuthFailure(
        detail,
        code=_FAILURE_CODES[code],
        http_status=out.http_status,
        public_message=public,
        public_code=public_code,
        header=header or None,
        source_ip=source_ip or None,
    )


def _utf8(value: typing.Union[str, bytes, None]) -> typing.Optional[bytes]:
    if value is None or isinstance(value, bytes):
        return value
    return value.encode("utf-8", "surrogatepass")


class Verifier:
    """Decides whether requests authenticate, and manages the accounts,
    users and keys it decides with. Thread-safe.

    ``Verifier()`` keeps everything in memory; ``Verifier(path)`` (or
    :meth:`open_sqlite`) uses the SQLite file at ``path``, which several
    processes may share.
    """

    __slots__ = (
        "_inner",
        "_handle",
        "_handle_arg",
        "_outcomes",
        "_principals",
        "_entry",
        "_keyed",
        "__weakref__",
    )

    @translating
    def __init__(self, path: typing.Union[str, os.PathLike, None] = None) -> None:
        if path is None:
            self._attach(_ffi.Verifier.in_memory(), _HOLDING_GIL)
        else:
            self._attach(_ffi.Verifier.open_sqlite(os.fspath(path)), _RELEASING_GIL)

    def _attach(self, inner: typing.Any, entry: typing.Any) -> None:
        self._inner = inner
        self._entry = entry
        self._keyed = entry.keyed
        self._handle = self._inner.fast_path_handle()
        self._handle_arg = ctypes.c_uint64(self._handle)
        weakref.finalize(self, _RELEASE, self._handle)
        # Out-structs not in use: a call takes one and puts it back after
        # reading it, so threads never share one (pop and append are atomic).
        self._outcomes = [_new_outcome()]
        # Keyed result with bit 0 clear (the key serial, shifted) to the
        # Principal first built for the key. A serial names one key's
        # account, owner and key fields for the life of the process (a key
        # created again, or reloaded from the store, gets a new one), so
        # entries never go stale; those of deleted keys go when the cache,
        # full, is emptied.
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
    @translating
    def open_redis(cls, url: str) -> Verifier:
        """A verifier over the Redis store at ``url`` (``redis://HOST:PORT``),
        shared by a fleet of verifiers. Calls may wait on Redis, so they
        release the GIL."""
        verifier = cls.__new__(cls)
        verifier._attach(_ffi.Verifier.open_redis(url), _RELEASING_GIL)
        return verifier

    # Authentication

    def authenticate(
        self,
        account_key: typing.Union[str, bytes, None],
        user_key: typing.Union[str, bytes, None],
        peer: str,
        method: str = "GET",
        path: str = "/",
    ) -> Principal:
        """Decides whether a request with these keys (the ``x-api-key`` and
        ``x-api-secret-key`` values; ``None`` for an absent header), from
        the address ``peer``, authenticates. ``method`` and ``path`` go to
        the system log. Returns the :class:`Principal`, or raises
        :class:`AuthFailure`."""
        try:
            # One buffer, one pointer: the cheapest ctypes call.
            data = "\0".join((account_key, user_key, peer, method, path)).encode()  # type: ignore[arg-type]
        except (TypeError, UnicodeEncodeError):
            data = None  # absent keys, bytes, or text that is not UTF-8
        outcomes = self._outcomes
        try:
            outcome = outcomes.pop()
        except IndexError:
            outcome = _new_outcome()
        if data is not None and (size := len(data)) <= _KEYED_MAX:
            result = self._keyed(self._handle_arg, data, size, outcome[3])
            if result >= _PRINCIPAL_MIN and not result & 1:
                # Authenticated from the peer as given: a key seen before
                # needs nothing from the out-struct. (The cache is keyed by
                # the result with bit 0 clear, which names the key.)
                known = self._principals.get(result)
                if known is not None:
                    outcomes.append(outcome)
                    if known._source_ip == peer:
                        return known  # immutable: the same value again
                    principal = _new_principal(Principal)
                    principal._fields = known._fields
                    principal._source_ip = peer
                    return principal
        else:
            result = -4
        try:
            return self._decided(result, outcome, account_key, user_key, peer, method, path)
        finally:
            outcomes.append(outcome)

    def _decided(
        self,
        result: int,
        outcome: tuple[_Outcome, memoryview, int, ctypes.c_void_p],
        account_key: typing.Union[str, bytes, None],
        user_key: typing.Union[str, bytes, None],
        peer: typing.Union[str, bytes],
        method: str,
        path: str,
    ) -> Principal:
        """The rest of :meth:`authenticate`: a principal not in the cache
        (or from another source IP than the peer), a failure, or the call
        with five separate fields."""
        out, view, address, _ = outcome
        if result == -4:
            # Five separate fields (some absent, bytes, or holding a NUL).
            result = self._authenticate_fields(account_key, user_key, peer, method, path, address)
            if result == 0:
                principal = _new_principal(Principal)
                principal._fields, principal._source_ip = _principal(out, view)
                return principal
        if result < _PRINCIPAL_MIN:
            raise _failure(result, out, view)
        principal = _new_principal(Principal)
        fields, principal._source_ip = _principal(out, view)
        principals = self._principals
        serial = result & ~1
        known = principals.get(serial)
        principal._fields = fields if known is None else known._fields
        if known is None:
            if len(principals) >= _PRINCIPALS_MAX:
                principals.clear()
            principals[serial] = principal
        return principal

    def _authenticate_fields(
        self,
        account_key: typing.Union[str, bytes, None],
        user_key: typing.Union[str, bytes, None],
        peer: typing.Union[str, bytes],
        method: str,
        path: str,
        address: int,
    ) -> int:
        ak, uk, ip = _utf8(account_key), _utf8(user_key), _utf8(peer)
        m, p = _encoded(method), _encoded(path)
        return self._entry.authenticate(
            self._handle,
            ak,
            0 if ak is None else len(ak),
            uk,
            0 if uk is None else len(uk),
            ip,
            0 if ip is None else len(ip),
            m,
            len(m),
            p,
            len(p),
            address,
        )

    def authenticate_many(
        self,
        requests: typing.Iterable[typing.Tuple[str, str, str]],
        method: str = "GET",
        path: str = "/",
    ) -> list[str]:
        """Authenticates many ``(account_key, user_key, peer)`` requests in
        one call; returns each one's code: ``"ok"`` or the failure's code."""
        requests = list(requests)
        count = len(requests)
        if count == 0:
            return []
        codes = array.array("i", bytes(4 * count))
        try:
            data = "\0".join(itertools.chain.from_iterable(requests)).encode()
        except (TypeError, UnicodeEncodeError):
            data = None
        m, p = _encoded(method), _encoded(path)
        if data is not None:
            status = self._entry.batch(
                self._handle, count, data, len(data), m, len(m), p, len(p),
                codes.buffer_info()[0], None,
            )
        else:
            status = -4
        if status == -4:
            # A field held a NUL or was not text: one call per request.
            return [self._code_of(*request, method=method, path=path) for request in requests]
        if status != 0:
            raise _call_error(status)
        names = _FAILURE_CODES
        result = []
        for code in codes:
            if code < 0:
                raise _call_error(code)
            result.append(names[code])
        return result

    def _code_of(self, account_key, user_key, peer, *, method: str, path: str) -> str:
        try:
            self.authenticate(account_key, user_key, peer, method, path)
        except AuthFailure as failure:
            return failure.code
        return "ok"

    @translating
    def authenticate_headers(
        self,
        headers: Headers,
        peer: str,
        method: str = "GET",
        path: str = "/",
    ) -> Principal:
        """Like :meth:`authenticate`, from every header of the request (as a
        mapping or ``(name, value)`` pairs): the keys are found as
        :func:`parse_auth_headers` does, and ``X-Forwarded-For`` is read
        when the peer is a trusted proxy."""
        native = self._inner.authenticate(method, path, _header_pairs(headers), peer)
        return Principal._of(native)

    # Admin operations

    @translating
    def create_account(self, name: str) -> int:
        """Creates an account (API disabled) and returns its id."""
        return self._inner.create_account(name)

    @translating
    def add_user(self, account_id: int, name: str, email: str, role: Role = Role.OWNER) -> int:
        """Adds a user to an account and returns the user's id."""
        return self._inner.add_user(account_id, name, email, Role(role)._native())

    @translating
    def set_user_role(self, account_id: int, user_id: int, role: Role) -> None:
        """Changes a user's role; the keys of a user who is no longer an
        owner stop authenticating until the role comes back."""
        self._inner.set_user_role(account_id, user_id, Role(role)._native())

    @translating
    def enable_api(self, account_id: int) -> typing.Optional[str]:
        """Enables the API. The first call creates the account key and
        returns it, the only time it can be read; later calls return None."""
        return self._inner.enable_api(account_id)

    @translating
    def disable_api(self, account_id: int) -> None:
        """Disables the API: every request of the account fails."""
        self._inner.disable_api(account_id)

    @translating
    def rotate_account_key(self, account_id: int) -> str:
        """Replaces the account key and returns the new one, once."""
        return self._inner.rotate_account_key(account_id)

    @translating
    def create_user_key(
        self,
        account_id: int,
        acting_user_id: int,
        name: str,
        *,
        owner_id: typing.Optional[int] = None,
        allow_list: typing.Iterable[str] = (),
    ) -> str:
        """Creates a user key named ``name`` (10 to 50 letters, digits, ``-``
        and ``_``) and returns it, once. The owner is ``owner_id`` (default:
        the acting user); both must be owners of the account. ``allow_list``
        holds CIDRs; empty allows every source."""
        owner = acting_user_id if owner_id is None else owner_id
        return self._inner.create_user_key(
            account_id, acting_user_id, owner, name, list(allow_list)
        )

    @translating
    def set_allow_list(
        self, account_id: int, acting_user_id: int, name: str, allow_list: typing.Iterable[str]
    ) -> None:
        """Replaces a user key's allow list."""
        self._inner.set_allow_list(account_id, acting_user_id, name, list(allow_list))

    @translating
    def delete_user_key(self, account_id: int, acting_user_id: int, name: str) -> None:
        """Deletes a user key; once this returns it never authenticates again."""
        self._inner.delete_user_key(account_id, acting_user_id, name)

    @translating
    def list_user_keys(self, account_id: int) -> list[UserKeyInfo]:
        """The account's user keys, by name; never a key value."""
        return [_record(UserKeyInfo, k) for k in self._inner.list_user_keys(account_id)]

    @translating
    def list_users(self, account_id: int) -> list[UserInfo]:
        """The account's users, by id."""
        return [
            UserInfo(id=u.id, account_id=u.account_id, name=u.name, email=u.email,
                     role=Role[u.role.name])
            for u in self._inner.list_users(account_id)
        ]

    @translating
    def api_enabled(self, account_id: int) -> bool:
        """Whether the account has the API enabled."""
        return self._inner.api_enabled(account_id)

    @translating
    def system_log(self, account_id: int, offset: int = 0, limit: int = 100) -> list[SystemLogEntry]:
        """The account's system log, newest first: ``limit`` entries (at
        most 1000) after skipping ``offset``."""
        return [_record(SystemLogEntry, e) for e in self._inner.system_log(account_id, offset, limit)]

    @translating
    def flush_system_log(self) -> None:
        """Waits until every queued system-log entry is in the store."""
        self._inner.flush_system_log()

    @property
    def trusted_proxies(self) -> list[str]:
        """CIDRs of proxies whose ``X-Forwarded-For`` is believed."""
        return self._inner.trusted_proxies()

    @trusted_proxies.setter
    @translating
    def trusted_proxies(self, cidrs: typing.Iterable[str]) -> None:
        self._inner.set_trusted_proxies(list(cidrs))

    def __repr__(self) -> str:
        return f"Verifier({self._inner!r})"
