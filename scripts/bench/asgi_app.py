"""One uvicorn server for scripts/bench/adapters-load.sh: the same
Starlette app, behind AuthMiddleware (``auth``) or not (``plain``), with a
Verifier over the SQLite store at ``DATA``.

    python scripts/bench/asgi_app.py auth|plain DATA

Prints ``listening on http://127.0.0.1:PORT`` once it serves.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import redis_cloud_auth as rca
from redis_cloud_auth.adapters.asgi import AuthMiddleware


async def hello(request: Request) -> JSONResponse:
    """The app's one endpoint: a small JSON answer."""
    return JSONResponse({"hello": "world", "path": request.url.path})


def main() -> None:
    mode, data = sys.argv[1], sys.argv[2]
    app = Starlette(routes=[Route("/v1/", hello)])
    if mode == "auth":
        app.add_middleware(AuthMiddleware, verifier=rca.Verifier(data))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)  # accepting before uvicorn starts: wrk may connect at once
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", proxy_headers=False)
    server = uvicorn.Server(config)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
