"""Credential stores: the built-in ones, and one implemented in Python."""

from __future__ import annotations

import os
import stat
import uuid

import pytest

import redis_cloud_auth as rca

ACCOUNT = "AccountKey0123"
USER = "UserKeyStore0123456"


def credentials(user: str = USER, base_url: str | None = None) -> rca.Credentials:
    return rca.Credentials(rca.ApiKeys(account_key=ACCOUNT, user_key=user), base_url=base_url)


class DictStore(rca.CredentialStore):
    """What an application's own secure storage looks like: here a dict
    of plain strings, as a platform keystore would hold them."""

    def __init__(self) -> None:
        self.saved: dict[str, tuple[str, str, str | None]] = {}
        self.calls: list[str] = []

    def save(self, profile: str, credentials: rca.Credentials) -> None:
        self.calls.append(f"save {profile}")
        keys = credentials.keys
        self.saved[profile] = (keys.expose_account_key(), keys.expose_user_key(), credentials.base_url)

    def load(self, profile: str) -> rca.Credentials | None:
        self.calls.append(f"load {profile}")
        if profile not in self.saved:
            return None
        account, user, base_url = self.saved[profile]
        return rca.Credentials(rca.ApiKeys(account, user), base_url)

    def delete(self, profile: str) -> bool:
        self.calls.append(f"delete {profile}")
        return self.saved.pop(profile, None) is not None

    def describe(self) -> str:
        return "dict store"


def round_trip(store: rca.CredentialStore, profile: str) -> None:
    assert store.load(profile) is None
    assert store.delete(profile) is False
    saved = credentials(base_url="http://127.0.0.1:1/v1")
    store.save(profile, saved)
    loaded = store.load(profile)
    assert loaded == saved
    assert loaded.keys.expose_user_key() == USER
    assert loaded.base_url == "http://127.0.0.1:1/v1"
    store.save(profile, credentials(user="UserKeyReplaced01"))
    assert store.load(profile).keys.expose_user_key() == "UserKeyReplaced01"
    assert store.delete(profile) is True
    assert store.load(profile) is None


def test_memory_store_round_trip():
    round_trip(rca.MemoryStore(), "memory-profile")
    assert rca.MemoryStore().describe() == "memory"


def test_file_store_round_trip_and_mode(tmp_path):
    path = tmp_path / "nested" / "credentials.toml"
    store = rca.FileStore(path)
    round_trip(store, "file-profile")
    store.save("kept", credentials())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert USER in path.read_text()
    assert str(path) in store.describe()
    assert str(path) in repr(store)


def test_file_store_refuses_a_readable_file(tmp_path):
    path = tmp_path / "credentials.toml"
    rca.FileStore(path).save("default", credentials())
    os.chmod(path, 0o644)
    with pytest.raises(rca.CredentialError) as caught:
        rca.FileStore(path).load("default")
    assert caught.value.code == "insecure_permissions"
    assert caught.value.path == str(path)
    assert USER not in str(caught.value)


def test_keychain_store_round_trip():
    store = rca.KeychainStore(service=f"rca-python-test-{uuid.uuid4().hex[:8]}")
    round_trip(store, "keychain-profile")
    assert "rca-python-test-" in store.describe()


def test_keychain_store_found_by_the_chain():
    service = f"rca-python-chain-{uuid.uuid4().hex[:8]}"
    store = rca.KeychainStore(service=service)
    store.save("ci", credentials(user="UserKeyKeychain01"))
    try:
        found = rca.CredentialChain(
            environment={}, profile="ci", profile_file=None, keychain=service
        ).resolve()
        assert found.source is rca.CredentialSource.KEYCHAIN
        assert found.credentials.keys.expose_user_key() == "UserKeyKeychain01"
    finally:
        assert store.delete("ci")


def test_store_errors_are_typed():
    with pytest.raises(rca.CredentialError) as caught:
        rca.MemoryStore().save("bad name", credentials())
    assert caught.value.code == "invalid_profile_name"
    with pytest.raises(rca.CredentialError) as caught:
        rca.Credentials(rca.ApiKeys(ACCOUNT, USER), base_url="ftp://example.test")
    assert caught.value.code == "invalid_base_url"


def test_python_store_in_the_chain():
    store = DictStore()
    store.save("app", credentials(user="UserKeyFromPython"))
    chain = rca.CredentialChain(
        environment={"REDIS_CLOUD_PROFILE": "app", "REDIS_CLOUD_BASE_URL": "http://127.0.0.1:9/v1"},
        profile_file=None,
        keychain=False,
        stores=[rca.MemoryStore(), store],
    )
    found = chain.resolve()
    assert found.source is rca.CredentialSource.CUSTOM
    assert found.profile == "app"
    assert found.credentials.keys.expose_user_key() == "UserKeyFromPython"
    # A base URL from the environment overrides the stored one.
    assert found.credentials.base_url == "http://127.0.0.1:9/v1"
    assert store.calls[-1] == "load app"


def test_python_store_missing_profile_is_listed_in_not_found():
    chain = rca.CredentialChain(
        environment={}, profile="absent", profile_file=None, keychain=False, stores=[DictStore()]
    )
    with pytest.raises(rca.CredentialError) as caught:
        chain.resolve()
    assert caught.value.code == "not_found"
    assert caught.value.searched == ["environment", "dict store"]
    assert "dict store" in str(caught.value)


class FailingStore(DictStore):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def load(self, profile: str) -> rca.Credentials | None:
        raise self.error


@pytest.mark.parametrize(
    "error, expected",
    [
        (rca.CredentialError("vault is sealed", code="store"), "vault is sealed"),
        (RuntimeError("disk on fire"), "disk on fire"),
    ],
)
def test_python_store_errors_become_store_errors(error, expected):
    chain = rca.CredentialChain(
        environment={}, profile_file=None, keychain=False, stores=[FailingStore(error)]
    )
    with pytest.raises(rca.CredentialError) as caught:
        chain.resolve()
    assert caught.value.code == "store"
    assert expected in str(caught.value)


def test_python_store_returning_the_wrong_type_is_an_error():
    class Confused(DictStore):
        def load(self, profile):
            return ("AccountKey0123", "UserKey0123456")

    chain = rca.CredentialChain(
        environment={}, profile_file=None, keychain=False, stores=[Confused()]
    )
    with pytest.raises(rca.CredentialError) as caught:
        chain.resolve()
    assert caught.value.code == "store"
    assert "tuple" in str(caught.value)
    assert "UserKey0123456" not in str(caught.value)


def test_only_credential_stores_are_accepted():
    with pytest.raises(TypeError):
        rca.CredentialChain(stores=[object()])  # type: ignore[list-item]


def test_explicit_credentials_come_first():
    found = rca.CredentialChain(
        credentials=credentials(user="UserKeyExplicit01"),
        environment={"REDIS_CLOUD_ACCOUNT_KEY": ACCOUNT, "REDIS_CLOUD_USER_KEY": USER},
        keychain=False,
    ).resolve()
    assert found.source is rca.CredentialSource.EXPLICIT
    assert found.credentials.keys.expose_user_key() == "UserKeyExplicit01"
