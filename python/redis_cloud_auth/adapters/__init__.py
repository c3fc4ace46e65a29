"""The package in the HTTP stacks users already run; importing this
package imports none of them.

Client side, the two key headers on the user's own HTTP client:
:mod:`.requests` and :mod:`.httpx` (sync and async), each installed with
its extra (``pip install redis-cloud-auth[requests]``, ``[httpx]``).
Server side, each request verified with a :class:`~redis_cloud_auth.Verifier`:
:mod:`.asgi` (Starlette, FastAPI) and :mod:`.wsgi` (Flask, Django).
"""
