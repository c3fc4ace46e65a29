"""Credentials, the credential chain, and credential stores."""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import enum
import os
import typing

from ._errors import CredentialError, lifted, translated
from ._keys import ApiKeys, _Holder
from ._native import redis_cloud_auth_ffi as _ffi

__all__ = [
    "Credentials",
    "CredentialSource",
    "CredentialStore",
    "CredentialChain",
    "MemoryStore",
    "FileStore",
    "KeychainStore",
    "Resolved",
]


@translated()
class Credentials(_Holder):
    """A pair of keys and, optionally, the API base URL they belong to."""

    __slots__ = ()

    def __init__(self, keys: ApiKeys, base_url: str | None = None) -> None:
        """Raises :class:`CredentialError` (``invalid_base_url``) when
        ``base_url`` is not an http(s) URL."""
        self._inner = _ffi.Credentials(keys._inner, base_url)

    @property
    def keys(self) -> ApiKeys:
        """The account key and user key."""
        return ApiKeys._wrap(self._inner.keys())

    @property
    def base_url(self) -> str | None:
        """The API base URL, when one was given or stored."""
        return self._inner.base_url()

    def __repr__(self) -> str:
        return f"Credentials(keys={self.keys!r}, base_url={self.base_url!r})"


@lifted
class CredentialSource(str, enum.Enum):
    """Where resolved credentials came from."""

    EXPLICIT = "explicit"
    ENVIRONMENT = "environment"
    PROFILE_FILE = "profile_file"
    KEYCHAIN = "keychain"
    CUSTOM = "custom"


@dataclasses.dataclass(frozen=True)
class Resolved:
    """Credentials found by a chain, with their source and profile."""

    credentials: Credentials
    source: CredentialSource
    profile: str


class CredentialStore(abc.ABC):
    """A place that keeps credentials by profile name.

    Subclass it to keep credentials in an application's own secure storage,
    and give it to :class:`CredentialChain` (``stores=[...]``). An exception
    raised by a method reaches the caller as a :class:`CredentialError` with
    the code ``store``.
    """

    @abc.abstractmethod
    def save(self, profile: str, credentials: Credentials) -> None:
        """Saves (or replaces) the credentials of ``profile``."""

    @abc.abstractmethod
    def load(self, profile: str) -> Credentials | None:
        """Loads the credentials of ``profile``; ``None`` when there are none."""

    @abc.abstractmethod
    def delete(self, profile: str) -> bool:
        """Deletes the credentials of ``profile``; returns whether there were any."""

    def describe(self) -> str:
        """A short description for messages."""
        return type(self).__name__


@translated()
class _BuiltinStore(CredentialStore):
    """A store implemented in the core."""

    _store: _ffi.CredentialStore

    def save(self, profile: str, credentials: Credentials) -> None:
        self._store.save(profile, credentials._inner)

    def load(self, profile: str) -> Credentials | None:
        found = self._store.load(profile)
        return None if found is None else Credentials._wrap(found)

    def delete(self, profile: str) -> bool:
        return self._store.delete(profile)

    def describe(self) -> str:
        return self._store.describe()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()!r})"


class MemoryStore(_BuiltinStore):
    """Credentials in process memory, for tests and short-lived tools."""

    def __init__(self) -> None:
        self._store = _ffi.memory_store()


