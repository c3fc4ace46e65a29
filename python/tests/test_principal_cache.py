"""The lean path's Principal cache: principals are cached by key serial,
so a key deleted and created again, a role change, another process's
change (a reload) or a new source IP must never show a stale principal;
and the cache's fallbacks (long requests, serials past the kept ones) give the same
answers as the generated path."""

from __future__ import annotations


import pytest

import redis_cloud_auth as rca
from conftest import keyed
from redis_cloud_auth import _verifier

OK_IP = "10.1.2.3"


def generated(verifier: rca.Verifier, account_key: str, user_key: str, peer: str) -> rca.Principal:
    """The same request through the generated UniFFI call."""
    return verifier._generated("GET", "/", keyed(account_key, user_key), peer)


@pytest.fixture(params=["sqlite", "memory"])
def verifier(request, tmp_path) -> rca.Verifier:
    if request.param == "sqlite":
        return rca.Verifier(tmp_path / "cache.db")
    return rca.Verifier.in_memory()


def account_with_owners(v: rca.Verifier):
    account = v.create_account("acme")
    ada = v.add_user(account, "Ada", "ada@example.com")
    bob = v.add_user(account, "Bob", "bob@example.com")
    return account, ada, bob, v.enable_api(account).expose()


def test_a_key_deleted_and_created_again_shows_its_new_owner(verifier):
    v = verifier
    account, ada, bob, ak = account_with_owners(v)
    first = v.create_user_key(account, ada, ada, "deploy-key-name", []).expose()
    before = v.authenticate("GET", "/", keyed(ak, first), OK_IP)
    assert (before.owner_name, before.user_id) == ("Ada", ada)
    assert v.authenticate("GET", "/", keyed(ak, first), OK_IP) == before
    v.delete_user_key(account, ada, "deploy-key-name")
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(ak, first), OK_IP)
    assert caught.value.code == "invalid_user_key"
    second = v.create_user_key(account, ada, bob, "deploy-key-name", []).expose()
    after = v.authenticate("GET", "/", keyed(ak, second), OK_IP)
    assert (after.key_name, after.owner_name, after.owner_email, after.user_id) == (
        "deploy-key-name",
        "Bob",
        "bob@example.com",
        bob,
    )
    assert after == generated(v, ak, second, OK_IP)
    # The principal handed out before is unchanged.
    assert before.owner_name == "Ada"


def test_two_verifiers_count_their_serials_each_and_answer_with_their_own_principals():
    one, two = rca.Verifier(), rca.Verifier()
    account_one, ada, _, ak_one = account_with_owners(one)
    account = two.create_account("globex")
    carol = two.add_user(account, "Carol", "carol@example.com")
    ak_two = two.enable_api(account).expose()
    uk_one = one.create_user_key(account_one, ada, ada, "deploy-key-name", []).expose()
    uk_two = two.create_user_key(account, carol, carol, "other-key-name", []).expose()
    for _ in range(3):
        assert one.authenticate("GET", "/", keyed(ak_one, uk_one), OK_IP).owner_name == "Ada"
        principal = two.authenticate("GET", "/", keyed(ak_two, uk_two), OK_IP)
        assert (principal.key_name, principal.owner_name, principal.user_id) == ("other-key-name", "Carol", carol)
    # Both keys are serial 1 of their verifier.
    assert one._kept[1].key_name == "deploy-key-name" and two._kept[1].key_name == "other-key-name"


def test_role_changes_apply_to_a_cached_key(verifier):
    v = verifier
    account, ada, _, ak = account_with_owners(v)
    uk = v.create_user_key(account, ada, ada, "deploy-key-name", []).expose()
    principal = v.authenticate("GET", "/", keyed(ak, uk), OK_IP)
    v.set_user_role(account, ada, rca.Role.MEMBER)
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(ak, uk), OK_IP)
    assert caught.value.code == "owner_role_revoked"
    v.set_user_role(account, ada, rca.Role.OWNER)
    assert v.authenticate("GET", "/", keyed(ak, uk), OK_IP) == principal
    v.disable_api(account)
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(ak, uk), OK_IP)
    assert caught.value.code == "api_disabled"


