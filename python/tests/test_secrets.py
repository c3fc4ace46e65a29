"""No secret in repr, str, exception text, pickles or logging output."""

from __future__ import annotations

import copy
import gc
import logging
import pickle
import traceback

import pytest

import redis_cloud_auth as rca
from conftest import assert_no_secret

ACCOUNT = "AccountSecretValue0123"
USER = "UserSecretValue0123456"


def test_api_keys_text_forms_show_only_a_fingerprint():
    keys = rca.ApiKeys(account_key=ACCOUNT, user_key=USER)
    for text in (repr(keys), str(keys), f"{keys}", f"{keys!r}", "%s" % keys, str([keys])):
        assert_no_secret(text, ACCOUNT, USER)
        assert keys.fingerprint in text
    assert keys.fingerprint.startswith("sha256:") and len(keys.fingerprint) == 19
    assert keys.account_fingerprint == rca.key_fingerprint(ACCOUNT)
    assert keys.user_fingerprint == rca.key_fingerprint(USER)
    assert keys.account_fingerprint != keys.user_fingerprint


def test_credentials_and_resolved_text_forms():
    credentials = rca.Credentials(rca.ApiKeys(ACCOUNT, USER), base_url="http://127.0.0.1:1/v1")
    resolved = rca.CredentialChain(credentials=credentials, keychain=False).resolve()
    for text in (repr(credentials), str(credentials), repr(resolved), str(resolved)):
        assert_no_secret(text, ACCOUNT, USER)
    assert "http://127.0.0.1:1/v1" in repr(credentials)


def test_secret_holders_refuse_pickling():
    keys = rca.ApiKeys(ACCOUNT, USER)
    with pytest.raises(TypeError):
        pickle.dumps(keys)
    with pytest.raises(TypeError):
        pickle.dumps(rca.Credentials(keys))


def test_keys_compare_by_value():
    assert rca.ApiKeys(ACCOUNT, USER) == rca.ApiKeys(f" {ACCOUNT}\n", USER)
    assert rca.ApiKeys(ACCOUNT, USER) != rca.ApiKeys(ACCOUNT, USER + "x")


def test_equal_keys_hash_alike():
    assert hash(rca.ApiKeys(ACCOUNT, USER)) == hash(rca.ApiKeys(f" {ACCOUNT}\n", USER))
    seen = {rca.ApiKeys(ACCOUNT, USER), rca.ApiKeys(ACCOUNT, USER), rca.ApiKeys(ACCOUNT, USER + "x")}
    assert len(seen) == 2
    assert rca.ApiKeys(ACCOUNT, USER) in seen


def raised(function) -> BaseException:
    try:
        function()
    except Exception as error:
        return error
    raise AssertionError("no error")


def test_exceptions_and_tracebacks_hold_no_secret():
    errors = [
        raised(lambda: rca.ApiKeys(ACCOUNT, USER + " tail")),
        raised(lambda: rca.ApiKeys(ACCOUNT + "\r\nX-Evil: 1", USER)),
        raised(lambda: rca.parse_auth_headers({"x-api-key": ACCOUNT, "x-api-secret-key": USER + "é"})),
        raised(lambda: rca.parse_auth_headers([("x-api-key", ACCOUNT), ("x-api-key", ACCOUNT)])),
        raised(
            lambda: rca.CredentialChain(
                environment={"REDIS_CLOUD_ACCOUNT_KEY": ACCOUNT, "REDIS_CLOUD_API_KEY": USER},
                profile_file=None,
                keychain=False,
            ).resolve()
        ),
        raised(
            lambda: rca.CredentialChain(
                environment={"REDIS_CLOUD_ACCOUNT_KEY": ACCOUNT, "REDIS_CLOUD_USER_KEY": "bad value " + USER},
                profile_file=None,
                keychain=False,
            ).resolve()
        ),
    ]
    codes = [error.code for error in errors]
    assert codes == [
        "key_character",
        "key_character",
        "malformed_header",
        "duplicate_header",
        "conflict",
        "invalid_key",
    ]
    for error in errors:
        assert isinstance(error, rca.RedisCloudAuthError)
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        assert_no_secret(text + repr(error) + repr(vars(error)), ACCOUNT, USER)


def test_logging_output_holds_no_secret(caplog):
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("app")
    keys = rca.ApiKeys(ACCOUNT, USER)
    credentials = rca.Credentials(keys)
    log.debug("keys %s %r", keys, keys)
    log.info("credentials %s", credentials)
    log.info("resolved %r", rca.CredentialChain(credentials=credentials, keychain=False).resolve())
    try:
        rca.ApiKeys(ACCOUNT, "short")
    except rca.ApiKeyError:
        log.exception("rejected")
    assert keys.fingerprint in caplog.text
    assert "Traceback" in caplog.text
    assert_no_secret(caplog.text, ACCOUNT, USER)


def test_a_copied_secret_or_verifier_is_the_same_object_and_neither_pickles():
    # A second Python object on one native handle would free it twice.
    verifier = rca.Verifier()
    secret = verifier.enable_api(verifier.create_account("acme"))
    text = secret.expose()
    assert copy.copy(secret) is secret and copy.deepcopy({"k": secret})["k"] is secret
    assert copy.copy(verifier) is verifier and copy.deepcopy(verifier) is verifier
    for native in (secret, verifier):
        with pytest.raises(TypeError, match="native handles"):
            pickle.dumps(native)
    gc.collect()  # a copy sharing the handle would have freed it here
    assert secret.expose() == text and len(text) > 0


def test_errors_survive_pickle_and_copy_with_their_fields():
    failure = rca.AuthFailure(
        "user key invalid", code="invalid_user_key", http_status=401, public_message="m", public_code="unauthorized"
    )
    for again in (pickle.loads(pickle.dumps(failure)), copy.copy(failure)):
        assert type(again) is rca.AuthFailure and str(again) == "user key invalid"
        assert (again.code, again.http_status, again.public_code) == ("invalid_user_key", 401, "unauthorized")
    missing = rca.CredentialError("no credentials", code="not_found", searched=["environment"])
    deep = copy.deepcopy(missing)
    assert deep.searched == ["environment"] and deep.searched is not missing.searched


def test_key_holders_copy_as_themselves():
    keys = rca.ApiKeys(ACCOUNT, USER)
    assert copy.copy(keys) is keys and copy.deepcopy([keys])[0] is keys
