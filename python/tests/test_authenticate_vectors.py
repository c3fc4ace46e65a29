"""The shared conformance vectors of tests/vectors/authenticate.json: admin
steps, then one request, through both the lean C entry and the generated
call (which must agree), with the system log checked per account."""

from __future__ import annotations

import json

import pytest

import redis_cloud_auth as rca
from conftest import assert_no_secret, load_vectors

CASES = load_vectors("authenticate.json")["cases"]
FAILURES = load_vectors("auth_failures.json")
# Every failure the public API can cause, once each, with the same code and
# status in every language.
CASES += FAILURES["cases"]


class Run:
    """One case: a new in-memory verifier and the symbols its steps named."""

    def __init__(self) -> None:
        self.verifier = rca.Verifier()
        self.ids: dict[str, int] = {}
        self.accounts: list[int] = []
        self.secrets: dict[str, str] = {}

    def id(self, value):
        return value if isinstance(value, int) else self.ids[value]

    def step(self, step: dict) -> None:
        v, op = self.verifier, step["op"]
        if op == "create_account":
            found = v.create_account(step["name"])
            self.ids[step["account"]] = found
            self.accounts.append(found)
        elif op == "add_user":
            self.ids[step["user"]] = v.add_user(
                self.id(step["account"]), step["name"], step["email"], rca.Role(step["role"])
            )
        elif op == "enable_api":
            key = v.enable_api(self.id(step["account"]))
            if step["account_key"] is None:
                assert key is None
            else:
                assert isinstance(key, rca.Secret)
                self.secrets[step["account_key"]] = key.expose()
        elif op == "disable_api":
            v.disable_api(self.id(step["account"]))
        elif op == "rotate_account_key":
            self.secrets[step["account_key"]] = v.rotate_account_key(self.id(step["account"])).expose()
        elif op == "create_user_key":
            self.secrets[step["user_key"]] = v.create_user_key(self.id(step["account"]), self.id(step["acting_user"]), self.id(step["owner"]), step["name"], step["allow_list"]).expose()
        elif op == "set_user_role":
            v.set_user_role(self.id(step["account"]), self.id(step["user"]), rca.Role(step["role"]))
        elif op == "set_allow_list":
            v.set_allow_list(
                self.id(step["account"]), self.id(step["acting_user"]), step["name"], step["allow_list"]
            )
        elif op == "delete_user_key":
            v.delete_user_key(self.id(step["account"]), self.id(step["acting_user"]), step["name"])
        elif op == "set_trusted_proxies":
            v.trusted_proxies = step["nets"]
        else:
            raise AssertionError(f"unknown step {op}")

    def value(self, value) -> str:
        if isinstance(value, str):
            return value
        symbol = value.get("account_key") or value.get("user_key")
        pad = value.get("pad", "")
        return f"{pad}{self.secrets[symbol]}{pad}"

    def log_lengths(self) -> dict[int, int]:
        self.verifier.flush_system_log()
        return {a: len(self.verifier.system_log(a, 0, 1000)) for a in self.accounts}


def check_principal(run: Run, principal: rca.Principal, expect: dict) -> None:
    assert principal.account_id == run.ids[expect["account"]]
    assert principal.user_id == run.ids[expect["user"]]
    for name in ("account_name", "owner_name", "owner_email", "key_name", "source_ip"):
        assert getattr(principal, name) == expect[name], name


def check_failure(run: Run, failure: rca.AuthFailure, expect: dict) -> None:
    assert failure.code == expect["failure"]
    assert failure.http_status == expect["status"]
    assert failure.public_code == expect["public_code"]
    if "message" in expect:
        assert failure.public_message == expect["message"]
    assert json.loads(failure.error_body) == {
        "error": failure.public_code,
        "message": failure.public_message,
        "status": failure.http_status,
    }
    text = f"{failure} {failure!r} {failure.public_message} {failure.error_body}"
    assert_no_secret(text, *(s for s in run.secrets.values() if len(s) >= 8))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"])
def test_authenticate_vector(case):
    run = Run()
    for step in case["setup"]:
        if "error" in step:
            with pytest.raises(rca.AdminError) as caught:
                run.step(step)
            assert caught.value.code == step["error"], step
        else:
            run.step(step)
    request = case.get("request")
    if request is None:
        return
    headers = [(name, run.value(value)) for name, value in request["headers"]]
    expect = case["expect"]
    method, path, peer = request["method"], request["path"], request["peer"]

    # The lean C entry, and the generated call it falls back to.
    calls = [
        lambda: run.verifier.authenticate(method, path, headers, peer),
        lambda: run.verifier._generated(method, path, headers, peer),
    ]
    for call in calls:
        before = run.log_lengths()
        if expect["status"] == 200:
            check_principal(run, call(), expect["principal"])
        else:
            with pytest.raises(rca.AuthFailure) as caught:
                call()
            check_failure(run, caught.value, expect)
        after = run.log_lengths()
        logged = expect.get("logged_to")
        for account, count in after.items():
            grew = 1 if logged is not None and account == run.ids[logged] else 0
            assert count == before[account] + grew, (account, before, after)


def test_failure_table_is_the_vectors():
    from redis_cloud_auth import _verifier

    kinds = [
        {"ordinal": i, "code": code, "http_status": status, "public_code": public}
        for i, (code, status, public) in enumerate(_verifier._KINDS)
    ]
    assert kinds == FAILURES["failures"]
    caused = {case["expect"]["failure"] for case in FAILURES["cases"]}
    assert caused | set(FAILURES["not_caused_here"]) == {k["code"] for k in kinds}
