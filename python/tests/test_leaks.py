"""The secret-leak suite of the Python package: real and wrong keys go
through every authentication failure (lean and header paths), admin
errors, the client against the emulator, and credential stores, with
logging at DEBUG and the process's own stdout and stderr captured; no
secret may appear in any repr, str, exception, traceback, log record,
system-log entry, or byte of the SQLite files."""

from __future__ import annotations

import logging
import pathlib
import traceback

import pytest

import redis_cloud_auth as rca
from conftest import keyed

WRONG_ACCOUNT = "WrongAccountKey-Py-3e9a5c"
WRONG_USER = "WrongUserKey-Py-8f1b2d"


def texts_of(error: BaseException) -> list[str]:
    """Every text form of an exception a program might print or log."""
    return [
        str(error),
        repr(error),
        repr(vars(error)) if hasattr(error, "__dict__") else "",
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    ]


def raised(function) -> BaseException:
    try:
        function()
    except Exception as error:  # noqa: BLE001 - every kind is checked
        return error
    raise AssertionError("nothing was raised")


def assert_clean(what: str, data: bytes | str, secrets: list[str]) -> None:
    blob = data.encode() if isinstance(data, str) else data
    for secret in secrets:
        assert secret.encode() not in blob, f"a secret ({len(secret)} chars) leaked into {what}"


def test_no_secret_appears_anywhere(tmp_path: pathlib.Path, caplog, capfd, emulator):
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("leaks")
    db = tmp_path / "verifier.db"
    v = rca.Verifier(db)
    acme = v.create_account("acme")
    ada = v.add_user(acme, "Ada", "ada@example.com")
    mia = v.add_user(acme, "Mia", "mia@example.com")
    account_key = v.enable_api(acme).expose()
    user_key = v.create_user_key(acme, ada, ada, "ada-laptop-key", ["10.0.0.0/8"]).expose()
    mias_key = v.create_user_key(acme, mia, mia, "mia-laptop-key", []).expose()
    old_key = v.create_user_key(acme, ada, ada, "ada-old-key-01", []).expose()
    v.delete_user_key(acme, ada, "ada-old-key-01")
    v.set_user_role(acme, mia, rca.Role.VIEWER)
    globex = v.create_account("globex")
    gus = v.add_user(globex, "Gus", "gus@example.com")
    globex_account_key = v.enable_api(globex).expose()
    globex_user_key = v.create_user_key(globex, gus, gus, "gus-server-key", []).expose()
    rotated_away = globex_account_key
    globex_account_key = v.rotate_account_key(globex).expose()
    v.disable_api(globex)
    secrets = [
        account_key,
        user_key,
        mias_key,
        old_key,
        globex_account_key,
        globex_user_key,
        rotated_away,
        WRONG_ACCOUNT,
        WRONG_USER,
        emulator.keys.expose_account_key(),
        emulator.keys.expose_user_key(),
    ]
    seen: list[tuple[str, str]] = []

    ok = v.authenticate("GET", "/v1/", keyed(account_key, user_key), "10.0.0.1")
    seen.append(("principal", repr(ok) + str(ok)))
    cases = {
        "missing": (account_key, None, "10.0.0.1"),
        "malformed": (account_key, f"{user_key} {WRONG_USER}", "10.0.0.1"),
        "wrong account": (WRONG_ACCOUNT, user_key, "10.0.0.1"),
        "rotated": (rotated_away, globex_user_key, "10.0.0.1"),
        "wrong user": (account_key, WRONG_USER, "10.0.0.1"),
        "mismatch": (account_key, globex_user_key, "10.0.0.1"),
        "deleted": (account_key, old_key, "10.0.0.1"),
        "revoked owner": (account_key, mias_key, "10.0.0.1"),
        "disabled": (globex_account_key, globex_user_key, "10.0.0.1"),
        "denied ip": (account_key, user_key, "192.0.2.1"),
    }
    codes = set()
    for name, (a, u, peer) in cases.items():
        error = raised(lambda: v.authenticate("GET", "/v1/", keyed(a, u), peer))
        assert isinstance(error, rca.AuthFailure), name
        codes.add(error.code)
        log.exception("authentication failed: %s", name, exc_info=error)
        seen.extend((name, t) for t in texts_of(error))
        headers = [(n, x) for n, x in (("x-api-key", a), ("x-api-secret-key", u)) if x is not None]
        error = raised(lambda: v.authenticate("GET", "/", headers, peer))
        seen.extend((f"{name} (headers)", t) for t in texts_of(error))
    assert len(codes) >= 7, codes
    duplicate = [("x-api-key", account_key), ("x-api-secret-key", user_key), ("X-Api-Secret-Key", user_key)]
    seen.extend(("duplicate", t) for t in texts_of(raised(lambda: v.authenticate("GET", "/", duplicate, "10.0.0.1"))))

    for action in (
        lambda: v.create_user_key(acme, ada, ada, f"{user_key}!", []),
        lambda: v.create_user_key(acme, ada, ada, "bad-cidr-key", ["10.1.2.3/8"]),
        lambda: v.delete_user_key(acme, ada, WRONG_USER),
        lambda: rca.ApiKeys(account_key, f"{user_key}\x07"),
        lambda: rca.parse_auth_headers({"x-api-key": account_key, "x-api-secret-key": user_key + "é"}),
    ):
        error = raised(action)
        log.exception("refused", exc_info=error)
        seen.extend(("admin", t) for t in texts_of(error))
    seen.append(("verifier", repr(v) + str(v)))
    seen.append(("keys", repr(v.list_user_keys(acme)) + repr(v.list_users(acme))))

    # The client against the real emulator: wrong keys, a denied source.
    for name, keys in (
        ("client ok", emulator.keys),
        ("client wrong user", rca.ApiKeys(emulator.keys.expose_account_key(), WRONG_USER)),
        ("client wrong account", rca.ApiKeys(WRONG_ACCOUNT, emulator.keys.expose_user_key())),
        ("client outside", emulator.outside_keys),
    ):
        client = rca.BlockingClient(keys, base_url=emulator.base_url, max_retries=0)
        seen.append((f"{name} client", repr(client) + str(client)))
        try:
            seen.append((name, repr(client.account())))
        except rca.ClientError as error:
            log.exception("client failed", exc_info=error)
            seen.extend((name, t) for t in texts_of(error))

    # A profile file holding a key in a broken line.
    profile = tmp_path / "credentials.toml"
    profile.write_text(f'[profiles.default]\naccount_key = "{account_key}"\nuser_key = {user_key}\n')
    profile.chmod(0o600)
    error = raised(lambda: rca.FileStore(profile).load("default"))
    seen.extend(("profile file", t) for t in texts_of(error))

    v.flush_system_log()
    entries = v.system_log(acme, 0, 1000) + v.system_log(globex, 0, 1000)
    assert len(entries) >= 8
    seen.extend(("system log", repr(e)) for e in entries)

    captured = capfd.readouterr()
    for what, text in seen:
        assert_clean(what, text, secrets)
    assert "authentication failed" in caplog.text
    assert_clean("logging output", caplog.text, secrets)
    assert_clean("stdout", captured.out, secrets)
    assert_clean("stderr", captured.err, secrets)
    del v
    for path in tmp_path.iterdir():
        if path.suffix != ".toml":
            assert_clean(path.name, path.read_bytes(), secrets)
