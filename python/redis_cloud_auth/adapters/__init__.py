"""The package in the HTTP stacks users already run.

Client side, adding the two key headers to the user's own HTTP client:
:mod:`redis_cloud_auth.adapters.requests` (``requests``) and
:mod:`redis_cloud_auth.adapters.httpx` (``httpx``, sync and async), each
installed with its extra (``pip install redis-cloud-auth[requests]``,
``[httpx]``).

Server side, verifying each request with a :class:`~redis_cloud_auth.Verifier`:
:mod:`redis_cloud_auth.adapters.asgi` (Starlette, FastAPI) and
:mod:`redis_cloud_auth.adapters.wsgi` (Flask, Django); they need nothing
beyond this package.

Importing this package imports none of them.
"""
