"""Two verifiers sharing one Redis store (run by scripts/test.d/70-redis.sh,
which starts a throwaway Redis and sets RCAUTH_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import time
import uuid

import pytest

import redis_cloud_auth as rca
from conftest import keyed

REDIS_URL = os.environ.get("RCAUTH_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="RCAUTH_TEST_REDIS_URL is not set (70-redis.sh sets it)")

PEER = "10.1.2.3"


def eventually(check, seconds: float = 5.0):
    """Retries ``check`` until it returns without raising, within the store's staleness bound."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except (rca.AuthFailure, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_key_made_on_one_verifier_works_on_the_other_until_deleted():
    one = rca.Verifier.open_redis(REDIS_URL)
    two = rca.Verifier.open_redis(REDIS_URL)
    account = one.create_account(f"fleet-{uuid.uuid4().hex[:8]}")
    owner = one.add_user(account, "Ada", "ada@example.com", rca.Role.OWNER)
    account_key = one.enable_api(account).expose()
    user_key = one.create_user_key(account, owner, owner, f"py-fleet-{uuid.uuid4().hex[:8]}", []).expose()

    principal = eventually(lambda: two.authenticate("GET", "/", keyed(account_key, user_key), PEER))
    assert principal.account_id == account
    assert principal.owner_name == "Ada"

    name = principal.key_name
    one.delete_user_key(account, owner, name)

    def refused():
        try:
            two.authenticate("GET", "/", keyed(account_key, user_key), PEER)
        except rca.AuthFailure as failure:
            assert failure.http_status == 401
            return
        raise AssertionError("a deleted key still authenticates")

    eventually(refused)
    assert user_key not in repr(two) and account_key not in repr(one)


def test_a_bad_url_is_a_typed_error_without_the_password():
    with pytest.raises(rca.RedisCloudAuthError) as error:
        rca.Verifier.open_redis("redis://:hunter2-password@127.0.0.1:1")
    assert "hunter2-password" not in str(error.value)
