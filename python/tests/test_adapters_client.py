"""Client adapters: the keys on the user's own requests and httpx clients,
against a real `rcauth serve`."""

from __future__ import annotations

import asyncio
import http.server
import logging
import subprocess
import sys
import threading

import httpx
import pytest
import requests

import redis_cloud_auth as rca
from conftest import assert_no_secret
from redis_cloud_auth.adapters import httpx as httpx_adapter
from redis_cloud_auth.adapters import requests as requests_adapter


def secrets_of(keys: rca.ApiKeys) -> tuple[str, str]:
    return keys.expose_account_key(), keys.expose_user_key()


@pytest.fixture
def chain_environment(emulator, monkeypatch, tmp_path):
    """The emulator's keys and base URL in the process environment only."""
    for name in ("REDIS_CLOUD_API_KEY", "REDIS_CLOUD_SECRET_KEY", "REDIS_CLOUD_API_SECRET",
                 "REDISCLOUD_ACCESS_KEY", "REDISCLOUD_SECRET_KEY", "REDIS_CLOUD_API_URL", "REDISCLOUD_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REDIS_CLOUD_ACCOUNT_KEY", emulator.keys.expose_account_key())
    monkeypatch.setenv("REDIS_CLOUD_USER_KEY", emulator.keys.expose_user_key())
    monkeypatch.setenv("REDIS_CLOUD_BASE_URL", emulator.base_url)
    monkeypatch.setenv("REDIS_CLOUD_CONFIG", str(tmp_path / "absent.toml"))


@pytest.fixture
def wrong_keys(emulator):
    return rca.ApiKeys(emulator.keys.expose_account_key(), "NotTheUserKey0123456")


def test_importing_the_package_needs_neither_extra():
    # A fresh interpreter in which both imports fail.
    code = (
        "import sys; sys.modules['requests'] = None; sys.modules['httpx'] = None\n"
        "import redis_cloud_auth, redis_cloud_auth.adapters, redis_cloud_auth.adapters.asgi, "
        "redis_cloud_auth.adapters.wsgi\n"
        "try:\n import redis_cloud_auth.adapters.requests\nexcept ImportError: print('no requests')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "no requests"


def test_requests_gets_200_with_keys_and_401_without(emulator, wrong_keys, caplog):
    caplog.set_level(logging.DEBUG)
    auth = requests_adapter.ApiKeysAuth(emulator.keys)
    with requests.Session() as session:
        answer = session.get(f"{emulator.base_url}/", auth=auth, timeout=10)
        assert answer.status_code == 200
        assert answer.json()["account"]["key"]["name"] == "loopback-key"
        refused = session.get(f"{emulator.base_url}/", auth=requests_adapter.ApiKeysAuth(wrong_keys), timeout=10)
        assert refused.status_code == 401
        assert refused.json()["error"] == "unauthorized"
        # Forbidden from loopback: the key allows only 192.0.2.0/24.
        outside = session.get(f"{emulator.base_url}/", auth=requests_adapter.ApiKeysAuth(emulator.outside_keys), timeout=10)
        assert outside.status_code == 403
    assert_no_secret(caplog.text + refused.text + outside.text, *secrets_of(emulator.keys))


def test_requests_auth_from_the_default_chain_reads_the_environment(emulator, chain_environment):
    auth = requests_adapter.ApiKeysAuth()
    assert auth.base_url == emulator.base_url
    assert auth.fingerprint == emulator.keys.fingerprint
    answer = requests.get(f"{auth.base_url}/", auth=auth, timeout=10)
    assert answer.status_code == 200 and answer.json()["account"]["id"] == emulator.account
    assert requests_adapter.ApiKeysAuth(rca.Credentials(emulator.keys, emulator.base_url)) == auth


def test_requests_auth_without_credentials_fails_with_a_typed_error(monkeypatch, tmp_path):
    chain = rca.CredentialChain(environment={}, profile_file=None, keychain=False)
    with pytest.raises(rca.CredentialError) as caught:
        requests_adapter.ApiKeysAuth(chain)
    assert caught.value.code == "not_found"
    with pytest.raises(TypeError):
        requests_adapter.ApiKeysAuth("AccountKey0123")  # type: ignore[arg-type]


def test_adapters_text_forms_hold_no_secret(emulator):
    for auth in (requests_adapter.ApiKeysAuth(emulator.keys), httpx_adapter.ApiKeysAuth(emulator.keys)):
        text = repr(auth) + str(auth)
        assert emulator.keys.fingerprint in text
        assert_no_secret(text, *secrets_of(emulator.keys))


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Records each request's headers; `/redirect?to=URL` answers 302."""

    seen: list = []

    def do_GET(self):  # noqa: N802
        type(self).seen.append(dict(self.headers))
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.split("=", 1)[1])
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def two_origins():
    """Two loopback HTTP servers (two origins) that record headers."""
    servers = []
    for _ in range(2):
        handler = type("Recorder", (_Recorder,), {"seen": []})
        server = http.server.HTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    yield [(f"http://127.0.0.1:{s.server_address[1]}", s.RequestHandlerClass.seen) for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_requests_keeps_the_keys_on_same_origin_redirects_only(emulator, two_origins):
    (first, first_seen), (second, second_seen) = two_origins
    auth = requests_adapter.ApiKeysAuth(emulator.keys)
    assert requests.get(f"{first}/redirect?to=/landed", auth=auth, timeout=10).status_code == 200
    assert [h.get("x-api-key") for h in first_seen] == [emulator.keys.expose_account_key()] * 2
    assert requests.get(f"{first}/redirect?to={second}/landed", auth=auth, timeout=10).status_code == 200
    assert "x-api-key" in first_seen[-1] and "x-api-secret-key" in first_seen[-1]
    assert len(second_seen) == 1
    assert "x-api-key" not in second_seen[0] and "x-api-secret-key" not in second_seen[0]


def test_httpx_sync_and_async_get_200_with_keys_and_401_without(emulator, wrong_keys, caplog):
    caplog.set_level(logging.DEBUG)
    with httpx.Client(auth=httpx_adapter.ApiKeysAuth(emulator.keys), timeout=10) as client:
        answer = client.get(f"{emulator.base_url}/")
        assert answer.status_code == 200
        assert answer.json()["account"]["key"]["name"] == "loopback-key"
    with httpx.Client(auth=httpx_adapter.ApiKeysAuth(wrong_keys), timeout=10) as client:
        assert client.get(f"{emulator.base_url}/").status_code == 401

    async def main():
        async with httpx.AsyncClient(auth=httpx_adapter.ApiKeysAuth(emulator.keys), timeout=10) as good:
            answers = await asyncio.gather(*(good.get(f"{emulator.base_url}/") for _ in range(4)))
        async with httpx.AsyncClient(auth=httpx_adapter.ApiKeysAuth(wrong_keys), timeout=10) as bad:
            refused = await bad.get(f"{emulator.base_url}/logs")
        return [a.status_code for a in answers], refused

    statuses, refused = asyncio.run(main())
    assert statuses == [200] * 4
    assert refused.status_code == 401 and refused.json()["status"] == 401
    assert_no_secret(caplog.text + refused.text, *secrets_of(emulator.keys))


def test_httpx_auth_from_the_default_chain_reads_the_environment(emulator, chain_environment):
    auth = httpx_adapter.ApiKeysAuth()
    assert auth.base_url == emulator.base_url
    with httpx.Client(auth=auth, base_url=auth.base_url + "/", timeout=10) as client:
        assert client.get("logs", params={"limit": 1}).status_code == 200
