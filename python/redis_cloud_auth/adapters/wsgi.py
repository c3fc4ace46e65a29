"""WSGI middleware that verifies Redis Cloud API keys (Flask, Django, any
WSGI app).

>>> from redis_cloud_auth import Verifier
>>> from redis_cloud_auth.adapters.wsgi import AuthMiddleware
>>> def app(environ, start_response): ...
>>> app = AuthMiddleware(app, Verifier())

In Flask: ``app.wsgi_app = AuthMiddleware(app.wsgi_app, verifier)``, and a
view reads ``request.environ["redis_cloud_auth.principal"]``; in Django,
wrap the ``application`` of ``wsgi.py``.
"""

from __future__ import annotations

import http
import typing

from .._errors import AuthFailure
from .._verifier import Verifier

__all__ = ["AuthMiddleware", "PRINCIPAL_KEY"]

PRINCIPAL_KEY: typing.Final = "redis_cloud_auth.principal"
"""The environ key that holds the :class:`~redis_cloud_auth.Principal` of
an authenticated request (WSGI extensions take dotted names)."""

Environ = typing.Dict[str, typing.Any]
StartResponse = typing.Callable[..., typing.Any]
App = typing.Callable[[Environ, StartResponse], typing.Iterable[bytes]]


class AuthMiddleware:
    """Authenticates every request before the app sees it; a refused one
    gets the verifier's status (401, 403, 503) and the same JSON body as
    ``rcauth serve``. The source IP is ``REMOTE_ADDR``, or what
    ``X-Forwarded-For`` says when that is one of the verifier's
    ``trusted_proxies``."""

    def __init__(self, app: App, verifier: Verifier) -> None:
        """Wraps ``app``; ``verifier`` decides every request."""
        self.app = app
        self.verifier = verifier

    def __call__(self, environ: Environ, start_response: StartResponse) -> typing.Iterable[bytes]:
        # The headers back from their CGI names (``HTTP_X_API_KEY`` is ``x-api-key``).
        headers = [
            (name[5:].replace("_", "-").lower(), value)
            for name, value in environ.items()
            if name.startswith("HTTP_")
        ]
        try:
            principal = self.verifier.authenticate(
                environ.get("REQUEST_METHOD", "GET"),
                environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
                headers,
                environ.get("REMOTE_ADDR", ""),
            )
        except AuthFailure as failure:
            body = failure.error_body.encode()
            start_response(
                f"{failure.http_status} {http.HTTPStatus(failure.http_status).phrase}",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        environ[PRINCIPAL_KEY] = principal
        return self.app(environ, start_response)

    def __repr__(self) -> str:
        return f"AuthMiddleware({self.app!r}, {self.verifier!r})"