def test_another_process_change_reloads_and_shows_the_new_key(tmp_path):
    path = tmp_path / "shared.db"
    here = rca.Verifier(path)
    account, ada, bob, ak = account_with_owners(here)
    old = here.create_user_key(account, ada, ada, "shared-key-name", []).expose()
    assert here.authenticate("GET", "/", keyed(ak, old), OK_IP).owner_name == "Ada"
    elsewhere = rca.Verifier.open_sqlite(path)
    elsewhere.delete_user_key(account, ada, "shared-key-name")
    new = elsewhere.create_user_key(account, ada, bob, "shared-key-name", []).expose()
    with pytest.raises(rca.AuthFailure) as caught:
        here.authenticate("GET", "/", keyed(ak, old), OK_IP)
    assert caught.value.code == "invalid_user_key"
    principal = here.authenticate("GET", "/", keyed(ak, new), OK_IP)
    assert (principal.owner_name, principal.user_id) == ("Bob", bob)
    assert principal == generated(here, ak, new, OK_IP)
    # A change that names nobody new (a role) reloads too.
    elsewhere.set_user_role(account, bob, rca.Role.VIEWER)
    with pytest.raises(rca.AuthFailure) as caught:
        here.authenticate("GET", "/", keyed(ak, new), OK_IP)
    assert caught.value.code == "owner_role_revoked"


