"""The shared conformance vectors of tests/vectors/, run through the package."""

from __future__ import annotations

import os

import pytest

import redis_cloud_auth as rca
from conftest import assert_no_secret, load_vectors

HEADERS = load_vectors("headers.json")
CREDENTIALS = load_vectors("credentials.json")


@pytest.mark.parametrize("case", HEADERS["build"], ids=lambda c: c["name"])
def test_header_building(case):
    if "error" in case:
        with pytest.raises(rca.ApiKeyError) as caught:
            rca.ApiKeys(account_key=case["account_key"], user_key=case["user_key"])
        error = caught.value
        assert error.code == case["error"]
        assert error.key == rca.KeyKind(case["key"])
        assert isinstance(error, ValueError)
        for value in (case["account_key"], case["user_key"]):
            if len(value.strip()) >= 8:
                assert_no_secret(str(error) + repr(error), value.strip())
    else:
        keys = rca.ApiKeys(account_key=case["account_key"], user_key=case["user_key"])
        assert [list(pair) for pair in keys.expose_headers().items()] == case["headers"]


@pytest.mark.parametrize("case", HEADERS["parse"], ids=lambda c: c["name"])
def test_header_parsing(case):
    pairs = [tuple(pair) for pair in case["headers"]]
    if "error" in case:
        with pytest.raises(rca.HeaderError) as caught:
            rca.parse_auth_headers(pairs)
        assert caught.value.code == case["error"]
        assert caught.value.header == case["header"]
    else:
        keys = rca.parse_auth_headers(pairs)
        assert keys.expose_account_key() == case["account_key"]
        assert keys.expose_user_key() == case["user_key"]
        # The same request given as bytes values, as WSGI/ASGI servers do.
        as_bytes = [(name, value.encode()) for name, value in pairs]
        assert rca.parse_auth_headers(as_bytes) == keys


def test_header_bytes_outside_utf8_are_malformed():
    with pytest.raises(rca.HeaderError) as caught:
        rca.parse_auth_headers(
            [("x-api-key", b"AccountKey0123"), ("x-api-secret-key", b"UserKey\xff0123456")]
        )
    assert caught.value.code == "malformed_header"
    assert caught.value.header == rca.USER_KEY_HEADER


@pytest.mark.parametrize("case", CREDENTIALS["cases"], ids=lambda c: c["name"])
def test_credential_resolution(case, tmp_path):
    path = tmp_path / "credentials.toml"
    if "file" in case:
        path.write_text(case["file"]["content"])
        os.chmod(path, int(case["file"]["mode"], 8))
    chain = rca.CredentialChain(
        environment=case["env"],
        profile=case.get("profile"),
        profile_file=path,
        keychain=False,
    )
    if "error" in case:
        with pytest.raises(rca.CredentialError) as caught:
            chain.resolve()
        error = caught.value
        assert error.code == case["error"], str(error)
        text = str(error)
        for part in case.get("message_contains", []):
            assert part in text
        secrets = [v for v in case["env"].values() if len(v) >= 8 and not v.startswith("http")]
        assert_no_secret(text + repr(error), *secrets)
    else:
        found = chain.resolve()
        expect = case["expect"]
        assert found.source == rca.CredentialSource(expect["source"])
        assert found.source.value == expect["source"]
        assert found.credentials.keys.expose_account_key() == expect["account_key"]
        assert found.credentials.keys.expose_user_key() == expect["user_key"]
        assert found.credentials.base_url == expect["base_url"]
        assert found.profile == case.get("profile", case["env"].get("REDIS_CLOUD_PROFILE", "default"))
