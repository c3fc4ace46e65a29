"""Server middleware: Starlette under uvicorn (ASGI) and Flask under
wsgiref (WSGI), each a real server on loopback, verifying with a
Verifier and answering as `rcauth serve` does."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import wsgiref.simple_server

import flask
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

import redis_cloud_auth as rca
from conftest import assert_no_secret
from redis_cloud_auth.adapters import asgi, wsgi


class Keys:
    """A verifier in memory and the keys it knows."""

    def __init__(self) -> None:
        self.verifier = rca.Verifier()
        account = self.verifier.create_account("acme")
        owner = self.verifier.add_user(account, "Ada", "ada@example.com")
        account_key = self.verifier.enable_api(account).expose()
        self.account = account
        self.good = rca.ApiKeys(account_key, self.verifier.create_user_key(account, owner, owner, "service-key-1", []).expose())
        self.outside = rca.ApiKeys(
            account_key,
            self.verifier.create_user_key(account, owner, owner, "outside-only-key", ["192.0.2.0/24"]).expose(),
        )
        self.wrong_account = rca.ApiKeys("NoSuchAccountKey0123", self.good.expose_user_key())
        self.secrets = [account_key, self.good.expose_user_key(), self.outside.expose_user_key()]


def principal_json(principal: rca.Principal) -> dict:
    return {"key": principal.key_name, "account": principal.account_id, "source_ip": principal.source_ip}


def starlette_app() -> Starlette:
    async def whoami(request):
        return JSONResponse(principal_json(request.scope[asgi.PRINCIPAL_KEY]))

    async def echo(websocket):
        await websocket.accept()
        await websocket.send_text(websocket.scope[asgi.PRINCIPAL_KEY].key_name)
        await websocket.close()

    return Starlette(routes=[Route("/whoami", whoami), WebSocketRoute("/ws", echo)])


def flask_app() -> flask.Flask:
    app = flask.Flask("adapters")

    @app.get("/whoami")
    def whoami():
        return principal_json(flask.request.environ[wsgi.PRINCIPAL_KEY])

    return app


@contextlib.contextmanager
def uvicorn_server(app):
    """`app` served by uvicorn on a loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="debug", lifespan="off", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
        assert thread.is_alive(), "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        logging.getLogger("wsgiref").info(args[0] % args[1:])


@contextlib.contextmanager
def wsgiref_server(app):
    """`app` served by wsgiref on a loopback port; yields its base URL."""
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["asgi", "wsgi"])
def served(request):
    """(base URL, Keys) of Starlette+uvicorn or Flask+wsgiref behind the middleware."""
    keys = Keys()
    if request.param == "asgi":
        with uvicorn_server(asgi.AuthMiddleware(starlette_app(), keys.verifier)) as url:
            yield url, keys
    else:
        app = flask_app()
        app.wsgi_app = wsgi.AuthMiddleware(app.wsgi_app, keys.verifier)  # type: ignore[method-assign]
        with wsgiref_server(app) as url:
            yield url, keys


def test_an_authenticated_request_reaches_the_handler_with_its_principal(served, caplog):
    caplog.set_level(logging.DEBUG)
    url, keys = served
    answer = httpx.get(f"{url}/whoami", headers=keys.good.expose_headers())
    assert answer.status_code == 200
    assert answer.json() == {"key": "service-key-1", "account": keys.account, "source_ip": "127.0.0.1"}
    keys.verifier.flush_system_log()
    logged = keys.verifier.system_log(keys.account, limit=1)[0]
    assert logged.api_key_name == "service-key-1" and "/whoami" in logged.resource + logged.description
    assert_no_secret(caplog.text, *keys.secrets)


def test_other_requests_get_the_status_and_body_of_rcauth_serve(served, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    url, keys = served
    cases = [
        ({}, 401),
        ({"x-api-key": keys.good.expose_account_key()}, 401),
        (keys.wrong_account.expose_headers(), 401),
        ({**keys.good.expose_headers(), "x-api-secret-key": "NotAValidUserKey0123"}, 401),
        ({"x-api-key": "has space in it", "x-api-secret-key": "UserKey0123456"}, 401),
        (keys.outside.expose_headers(), 403),
    ]
    for headers, status in cases:
        answer = httpx.get(f"{url}/whoami", headers=headers)
        assert answer.status_code == status, headers.keys()
        assert answer.headers["content-type"] == "application/json"
        body = answer.json()
        assert body["status"] == status and body["error"] == ("forbidden" if status == 403 else "unauthorized")
        assert_no_secret(answer.text, *keys.secrets)
    # Byte for byte what the emulator answers for the same failures.
    for headers in ({}, {"x-api-key": "NoSuchAccountKey0123", "x-api-secret-key": "NoSuchUserKey012345"}):
        ours = httpx.get(f"{url}/whoami", headers=headers)
        theirs = httpx.get(f"{emulator.base_url}/", headers=headers)
        assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    assert_no_secret(caplog.text, *keys.secrets)


def test_the_source_ip_comes_from_trusted_proxies_only(served):
    url, keys = served
    forwarded = {**keys.outside.expose_headers(), "x-forwarded-for": "192.0.2.9"}
    # Not a trusted proxy: the peer (loopback) is the source, outside the allow list.
    assert httpx.get(f"{url}/whoami", headers=forwarded).status_code == 403
    keys.verifier.trusted_proxies = ["127.0.0.0/8"]
    answer = httpx.get(f"{url}/whoami", headers=forwarded)
    assert answer.status_code == 200
    assert answer.json()["source_ip"] == "192.0.2.9"
    refused = httpx.get(f"{url}/whoami", headers={**forwarded, "x-forwarded-for": "198.51.100.1"})
    assert refused.status_code == 403 and "198.51.100.1" in refused.json()["message"]


def test_a_repeated_key_header_is_refused(served):
    url, keys = served
    headers = list(keys.good.expose_headers().items()) + [("x-api-key", keys.good.expose_account_key())]
    answer = httpx.get(f"{url}/whoami", headers=headers)
    assert answer.status_code == 401
    assert "x-api-key" in answer.json()["message"]


def test_a_websocket_handshake_is_verified_too():
    import websockets.exceptions
    import websockets.sync.client as websockets_client
    keys = Keys()
    with uvicorn_server(asgi.AuthMiddleware(starlette_app(), keys.verifier)) as url:
        ws_url = url.replace("http://", "ws://") + "/ws"
        with websockets_client.connect(ws_url, additional_headers=keys.good.expose_headers()) as ws:
            assert ws.recv(timeout=10) == "service-key-1"
        # Closed before it is accepted: uvicorn answers the handshake with 403.
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            with websockets_client.connect(ws_url, additional_headers=keys.wrong_account.expose_headers()) as ws:
                ws.recv(timeout=10)
        assert refused.value.response.status_code == 403


def test_lifespan_passes_through_and_the_middleware_holds_no_secret():
    keys = Keys()
    events = []

    async def app(scope, receive, send):
        events.append(scope["type"])

    middleware = asgi.AuthMiddleware(app, keys.verifier)
    asyncio.run(middleware({"type": "lifespan"}, None, None))
    assert events == ["lifespan"]
    assert_no_secret(repr(middleware) + repr(wsgi.AuthMiddleware(app, keys.verifier)), *keys.secrets)