class FileStore(_BuiltinStore):
    """The TOML profile file (written atomically with mode 0600; a file
    that others can read is refused)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        """``path`` defaults to ``$REDIS_CLOUD_CONFIG``, else
        ``~/.config/redis-cloud/credentials.toml`` (the platform's config
        folder)."""
        store = _ffi.default_file_store() if path is None else _ffi.file_store(os.fspath(path))
        if store is None:
            raise CredentialError("no default credentials file path on this system", code="io")
        self._store = store


class KeychainStore(_BuiltinStore):
    """The OS keychain: Keychain on macOS, Credential Manager on Windows,
    the kernel keyutils keyring on Linux. A failure is an error, never a
    fallback to a file."""

    def __init__(self, service: str | None = None) -> None:
        """``service`` defaults to ``redis-cloud-auth``."""
        self._store = _ffi.keychain_store(service)


class _ForeignStore(_ffi.CredentialStore):
    """Presents a Python :class:`CredentialStore` to the core; what it raises
    is a ``store`` error."""

    def __init__(self, store: CredentialStore) -> None:
        self._python = store

    def save(self, profile: str, credentials: _ffi.Credentials) -> None:
        with _store_errors():
            self._python.save(profile, Credentials._wrap(credentials))

    def load(self, profile: str) -> _ffi.Credentials | None:
        with _store_errors():
            found = self._python.load(profile)
            if found is not None and not isinstance(found, Credentials):
                detail = f"{self.describe()}.load returned {type(found).__name__}, not Credentials or None"
                raise CredentialError(detail, code="store")
        return None if found is None else found._inner

    def delete(self, profile: str) -> bool:
        with _store_errors():
            return bool(self._python.delete(profile))

    def describe(self) -> str:
        try:
            return str(self._python.describe())
        except Exception:
            return type(self._python).__name__


@contextlib.contextmanager
def _store_errors() -> typing.Iterator[None]:
    try:
        yield
    except Exception as error:
        detail = str(error) if isinstance(error, CredentialError) else repr(error)
        raise _ffi.CredentialError.Store(code="store", detail=detail) from None  # type: ignore[attr-defined]


_DEFAULT: typing.Any = object()


@translated()
class CredentialChain:
    """Finds credentials in order: explicit, environment, profile file,
    keychain, then the given stores.

    >>> chain = CredentialChain(
    ...     environment={"REDIS_CLOUD_ACCOUNT_KEY": "AccountKey0123",
    ...                  "REDIS_CLOUD_USER_KEY": "UserKey0123456"},
    ...     profile_file=None, keychain=False)
    >>> chain.resolve().source
    <CredentialSource.ENVIRONMENT: 'environment'>
    """

    __slots__ = ("_inner",)

    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        environment: typing.Mapping[str, str] | None = None,
        profile: str | None = None,
        profile_file: str | os.PathLike[str] | None = _DEFAULT,
        keychain: bool | str = True,
        stores: typing.Iterable[CredentialStore] = (),
    ) -> None:
        """Every argument is optional:

        - ``credentials``: used before anything else;
        - ``environment``: variables to read instead of ``os.environ``;
        - ``profile``: the profile, overriding ``REDIS_CLOUD_PROFILE``;
        - ``profile_file``: the credentials file; ``None`` skips it, the
          default is ``$REDIS_CLOUD_CONFIG`` or the platform's config folder;
        - ``keychain``: ``False`` skips the OS keychain, a string names the
          keychain service;
        - ``stores``: more stores, tried after the keychain.
        """
        chain = _ffi.CredentialChain()
        if credentials is not None:
            chain = chain.explicit(credentials._inner)
        if environment is not None:
            chain = chain.environment(dict(environment))
        if profile is not None:
            chain = chain.profile(profile)
        if profile_file is not _DEFAULT:
            chain = chain.profile_file(None if profile_file is None else os.fspath(profile_file))
        if keychain is False:
            chain = chain.keychain(None)
        elif isinstance(keychain, str):
            chain = chain.keychain(keychain)
        for store in stores:
            if not isinstance(store, CredentialStore):
                raise TypeError(f"expected a CredentialStore, got {type(store).__name__}")
            chain = chain.store(store._store if isinstance(store, _BuiltinStore) else _ForeignStore(store))
        self._inner = chain

    @property
    def profile_name(self) -> str:
        """The profile the chain looks up."""
        return self._inner.profile_name()

    def resolve(self) -> Resolved:
        """Finds credentials; raises :class:`CredentialError` (``not_found`` lists every place searched)."""
        found = self._inner.resolve()
        source = typing.cast(CredentialSource, found.source)  # lifted
        return Resolved(credentials=Credentials._wrap(found.credentials), source=source, profile=found.profile)

    def __repr__(self) -> str:
        return f"CredentialChain(profile={self.profile_name!r})"
