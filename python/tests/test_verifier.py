"""The verifier on a temporary SQLite file and in memory: every admin
operation, every authentication outcome through the lean path and the
generated one, the system log, and the C entry points' argument checks."""

from __future__ import annotations

import ctypes
import gc
import threading

import pytest

import redis_cloud_auth as rca
from conftest import keyed
from redis_cloud_auth import _verifier

OK_IP = "10.1.2.3"
OUTSIDE_IP = "192.0.2.1"


class World:
    """One account with an owner, a member, an enabled API and a key."""

    def __init__(self, verifier: rca.Verifier) -> None:
        v = self.verifier = verifier
        self.account = v.create_account("acme")
        self.owner = v.add_user(self.account, "Ada", "ada@example.com", rca.Role.OWNER)
        self.member = v.add_user(self.account, "Bob", "bob@example.com", role=rca.Role.MEMBER)
        self.account_key = v.enable_api(self.account).expose()
        self.user_key = v.create_user_key(self.account, self.owner, self.owner, "ci-deploy-key", ["10.0.0.0/8"]).expose()
        self.other = v.create_account("globex")
        self.other_owner = v.add_user(self.other, "Eve", "eve@example.com")
        self.other_account_key = v.enable_api(self.other).expose()
        self.other_user_key = v.create_user_key(self.other, self.other_owner, self.other_owner, "globex-app-key", []).expose()


@pytest.fixture(params=["sqlite", "memory"])
def world(request, tmp_path) -> World:
    if request.param == "sqlite":
        return World(rca.Verifier(tmp_path / "verifier.db"))
    return World(rca.Verifier.in_memory())


def outcome(verifier: rca.Verifier, account_key, user_key, peer, method="GET", path="/") -> str:
    """The lean path's and the generated path's outcome, which must agree."""
    headers = keyed(account_key, user_key)
    try:
        lean = verifier.authenticate(method, path, headers, peer)
        lean_code = "ok"
    except rca.AuthFailure as failure:
        lean, lean_code = failure, failure.code
    try:
        full = verifier._generated(method, path, headers, peer)
        full_code = "ok"
    except rca.AuthFailure as failure:
        full, full_code = failure, failure.code
    assert lean_code == full_code
    if lean_code == "ok":
        assert lean == full
    else:
        for name in ("http_status", "public_message", "public_code", "header", "source_ip", "detail", "error_body"):
            assert getattr(lean, name) == getattr(full, name), name
    return lean_code


def test_success_gives_the_principal(world):
    v = world.verifier
    principal = v.authenticate("GET", "/v1/", keyed(world.account_key, world.user_key), OK_IP)
    assert principal.account_id == world.account
    assert principal.user_id == world.owner
    assert (principal.account_name, principal.owner_name, principal.owner_email) == (
        "acme",
        "Ada",
        "ada@example.com",
    )
    assert principal.key_name == "ci-deploy-key"
    assert principal.source_ip == OK_IP
    assert world.user_key not in repr(principal)
    assert outcome(v, world.account_key, world.user_key, OK_IP) == "ok"


def test_every_failure(world):
    v, ak, uk = world.verifier, world.account_key, world.user_key
    cases = {
        "source_ip_not_allowed": (ak, uk, OUTSIDE_IP),
        "missing_credentials": (ak, None, OK_IP),
        "malformed_credentials": (ak, "has spaces in it", OK_IP),
        "invalid_account_key": ("NoSuchAccountKey0123", uk, OK_IP),
        "invalid_user_key": (ak, "NoSuchUserKey0123456", OK_IP),
        "account_mismatch": (ak, world.other_user_key, OK_IP),
        "invalid_peer_address": (ak, uk, "not-an-ip"),
    }
    for code, args in cases.items():
        assert outcome(v, *args) == code, code
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(ak, uk), OUTSIDE_IP)
    failure = caught.value
    assert (failure.http_status, failure.source_ip) == (403, OUTSIDE_IP)
    assert "allow list" in str(failure)
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(ak, world.other_user_key), OK_IP)
    mismatch = caught.value
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(ak, "NoSuchUserKey0123456"), OK_IP)
    # A caller cannot tell a key of another account from an unknown one.
    assert mismatch.public_message == caught.value.public_message
    assert mismatch.http_status == caught.value.http_status == 401
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(None, uk), OK_IP)
    assert (caught.value.code, caught.value.header) == ("missing_credentials", "x-api-key")


