"""ASGI middleware that verifies Redis Cloud API keys (Starlette, FastAPI,
any ASGI 3 app).

>>> from redis_cloud_auth import Verifier
>>> from redis_cloud_auth.adapters.asgi import AuthMiddleware
>>> async def app(scope, receive, send): ...
>>> app = AuthMiddleware(app, Verifier())

In Starlette and FastAPI: ``app.add_middleware(AuthMiddleware, verifier=verifier)``,
and a handler reads ``request.scope["principal"]``.
"""

from __future__ import annotations

import typing

from .._errors import AuthFailure
from .._verifier import Verifier
from . import _verify

__all__ = ["AuthMiddleware", "PRINCIPAL_KEY"]

PRINCIPAL_KEY: typing.Final = "principal"
"""The scope key that holds the :class:`~redis_cloud_auth.Principal` of an
authenticated request."""

Scope = typing.MutableMapping[str, typing.Any]
Message = typing.MutableMapping[str, typing.Any]
Receive = typing.Callable[[], typing.Awaitable[Message]]
Send = typing.Callable[[Message], typing.Awaitable[None]]
App = typing.Callable[[Scope, Receive, Send], typing.Awaitable[None]]

# WebSocket close code for a refused handshake (RFC 6455: policy violation).
_POLICY_VIOLATION = 1008


class AuthMiddleware:
    """Authenticates every HTTP request and WebSocket handshake before the
    app sees it.

    An authenticated request reaches the app with the
    :class:`~redis_cloud_auth.Principal` in ``scope["principal"]``. Any
    other gets the verifier's status (401, 403, 503) and the same JSON body
    as ``rcauth serve`` (a WebSocket handshake is closed, code 1008). The
    source IP is the connection's peer, or what ``X-Forwarded-For`` says
    when the peer is one of the verifier's ``trusted_proxies``; run uvicorn
    with ``--no-proxy-headers``, or it replaces the peer from
    ``X-Forwarded-For`` itself before this middleware sees the request.

    ``authenticate`` runs inline on the event loop: it takes microseconds
    and never waits on the network; system-log writes happen on the
    verifier's own thread.
    """

    def __init__(self, app: App, verifier: Verifier) -> None:
        """Wraps ``app``; ``verifier`` decides every request."""
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)  # lifespan
            return
        client = scope.get("client")
        try:
            principal = _verify.authenticate(
                self.verifier,
                scope.get("method", "GET"),
                scope["path"],
                scope["headers"],
                client[0] if client else "",
            )
        except AuthFailure as failure:
            if kind == "http":
                await _refuse(send, failure)
            else:
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": _POLICY_VIOLATION})
            return
        scope = dict(scope)
        scope[PRINCIPAL_KEY] = principal
        await self.app(scope, receive, send)

    def __repr__(self) -> str:
        return f"AuthMiddleware({self.app!r}, {self.verifier!r})"


async def _refuse(send: Send, failure: AuthFailure) -> None:
    body = _verify.failure_body(failure)
    await send(
        {
            "type": "http.response.start",
            "status": failure.http_status,
            "headers": [
                (b"content-type", _verify.JSON_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
