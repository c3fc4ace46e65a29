"""CPU per request of the ASGI AuthMiddleware itself, in process: the same
scope through a bare ASGI app and through AuthMiddleware over it, with a
Verifier on the SQLite store at DATA (keys from $ACCOUNT_KEY and
$USER_KEY, as scripts/bench/adapters-load.sh makes them).

    python scripts/bench/middleware_cost.py DATA

Prints the best of 5 runs of 5,000 requests each, process CPU (the
verifier's log writer thread included: each run waits for the system log
to be written) and wall time.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import redis_cloud_auth as rca
from redis_cloud_auth.adapters.asgi import AuthMiddleware


async def app(scope, receive, send) -> None:
    """An app that does nothing: what is left is the middleware's cost."""


def main() -> None:
    verifier = rca.Verifier(sys.argv[1])
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/",
        "client": ("127.0.0.1", 50000),
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"x-api-key", os.environ["ACCOUNT_KEY"].encode()),
            (b"x-api-secret-key", os.environ["USER_KEY"].encode()),
        ],
    }

    async def run(handler, count: int) -> None:
        for _ in range(count):
            await handler(scope, None, None)

    for name, handler in (("bare app", app), ("AuthMiddleware + app", AuthMiddleware(app, verifier))):
        asyncio.run(run(handler, 500))
        best = (float("inf"), 0.0)
        for _ in range(5):
            count, cpu, wall = 5000, time.process_time(), time.perf_counter()
            asyncio.run(run(handler, count))
            verifier.flush_system_log()  # the log writer's work counts
            best = min(best, ((time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6))
        print(f"{name}: {best[0]:.1f} us CPU/request, {best[1]:.1f} us wall")


if __name__ == "__main__":
    main()