def test_disabled_api_and_revoked_owner(world):
    v, ak, uk = world.verifier, world.account_key, world.user_key
    v.disable_api(world.account)
    assert not v.api_enabled(world.account)
    assert outcome(v, ak, uk, OK_IP) == "api_disabled"
    assert v.enable_api(world.account) is None  # the key is kept, not shown again
    assert outcome(v, ak, uk, OK_IP) == "ok"
    v.set_user_role(world.account, world.owner, rca.Role.VIEWER)
    assert outcome(v, ak, uk, OK_IP) == "owner_role_revoked"
    assert [k.active for k in v.list_user_keys(world.account)] == [False]
    v.set_user_role(world.account, world.owner, rca.Role.OWNER)
    assert outcome(v, ak, uk, OK_IP) == "ok"


def test_key_lifecycle(world):
    v, a, owner = world.verifier, world.account, world.owner
    v.set_allow_list(a, owner, "ci-deploy-key", ["192.0.2.0/24"])
    assert outcome(v, world.account_key, world.user_key, OUTSIDE_IP) == "ok"
    assert outcome(v, world.account_key, world.user_key, OK_IP) == "source_ip_not_allowed"
    v.set_allow_list(a, owner, "ci-deploy-key", [])
    assert outcome(v, world.account_key, world.user_key, OK_IP) == "ok"
    second = v.create_user_key(a, owner, owner, "second-app-key", []).expose()
    assert second != world.user_key
    keys = v.list_user_keys(a)
    assert [k.name for k in keys] == ["ci-deploy-key", "second-app-key"]
    # Answers are the package's own records, not the generated ones.
    assert all(type(k) is rca.UserKeyInfo for k in keys)
    v.delete_user_key(a, owner, "ci-deploy-key")
    assert outcome(v, world.account_key, world.user_key, OK_IP) == "invalid_user_key"
    rotated = v.rotate_account_key(a).expose()
    assert outcome(v, world.account_key, second, OK_IP) == "invalid_account_key"
    assert outcome(v, rotated, second, OK_IP) == "ok"
    users = v.list_users(a)
    assert [(u.name, u.role) for u in users] == [("Ada", rca.Role.OWNER), ("Bob", rca.Role.MEMBER)]
    assert all(type(u) is rca.UserInfo and type(u.role) is rca.Role for u in users)


def test_admin_errors(world):
    v, a = world.verifier, world.account
    expect = {
        "not_found": lambda: v.create_user_key(999, world.owner, world.owner, "some-key-name", []),
        "not_allowed": lambda: v.create_user_key(a, world.member, world.member, "member-key-name", []),
        "invalid_name": lambda: v.create_user_key(a, world.owner, world.owner, "short", []),
        "name_taken": lambda: v.create_user_key(a, world.owner, world.owner, "ci-deploy-key", []),
        "invalid_cidr": lambda: v.set_allow_list(a, world.owner, "ci-deploy-key", ["10.0.0.0/33"]),
        "allow_list_too_long": lambda: v.set_allow_list(
            a, world.owner, "ci-deploy-key", [f"10.0.{i // 256}.{i % 256}/32" for i in range(5000)]
        ),
    }
    for code, call in expect.items():
        with pytest.raises(rca.AdminError) as caught:
            call()
        assert caught.value.code == code, code
        assert isinstance(caught.value, rca.RedisCloudAuthError)
    with pytest.raises(rca.AdminError) as caught:
        v.add_user(a, "Mallory", "not an email")
    assert (caught.value.code, caught.value.what) == ("invalid_name", "email")
    with pytest.raises(rca.AdminError) as caught:
        v.trusted_proxies = ["10.0.0.0/8", "nonsense"]
    assert caught.value.code == "invalid_cidr"