def test_each_call_has_its_own_source_ip(verifier):
    v = verifier
    account, ada, _, ak = account_with_owners(v)
    uk = v.create_user_key(account, ada, ada, "deploy-key-name", ["10.0.0.0/8", "2001:db8::/32"]).expose()
    seen = {}
    for peer, source_ip in [
        ("10.1.2.3", "10.1.2.3"),
        ("10.9.9.9", "10.9.9.9"),
        ("::ffff:10.1.2.3", "10.1.2.3"),
        (" 10.1.2.4 ", "10.1.2.4"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("10.1.2.3", "10.1.2.3"),
    ]:
        principal = v.authenticate("GET", "/", keyed(ak, uk), peer)
        assert principal.source_ip == source_ip, peer
        assert principal == generated(v, ak, uk, peer), peer
        seen[peer] = principal
    assert len({p.key_name for p in seen.values()}) == 1
    assert seen["10.1.2.3"].source_ip != seen["10.9.9.9"].source_ip
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", "/", keyed(ak, uk), "11.0.0.1")
    assert caught.value.code == "source_ip_not_allowed"


def test_principals_are_immutable(verifier):
    v = verifier
    account, ada, _, ak = account_with_owners(v)
    uk = v.create_user_key(account, ada, ada, "deploy-key-name", []).expose()
    principal = v.authenticate("GET", "/", keyed(ak, uk), OK_IP)
    with pytest.raises(AttributeError):
        principal.owner_name = "Mallory"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        principal.extra = 1  # type: ignore[attr-defined]
    assert hash(principal) == hash(v.authenticate("GET", "/", keyed(ak, uk), OK_IP))
    assert uk not in repr(principal) and ak not in repr(principal)


def test_keys_past_the_listed_serials_are_kept_in_a_dict_emptied_when_full(verifier, monkeypatch):
    v = verifier
    monkeypatch.setattr(_verifier, "_KEPT_MAX", 3)
    account, ada, _, ak = account_with_owners(v)
    keys = {f"deploy-key-{i:04d}": v.create_user_key(account, ada, ada, f"deploy-key-{i:04d}", []).expose() for i in range(7)}
    for _ in range(3):
        for name, uk in keys.items():
            assert v.authenticate("GET", "/", keyed(ak, uk), OK_IP).key_name == name
            assert len(v._principals) <= 3
    # Serials 1 to 7: 1 and 2 in the list, by serial; the rest in the dict, by encoded outcome.
    assert [p and p.key_name for p in v._kept] == [None, "deploy-key-0000", "deploy-key-0001"]
    assert sorted(p.key_name for p in v._principals.values()) == [f"deploy-key-000{i}" for i in (4, 5, 6)]
    assert all(result == 2 * int(p.key_name[-1]) + 2 for result, p in v._principals.items())
    # Served from the dict: the same principal; from another peer, its own source IP.
    kept = v._principals[10]
    assert v.authenticate("GET", "/", keyed(ak, keys["deploy-key-0004"]), OK_IP) is kept
    other = v.authenticate("GET", "/", keyed(ak, keys["deploy-key-0004"]), "10.9.9.9")
    assert other == (*kept[:6], "10.9.9.9") and v._principals[10] is kept
    # A source IP other than the peer as given (bit 0) is neither served from the dict nor kept.
    mapped = v.authenticate("GET", "/", keyed(ak, keys["deploy-key-0004"]), "::ffff:" + OK_IP)
    assert mapped == kept and mapped is not kept and sorted(v._principals) == [10, 12, 14]


def test_requests_past_the_lean_entrys_shape_take_the_generated_call(verifier, monkeypatch):
    v = verifier
    account, ada, _, ak = account_with_owners(v)
    uk = v.create_user_key(account, ada, ada, "deploy-key-name", []).expose()
    expected = v.authenticate("GET", "/", keyed(ak, uk), OK_IP)
    generated = []
    original = rca.Verifier._generated
    monkeypatch.setattr(rca.Verifier, "_generated", lambda *args: generated.append(1) or original(*args))
    # 256 headers, and 16 MiB: past what the shape (a C int) holds.
    many = {**{f"x-other-{i}": "value" for i in range(254)}, **dict(keyed(ak, uk))}
    assert v.authenticate("GET", "/", many, OK_IP) == expected
    long_path = "/v1/" + "x" * (1 << 24)
    assert v.authenticate("GET", long_path, keyed(ak, uk), OK_IP) == expected
    with pytest.raises(rca.AuthFailure) as caught:
        v.authenticate("GET", long_path, keyed(ak, "NoSuchUserKey0123456"), OK_IP)
    assert caught.value.code == "invalid_user_key"
    assert len(generated) == 3
    # 255 headers and just under 16 MiB still take the lean entry.
    del many["x-other-0"]
    assert v.authenticate("GET", "/", many, OK_IP) == expected
    assert v.authenticate("GET", "/" + "x" * ((1 << 24) - 300), keyed(ak, uk), OK_IP) == expected
    assert len(generated) == 3


def test_bad_inputs_are_typed_failures(verifier):
    v = verifier
    account, ada, _, ak = account_with_owners(v)
    uk = v.create_user_key(account, ada, ada, "deploy-key-name", []).expose()
    cases = {
        "missing_credentials": (ak, None, OK_IP),
        "malformed_credentials": (ak, "User\0Key0123456789", OK_IP),
        "invalid_peer_address": (ak, uk, "10.1.2.3\0"),
    }
    for code, args in cases.items():
        with pytest.raises(rca.AuthFailure) as caught:
            v.authenticate("GET", "/", keyed(args[0], args[1]), args[2])
        assert caught.value.code == code, code
    for peer in ["", "not-an-ip", "10.01.2.3", "10.1.2.3.4"]:
        with pytest.raises(rca.AuthFailure) as caught:
            v.authenticate("GET", "/", keyed(ak, uk), peer)
        assert caught.value.code == "invalid_peer_address", peer
    with pytest.raises(ValueError):
        v.authenticate("GET", "/\udcff", keyed(ak, uk), OK_IP)
    # Still fine afterwards, and cached again.
    assert v.authenticate("GET", "/", keyed(ak, uk), OK_IP).key_name == "deploy-key-name"


def test_lean_entry_returns_the_encoded_outcome(verifier):
    v = verifier
    account, ada, _, ak = account_with_owners(v)
    uk = v.create_user_key(account, ada, ada, "deploy-key-name", []).expose()
    out = _verifier._new_outcome(v._handle)
    data = "\0".join(("GET", "/", OK_IP, "x-api-key", ak, "x-api-secret-key", uk)).encode()
    lean = _verifier._HOLDING_GIL
    shape = len(data) << 8 | 2
    result = lean(data, shape, out[2])
    assert result >= 0 and result & 1 == 0  # a key serial, source IP as given
    assert lean(data, shape, out[2]) == result
    assert out[0].account_id == account and out[0].user_id == ada
    assert lean(data, shape + 1, out[2]) == -1002  # another header count
    unbound = _verifier._new_outcome(0)  # kept: the call reads the struct
    assert lean(data, shape, unbound[2]) == -1001
    assert lean(data, shape, None) == -1001
    odd = data + b"\0x-odd"
    assert lean(odd, len(odd) << 8 | 2, out[2]) == -1002  # a name without value
    assert lean(data, len(data) << 8 | 1, out[2]) == -1002  # more fields than the headers' count
    bad = data.replace(b"GET", b"G\xffT")
    assert lean(bad, len(bad) << 8 | 2, out[2]) == -1002
    unknown = data.replace(uk.encode(), b"NoSuchUserKey0123456")
    assert _verifier._KINDS[-1 - lean(unknown, len(unknown) << 8 | 2, out[2])][0] == "invalid_user_key"
