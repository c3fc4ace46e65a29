"""Shared fixtures: the conformance vectors and secret-free output checks."""

from __future__ import annotations

import json
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"


def load_vectors(name: str) -> dict:
    """One file of the shared conformance vectors."""
    return json.loads((VECTORS / name).read_text())


@pytest.fixture
def vectors():
    return load_vectors


def assert_no_secret(text: str, *secrets: str) -> None:
    """Fails when any secret appears in ``text``."""
    for secret in secrets:
        assert secret not in text, f"secret leaked into {text!r}"


# The emulator: a real `rcauth serve` on a loopback port.

import json as _json
import os
import socket
import subprocess
import threading
from dataclasses import dataclass

import redis_cloud_auth as rca


def rcauth_binary() -> pathlib.Path:
    """The `rcauth` binary: $RCAUTH_BIN, else the workspace's debug build."""
    if os.environ.get("RCAUTH_BIN"):
        return pathlib.Path(os.environ["RCAUTH_BIN"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "debug" / "rcauth"
    if not path.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "rcauth"], cwd=REPO, check=True)
    return path


class Server:
    """One `rcauth serve` process on 127.0.0.1 and an ephemeral port."""

    def __init__(self, data: pathlib.Path, *flags: str) -> None:
        self.process = subprocess.Popen(
            [str(rcauth_binary()), "--json", "serve", "--listen", "127.0.0.1:0", "--data", str(data), *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"rcauth serve did not start: {self.process.stderr.read()}")
        self.base_url: str = _json.loads(line)["baseUrl"]
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process.stderr.close()


@dataclass
class Emulator:
    """A running emulator and the keys of its accounts."""

    base_url: str
    limited_base_url: str
    verifier: rca.Verifier
    account: int
    owner: int
    keys: rca.ApiKeys
    """Allowed from loopback."""
    outside_keys: rca.ApiKeys
    """Allowed only from 192.0.2.0/24: forbidden here."""
    disabled_keys: rca.ApiKeys
    """Of an account whose API is disabled."""


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    data = tmp_path_factory.mktemp("rcauth-data")
    # Set up through the Python verifier on the same SQLite file the
    # emulator serves (the store supports several processes).
    verifier = rca.Verifier(data / "rcauth.sqlite3")
    account = verifier.create_account("acme")
    owner = verifier.add_user(account, "Ada", "ada@example.com")
    account_key = verifier.enable_api(account).expose()
    user_key = verifier.create_user_key(account, owner, owner, "loopback-key", ["127.0.0.0/8", "::1/128"]).expose()
    outside_key = verifier.create_user_key(account, owner, owner, "outside-only-key", ["192.0.2.0/24"]).expose()
    off = verifier.create_account("dormant")
    off_owner = verifier.add_user(off, "Dee", "dee@example.com")
    off_account_key = verifier.enable_api(off).expose()
    off_user_key = verifier.create_user_key(off, off_owner, off_owner, "dormant-app-key", []).expose()
    verifier.disable_api(off)
    servers = [Server(data), Server(data, "--rate-limit", "1")]
    try:
        yield Emulator(
            base_url=servers[0].base_url,
            limited_base_url=servers[1].base_url,
            verifier=verifier,
            account=account,
            owner=owner,
            keys=rca.ApiKeys(account_key, user_key),
            outside_keys=rca.ApiKeys(account_key, outside_key),
            disabled_keys=rca.ApiKeys(off_account_key, off_user_key),
        )
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


class HeldProxy:
    """A loopback proxy to the emulator that holds every connection, without
    reading an answer, until the test calls :meth:`release`: a request that
    is provably in flight for as long as the test needs, with no clock.

    If the test never releases (a caller that blocked the thread it should
    have left free), the proxy lets go after ``give_up_after`` seconds and
    :attr:`gave_up` says so, so the test fails instead of hanging.
    """

    def __init__(self, upstream_url: str, give_up_after: float = 30.0) -> None:
        host_port = upstream_url.split("//", 1)[1].split("/", 1)[0]
        host, port = host_port.rsplit(":", 1)
        self._upstream = (host, int(port))
        self._give_up_after = give_up_after
        self._released = threading.Event()
        self._arrived = threading.Event()
        self.gave_up = False
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            first = client.recv(65536)
            if not first:
                return
            self._arrived.set()
            if not self._released.wait(self._give_up_after):
                self.gave_up = True
                self._released.set()
            try:
                upstream = socket.create_connection(self._upstream)
            except OSError:
                return
            with upstream:
                upstream.sendall(first)
                back = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
                back.start()
                self._pump(client, upstream)
                back.join()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def wait_for_request(self, timeout: float = 30.0) -> None:
        """Blocks until a request has reached the proxy (and is held)."""
        assert self._arrived.wait(timeout), "no request reached the proxy"

    @property
    def holding(self) -> bool:
        """True until released (by the test or by giving up)."""
        return not self._released.is_set()

    def release(self) -> None:
        """Lets every held and later connection through to the emulator."""
        self._released.set()

    def close(self) -> None:
        self.release()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()


@pytest.fixture
def held(emulator):
    """A :class:`HeldProxy` in front of the emulator."""
    proxy = HeldProxy(emulator.base_url)
    yield proxy
    proxy.close()


def keyed(account_key, user_key) -> list:
    """The headers of a request carrying these keys (None: header absent)."""
    pairs = (("x-api-key", account_key), ("x-api-secret-key", user_key))
    return [(name, value) for name, value in pairs if value is not None]