def test_system_log_records_each_attempt(world):
    v, a = world.verifier, world.account
    v.authenticate("POST", "/v1/subscriptions", keyed(world.account_key, world.user_key), OK_IP)
    with pytest.raises(rca.AuthFailure):
        v.authenticate("GET", "/v1/logs", keyed(world.account_key, world.user_key), OUTSIDE_IP)
    v.flush_system_log()
    entries = v.system_log(a, offset=0, limit=10)
    assert all(type(e) is rca.SystemLogEntry for e in entries)
    assert [e.resource for e in entries[:2]] == ["GET /v1/logs", "POST /v1/subscriptions"]
    assert all(e.api_key_name == "ci-deploy-key" for e in entries[:2])
    assert OUTSIDE_IP in entries[0].description and OK_IP in entries[1].description
    assert entries[0].id > entries[1].id
    text = repr(entries)
    assert world.user_key not in text and world.account_key not in text
    assert len(v.system_log(a, offset=1, limit=1)) == 1


def test_trusted_proxies_apply_to_forwarded_for(world):
    v = world.verifier
    v.trusted_proxies = ["127.0.0.0/8"]
    assert v.trusted_proxies == ["127.0.0.0/8"]
    headers = {
        "x-api-key": world.account_key,
        "x-api-secret-key": world.user_key,
        "X-Forwarded-For": "10.9.8.7",
    }
    assert v.authenticate("GET", "/", headers, "127.0.0.1").source_ip == "10.9.8.7"
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", {**headers, "X-Forwarded-For": OUTSIDE_IP}, "127.0.0.1")
    assert caught.value.code == "source_ip_not_allowed"


def test_sqlite_file_is_shared_and_kept(tmp_path):
    path = tmp_path / "shared.db"
    first = rca.Verifier(path)
    a = first.create_account("shared")
    owner = first.add_user(a, "Ada", "ada@example.com")
    ak = first.enable_api(a).expose()
    uk = first.create_user_key(a, owner, owner, "shared-key-name", []).expose()
    second = rca.Verifier.open_sqlite(path)
    assert second.authenticate("GET", "/", keyed(ak, uk), OK_IP).key_name == "shared-key-name"
    first.delete_user_key(a, owner, "shared-key-name")
    assert outcome(second, ak, uk, OK_IP) == "invalid_user_key"
    with pytest.raises(rca.AdminError) as caught:
        rca.Verifier(tmp_path / "no-such-dir" / "x" / "v.db")
    assert caught.value.code.startswith("store_")


def test_batch_matches_single_calls(world):
    v, ak, uk = world.verifier, world.account_key, world.user_key
    requests = [
        (ak, uk, OK_IP),
        (ak, uk, OUTSIDE_IP),
        (ak, "NoSuchUserKey0123456", OK_IP),
        ("NoSuchAccountKey0123", uk, OK_IP),
        (ak, world.other_user_key, OK_IP),
        (ak, uk, "bogus"),
        (ak, "", OK_IP),
    ]
    expected = [outcome(v, *r) for r in requests]
    assert expected[:2] == ["ok", "source_ip_not_allowed"]
    batch = [rca.AuthRequest("GET", "/v1/", keyed(a, u), peer) for a, u, peer in requests]
    assert v.authenticate_many(batch) == expected
    # Headers as a mapping, and a request without headers.
    mapping = rca.AuthRequest("GET", "/", {"x-api-key": ak, "x-api-secret-key": uk}, OK_IP)
    assert v.authenticate_many([mapping, ("GET", "/", [], OK_IP)]) == ["ok", "missing_credentials"]
    # A NUL inside a field falls back to one call per request.
    with_nul = batch + [rca.AuthRequest("GET", "/", keyed(ak, "User\0Key0123456"), OK_IP)]
    assert v.authenticate_many(with_nul) == expected + ["malformed_credentials"]
    # Headers as an iterator, with the NUL: read once, by both paths.
    once = iter(keyed(ak, "User\0Key0123456"))
    assert v.authenticate_many([("GET", "/", once, OK_IP)]) == ["malformed_credentials"]
    assert v.authenticate_many([]) == []


