"""Benchmarks of the Python package (not a test).

1. Microseconds per ``authenticate`` on the same 100,000-key data: the
   binding's lean C entry, its batch call and its generated UniFFI call,
   against a pure-Python implementation of the same rules (hashlib,
   ipaddress, dict).
2. What the system log keeps per entry in an in-memory verifier: resident
   memory, and the writer thread's CPU.
3. Requests per second of the binding's ``BlockingClient`` against a
   ``requests.Session`` sending the same headers to the same ``rcauth
   serve`` endpoint.

Run from the repository root, with the package installed in release mode
(``pip install ./python``) and ``cargo build --release -p rcauth``::

    python python/bench.py [--keys 100000] [--calls 200000] [--rounds 7] [--requests 3000]
        [--log-calls 500000] [--only authenticate log client]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import gc
import hashlib
import ipaddress
import json
import os
import pathlib
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
# Measure the installed package, not the source tree next to this script.
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != HERE]

import redis_cloud_auth as rca  # noqa: E402

REPO = HERE.parent
KEYS_PER_ACCOUNT = 100


# The same rules in pure Python: a fair baseline, written the way a
# careful Python service would.

_KEY = re.compile(rb"[\x21-\x7e]{8,256}")


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclasses.dataclass
class PyAccount:
    id: int
    name: str
    enabled: bool


@dataclasses.dataclass
class PyUser:
    id: int
    account_id: int
    name: str
    email: str
    role: str


@dataclasses.dataclass
class PyKey:
    name: str
    account_id: int
    owner_id: int
    networks: list


class PurePythonVerifier:
    """Accounts, users and user keys in dicts keyed by SHA-256 digests."""

    def __init__(self) -> None:
        self.accounts: dict[bytes, PyAccount] = {}
        self.users: dict[int, PyUser] = {}
        self.keys: dict[bytes, PyKey] = {}
        # The system log, as the verifier keeps one: the newest entries.
        self.log: collections.deque = collections.deque(maxlen=100_000)

    @staticmethod
    def _key(value: str | None, header: str) -> bytes:
        if value is None:
            raise Refused("missing_credentials")
        raw = value.strip(" \t").encode()
        if not raw:
            raise Refused("missing_credentials")
        if not _KEY.fullmatch(raw):
            raise Refused("malformed_credentials")
        return raw

    def authenticate(self, method: str, path: str, headers: dict, peer: str):
        # The two key headers, named in any case, each at most once.
        account_key = user_key = None
        for name, value in headers.items():
            lower = name.lower()
            if lower == "x-api-key":
                if account_key is not None:
                    raise Refused("malformed_credentials")
                account_key = value
            elif lower == "x-api-secret-key":
                if user_key is not None:
                    raise Refused("malformed_credentials")
                user_key = value
        account_raw = self._key(account_key, "x-api-key")
        user_raw = self._key(user_key, "x-api-secret-key")
        account = self.accounts.get(hashlib.sha256(account_raw).digest())
        if account is None:
            raise Refused("invalid_account_key")
        if not account.enabled:
            raise Refused("api_disabled")
        key = self.keys.get(hashlib.sha256(user_raw).digest())
        if key is None:
            raise Refused("invalid_user_key")
        if key.account_id != account.id:
            raise Refused("account_mismatch")
        owner = self.users.get(key.owner_id)
        if owner is None or owner.role != "owner" or owner.account_id != account.id:
            raise Refused("owner_role_revoked")
        source = ipaddress.ip_address(peer)
        if key.networks and not any(source in net for net in key.networks):
            self.log.append((time.time(), account.id, key.name, f"{method} {path}", "forbidden", peer))
            raise Refused("source_ip_not_allowed")
        self.log.append((time.time(), account.id, key.name, f"{method} {path}", "authenticated", peer))
        return (account.id, account.name, owner.id, owner.name, owner.email, key.name, str(source))


def build(keys: int):
    """The same data in the binding's verifier and in the pure-Python one."""
    verifier = rca.Verifier()
    python = PurePythonVerifier()
    requests: list[tuple[str, str, dict, str]] = []
    rng = random.Random(7)
    for a in range((keys + KEYS_PER_ACCOUNT - 1) // KEYS_PER_ACCOUNT):
        account = verifier.create_account(f"account-{a}")
        owner = verifier.add_user(account, f"Owner {a}", f"owner{a}@example.com")
        account_key = verifier.enable_api(account).expose()
        python.accounts[hashlib.sha256(account_key.encode()).digest()] = PyAccount(
            account, f"account-{a}", True
        )
        python.users[owner] = PyUser(owner, account, f"Owner {a}", f"owner{a}@example.com", "owner")
        for k in range(min(KEYS_PER_ACCOUNT, keys - a * KEYS_PER_ACCOUNT)):
            # Half the keys carry an allow list of two networks.
            allow = ["10.0.0.0/8", "2001:db8::/32"] if k % 2 == 0 else []
            name = f"key-{a:05d}-{k:03d}"
            user_key = verifier.create_user_key(account, owner, owner, name, allow).expose()
            python.keys[hashlib.sha256(user_key.encode()).digest()] = PyKey(
                name, account, owner, [ipaddress.ip_network(n) for n in allow]
            )
            peer = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            headers = {"x-api-key": account_key, "x-api-secret-key": user_key}
            requests.append(("GET", "/v1/", headers, peer))
    rng.shuffle(requests)
    return verifier, python, requests


# Authentication is timed in CPU time, which on a shared machine does not
# count the time other processes hold the CPU: of the whole process (every
# thread, the verifier's system-log writer included) and of the calling
# thread alone; and in wall time, the figure to read on a quiet machine
# (the system-log writer then runs on another core). Each round runs the
# contenders interleaved, a chunk of calls each in turn, and each ratio is
# taken within its round, so a host that slows down for a while (this one
# runs the same pure-Python code at 11 to 28 µs a call within an hour)
# slows both sides of a ratio alike. Each contender reads its own chunk of
# the requests at a time, as cold as in a run of its own (at the defaults).

CHUNK = 10_000
"""Calls a contender makes before the next one's turn."""


@dataclasses.dataclass
class Timing:
    process: float
    """CPU microseconds per call, every thread of the process."""
    thread: float
    """CPU microseconds per call, the calling thread."""
    wall: float
    """Wall microseconds per call."""


def timed(run, calls: int, start: int = 0, settle=lambda: time.sleep(0.2)) -> Timing:
    """``run(start, start + calls)``, per call. ``settle()`` lets the system-log
    writer catch up: untimed, but the writer's CPU counts in the process's figure."""
    process, thread, wall = time.process_time(), time.thread_time(), time.perf_counter()
    run(start, start + calls)
    wall, thread = time.perf_counter() - wall, time.thread_time() - thread
    settle()
    return Timing((time.process_time() - process) / calls * 1e6, thread / calls * 1e6, wall / calls * 1e6)


def interleaved(runs: dict, calls: int, turn: int, settle) -> dict:
    """One round: every contender's ``calls`` calls, a chunk each in turn (the order
    turning chunk by chunk, and by ``turn``), each on another chunk of its requests
    (given at least as many chunks as contenders, and more requests than a chunk's
    distance: the defaults), so none finds what another just read still in cache;
    ``settle()`` after each. Per call, by contender."""
    names = list(runs)
    starts = list(range(0, calls, CHUNK))
    chunks: dict = {name: [] for name in names}
    for c in range(len(starts)):
        k = (c + turn) % len(names)
        for name in names[k:] + names[:k]:
            start = starts[(c + names.index(name) * len(starts) // len(names)) % len(starts)]
            n = min(CHUNK, calls - start)
            chunks[name].append((n, timed(runs[name], n, start, settle)))
    return {
        name: Timing(*(sum(getattr(t, f) * n for n, t in ts) / calls for f in ("process", "thread", "wall")))
        for name, ts in chunks.items()
    }


def best_of(run, calls: int, repeats: int = 3) -> Timing:
    """The best of ``repeats`` runs, field by field."""
    runs = [timed(run, calls) for _ in range(repeats)]
    return Timing(*(min(getattr(t, f) for t in runs) for f in ("process", "thread", "wall")))


def calling(function, requests, calls: int):
    """``run(start, stop)``: calls ``start`` to ``stop`` of ``calls`` calls of ``function(*request)``."""
    work = (requests * (calls // len(requests) + 1))[:calls]

    def run(start: int = 0, stop: int = calls):
        for request in work[start:stop]:
            function(*request)

    return run


def batched(verifier, requests, calls: int, batch: int = 1000):
    """``run(start, stop)``: requests ``start`` to ``stop`` of ``calls`` through
    ``authenticate_many``, ``batch`` at a time."""
    work = (requests * (calls // len(requests) + 1))[:calls]

    def run(start: int = 0, stop: int = calls):
        for i in range(start, stop, batch):
            verifier.authenticate_many(work[i : min(i + batch, stop)])

    return run


def median(values):
    return statistics.median(values)


def bench_authenticate(keys: int, calls: int, rounds: int) -> list[str]:
    started = time.perf_counter()
    verifier, python, requests = build(keys)
    setup = time.perf_counter() - started
    # Both implementations agree on every request before anything is timed.
    sample = requests[:1000]
    for request in sample:
        principal = verifier.authenticate(*request)
        assert python.authenticate(*request)[5] == principal.key_name
    outside = [rca.AuthRequest(m, p, h, "192.0.2.1") for m, p, h, _ in sample]
    agreed = verifier.authenticate_many(outside)
    for request, code in zip(outside, agreed):
        try:
            python.authenticate(*request)
            assert code == "ok"
        except Refused as refused:
            assert code == refused.code

    runs = {
        "pure Python (hashlib, ipaddress, dict, log)": calling(python.authenticate, requests, calls),
        "binding, lean C entry (Verifier.authenticate)": calling(verifier.authenticate, requests, calls),
        "binding, batch of 1000 (authenticate_many)": batched(verifier, requests, calls),
    }
    names = list(runs)
    # One untimed run each first: the binding's principal cache is filled
    # once per key, as in a server that sees its keys again and again.
    for run in runs.values():
        run()
    timings: dict[str, list[Timing]] = {name: [] for name in names}
    for r in range(rounds):
        for name, timing in interleaved(runs, calls, r, verifier.flush_system_log).items():
            timings[name].append(timing)
    pure = timings[names[0]]
    generated_calls = max(calls // 20, 2000)
    generated = timed(calling(verifier._generated, requests, generated_calls), generated_calls)

    def row(name: str, ts: list[Timing]) -> str:
        cells = []
        for field in ("process", "thread", "wall"):
            ratios = [getattr(p, field) / getattr(t, field) for p, t in zip(pure, ts)]
            cells.append(f"{median([getattr(t, field) for t in ts]):6.2f} us  {median(ratios):5.2f}x")
        return f"  {name:<48} " + "    ".join(cells)

    lines = [
        f"authenticate: {len(requests)} keys in {len(requests) // KEYS_PER_ACCOUNT} accounts "
        f"(half with a 2-entry allow list), {calls} successful calls a run, {rounds} rounds "
        f"interleaving chunks of {CHUNK}, medians; each ratio is the median of the rounds' ratios (setup {setup:.1f} s)",
        f"  {'':<48} {'process CPU/call':>17}    {'calling thread CPU':>18}    {'wall time/call':>14}",
    ]
    lines += [row(name, timings[name]) for name in names]
    # One run (against the first round's pure-Python run): it is slow.
    lines.append(row("binding, generated UniFFI (the fallback call)", [generated]))
    for name in names[1:]:
        walls = ", ".join(f"{p.wall / t.wall:.2f}" for p, t in zip(pure, timings[name]))
        lines.append(f"  wall-time ratio per round, {name.split(' (')[0]}: {walls}")
    return lines + breakdown(verifier, requests, calls)


def breakdown(verifier, requests, calls: int) -> list[str]:
    """Where a lean call's time goes: raw calls of the C entry point
    ``Verifier.authenticate`` makes (rca_authenticate)."""
    from redis_cloud_auth import _verifier as lean

    entry = lean._HOLDING_GIL

    def raw(handle, data):
        outcome = lean._new_outcome(handle)  # the struct stays alive with its address
        out = outcome[2]

        def run(start: int = 0, stop: int = len(data)):
            for item in data[start:stop]:
                entry(item, len(item) << 8 | 2, out)

        return best_of(run, len(data))

    def joined(m, p, h, peer):
        return "\0".join((m, p, peer, "x-api-key", h["x-api-key"], "x-api-secret-key", h["x-api-secret-key"])).encode()

    fields = [joined(*r) for r in requests[: calls // 2]]
    unknown = [joined(m, p, {**h, "x-api-key": "NoSuchAccountKey0123"}, peer) for m, p, h, peer in requests[: calls // 2]]
    rows = [
        ("ctypes call only (no verifier in the out-struct)", raw(0, fields)),
        ("+ checks, 2 SHA-256, lookup (unknown key: no log)", raw(verifier._handle, unknown)),
        ("+ user key, allow list, principal, system-log hand-off", raw(verifier._handle, fields)),
    ]
    return ["  breakdown of one lean call (raw C entry, no Python wrapper):"] + [
        f"    {name:<54} {t.process:6.2f} us    {t.thread:6.2f} us    {t.wall:6.2f} us" for name, t in rows
    ]


def resident_bytes() -> int:
    """The process's resident memory (Linux)."""
    return int(pathlib.Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_log(calls: int) -> list[str]:
    """What the in-memory store's system log costs beyond the calling thread:
    resident memory and the other threads' CPU (the writer's) per entry kept,
    over ``calls`` successful calls on 1,000 keys (10 accounts: no entry dropped)."""
    verifier, _, requests = build(1000)
    work = (requests * (calls // len(requests) + 1))[:calls]
    for request in requests:
        verifier.authenticate(*request)
    verifier.flush_system_log()
    gc.collect()
    resident, process, thread = resident_bytes(), time.process_time(), time.thread_time()
    for request in work:
        verifier.authenticate(*request)
    verifier.flush_system_log()
    others = (time.process_time() - process) - (time.thread_time() - thread)
    grown = resident_bytes() - resident
    return [
        f"system log: {calls} entries kept in memory, {grown / calls:.0f} bytes of resident memory "
        f"and {others / calls * 1e6:.2f} us of the other threads' CPU (the log writer's) an entry"
    ]


class Emulator:
    """`rcauth serve` on a loopback port, over a store set up from Python."""

    def __init__(self, binary: pathlib.Path) -> None:
        self.dir = tempfile.TemporaryDirectory(prefix="rca-bench-")
        data = pathlib.Path(self.dir.name)
        verifier = rca.Verifier(data / "rcauth.sqlite3")
        account = verifier.create_account("bench")
        owner = verifier.add_user(account, "Ada", "ada@example.com")
        account_key = verifier.enable_api(account).expose()
        user_key = verifier.create_user_key(account, owner, owner, "bench-client-key", ["127.0.0.0/8"]).expose()
        self.keys = rca.ApiKeys(account_key, user_key)
        del verifier
        self.process = subprocess.Popen(
            [str(binary), "--json", "serve", "--listen", "127.0.0.1:0", "--data", str(data)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.base_url = json.loads(self.process.stdout.readline())["baseUrl"]
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.dir.cleanup()


def requests_per_second(call, count: int, repeats: int = 3) -> float:
    for _ in range(50):
        call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(count):
            call()
        best = min(best, time.perf_counter() - start)
    return count / best


def bench_client(binary: pathlib.Path, count: int) -> list[str]:
    import requests as requests_library

    emulator = Emulator(binary)
    try:
        client = rca.BlockingClient(emulator.keys, base_url=emulator.base_url)
        session = requests_library.Session()
        session.headers.update(emulator.keys.expose_headers())
        url = emulator.base_url + "/"

        def with_requests():
            response = session.get(url, timeout=30)
            response.raise_for_status()
            return response.json()

        assert with_requests()["account"]["key"]["name"] == client.account().key.name
        ours = requests_per_second(client.account, count)
        theirs = requests_per_second(with_requests, count)
        return [
            f"client: GET /v1/ on rcauth serve ({binary.parent.name} build) at {emulator.base_url}, "
            f"{count} sequential requests each, wall time, best of 3",
            f"  requests.Session {requests_library.__version__:<8}                 {theirs:8.0f} req/s   baseline",
            f"  binding, BlockingClient.account()          {ours:8.0f} req/s   {ours / theirs:5.2f}x",
        ]
    finally:
        emulator.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--log-calls", type=int, default=500_000)
    parser.add_argument("--only", nargs="+", choices=["authenticate", "log", "client"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    parser.add_argument("--rcauth", type=pathlib.Path, default=target / "release" / "rcauth")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cpus, redis_cloud_auth from {pathlib.Path(rca.__file__).parent}"
    )
    only = set(args.only or ["authenticate", "log", "client"])
    if "authenticate" in only:
        for line in bench_authenticate(args.keys, args.calls, args.rounds):
            print(line, flush=True)
    # The authentication data is gone; do not let its garbage slow the next runs.
    gc.collect()
    if "log" in only:
        print(*bench_log(args.log_calls), sep="\n", flush=True)
    if "client" in only and args.rcauth.exists():
        for line in bench_client(args.rcauth, args.requests):
            print(line, flush=True)
    elif "client" in only:
        print(f"client: skipped, no rcauth binary at {args.rcauth} (cargo build --release -p rcauth)")


if __name__ == "__main__":
    sys.exit(main())
