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

__all__ = ["AuthMiddleware", "PRINCIPAL_KEY"]

PRINCIPAL_KEY: typing.Final = "principal"
"""The scope key that holds the :class:`~redis_cloud_auth.Principal` of an
authenticated request."""

Scope = typing.MutableMapping[str, typing.Any]
Message = typing.MutableMapping[str, typing.Any]
Receive = typing.Callable[[], typing.Awaitable[Message]]
Send = typing.Callable[[Message], typing.Awaitable[None]]
App = typing.Callable[[Scope, Receive, Send], typing.Awaitable[None]]

class AuthMiddleware:
    """Authenticates every HTTP request and WebSocket handshake before the
    app sees it; a refused one gets the verifier's status (401, 403, 503)
    and the same JSON body as ``rcauth serve`` (a WebSocket handshake is
    closed, code 1008). The source IP is the connection's peer, or what
    ``X-Forwarded-For`` says when the peer is one of the verifier's
    ``trusted_proxies``: run uvicorn with ``--no-proxy-headers``, or it
    replaces the peer itself. ``authenticate`` runs inline on the event
    loop: it takes microseconds and never waits on the network."""

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
        # Bytes read as Latin-1: a byte outside ASCII is a malformed key to the core.
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        try:
            principal = self.verifier.authenticate(
                scope.get("method", "GET"), scope["path"], headers, client[0] if client else ""
            )
        except AuthFailure as failure:
            if kind == "http":
                body = failure.error_body.encode()
                start = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": failure.http_status, "headers": start})
                await send({"type": "http.response.body", "body": body})
            else:
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})  # RFC 6455: policy violation
            return
        await self.app({**scope, PRINCIPAL_KEY: principal}, receive, send)

    def __repr__(self) -> str:
        return f"AuthMiddleware({self.app!r}, {self.verifier!r})"