def test_header_items_that_are_not_pairs_are_refused_by_every_path(world):
    v, ak, uk = world.verifier, world.account_key, world.user_key
    # Four fields as two items of three and one: read as fields, they would
    # make two well-formed headers.
    shifted = [("x-api-key", ak, "x-api-secret-key"), (uk,)]
    for call in (
        lambda: v.authenticate("GET", "/", shifted, OK_IP),
        lambda: v._generated("GET", "/", shifted, OK_IP),
        lambda: v.authenticate_many([("GET", "/", shifted, OK_IP)]),
    ):
        with pytest.raises(ValueError):
            call()


def test_lean_path_takes_bytes_and_odd_text(world):
    v = world.verifier
    # Headers as an iterator are read once, also when the generated call takes them.
    pairs = iter(keyed(world.account_key, world.user_key.encode()))
    assert v.authenticate("GET", "/", pairs, OK_IP).user_id == world.owner
    assert v.authenticate("GET", "/", keyed(world.account_key.encode(), world.user_key.encode()), OK_IP).user_id == world.owner
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(world.account_key, "UserKey\ud800Surrogate"), OK_IP)
    assert caught.value.code == "malformed_credentials"
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(world.account_key, b"UserKey\xff0123456789"), OK_IP)
    assert caught.value.code == "malformed_credentials"
    with pytest.raises(ValueError):
        v.authenticate("GET\ud800", "/", keyed(world.account_key, world.user_key), OK_IP)
    # A NUL inside a key can neither cut it short nor shift the other fields.
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(world.account_key, world.user_key + "\0tail"), OK_IP)
    assert caught.value.code == "malformed_credentials"
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(world.account_key + "\0" + world.user_key, world.user_key), OK_IP)
    assert caught.value.code == "malformed_credentials"


def test_many_entry_checks_its_arguments(world):
    v = world.verifier
    outcomes = (ctypes.c_int64 * 2)()
    ak, uk = world.account_key, world.user_key
    one = ["GET", "/", OK_IP, "2", "x-api-key", ak, "x-api-secret-key", uk]
    data = "\0".join(one + one).encode()
    assert _verifier._MANY(v._handle, 2, data, len(data), outcomes) == 0
    assert [o >= 0 for o in outcomes] == [True, True]
    assert outcomes[0] == outcomes[1]  # the same key, the same encoded outcome
    short = "\0".join(one + one[:5]).encode()  # the second request is cut
    assert _verifier._MANY(v._handle, 2, short, len(short), outcomes) == -1002
    assert _verifier._MANY(0, 2, data, len(data), outcomes) == -1001
    assert _verifier._MANY(v._handle, 2, data, len(data), None) == -1001


def test_verifier_is_usable_from_threads(world):
    v = world.verifier
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(2000):
                ip = OK_IP if i % 2 == 0 else OUTSIDE_IP
                code = outcome(v, world.account_key, world.user_key, ip)
                assert code == ("ok" if i % 2 == 0 else "source_ip_not_allowed")
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_principal_outlives_its_verifier(tmp_path):
    world = World(rca.Verifier(tmp_path / "v.db"))
    principal = world.verifier.authenticate("GET", "/", keyed(world.account_key, world.user_key), OK_IP)
    del world
    gc.collect()
    assert principal.key_name == "ci-deploy-key"
