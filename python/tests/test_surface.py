"""The package's real public surface against tests/api/surface.json, the
machine-readable twin of docs/api.md: every type, method, parameter order,
record field, enum value, function and error field the spec gives Python.

Keyword-only parameters are options (a documented difference), so only
positional parameters are compared."""

from __future__ import annotations

import dataclasses
import inspect
import json
import pathlib
import subprocess
import sys

import pytest

import redis_cloud_auth as rca
from redis_cloud_auth import _verifier

ROOT = pathlib.Path(__file__).resolve().parents[2]
SURFACE = json.loads((ROOT / "tests" / "api" / "surface.json").read_text())
LANG = "python"


def ours(spec: dict) -> bool:
    return LANG in spec.get("only", SURFACE["languages"])


def positional(function) -> list[str]:
    """The parameters a caller may pass by position, in order (no self/cls)."""
    params = list(inspect.signature(function).parameters.values())
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.kind in kinds]


def members():
    for type_name, spec in SURFACE["classes"].items():
        if not ours(spec):
            continue
        for kind in ("constructors", "methods"):
            for member in spec.get(kind, []):
                if ours(member):
                    yield pytest.param(type_name, kind, member, id=f"{type_name}.{member['name']}")


@pytest.mark.parametrize("type_name,kind,member", list(members()))
def test_method_has_the_spec_parameters(type_name, kind, member):
    cls = getattr(rca, type_name)
    if kind == "constructors" and member["name"] == "new":
        function = cls.__init__
    else:
        function = inspect.getattr_static(cls, member["name"], None)
        assert function is not None, f"{type_name}.{member['name']} is missing"
        function = getattr(cls, member["name"])
    assert positional(function) == member["params"], f"{type_name}.{member['name']}"


@pytest.mark.parametrize(
    "type_name,prop",
    [
        pytest.param(t, p, id=f"{t}.{p['name']}")
        for t, spec in SURFACE["classes"].items()
        if ours(spec)
        for p in spec.get("properties", [])
        if ours(p)
    ],
)
def test_property_exists(type_name, prop):
    found = inspect.getattr_static(getattr(rca, type_name), prop["name"], None)
    assert isinstance(found, property), f"{type_name}.{prop['name']} is not a property"
    assert (found.fset is not None) == prop.get("settable", False)


def fields_of(cls) -> list[str]:
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    if hasattr(cls, "_fields") and isinstance(cls._fields, tuple):
        return list(cls._fields)  # NamedTuple
    return [n for n, v in vars(cls).items() if isinstance(v, property)]


@pytest.mark.parametrize("name", list(SURFACE["records"]))
def test_record_has_the_spec_fields(name):
    spec = SURFACE["records"][name]
    if isinstance(spec, dict):
        if not ours(spec):
            return
        spec = spec["fields"]
    assert fields_of(getattr(rca, name)) == spec


@pytest.mark.parametrize("name", list(SURFACE["enums"]))
def test_enum_has_the_spec_values(name):
    assert [m.name.lower() for m in getattr(rca, name)] == SURFACE["enums"][name]


@pytest.mark.parametrize("function", [f for f in SURFACE["functions"] if ours(f)], ids=lambda f: f["name"])
def test_function_has_the_spec_parameters(function):
    assert positional(getattr(rca, function["name"])) == function["params"]


def raised(call) -> BaseException:
    try:
        call()
    except rca.RedisCloudAuthError as error:
        return error
    raise AssertionError("nothing raised")


def test_errors_carry_the_spec_fields():
    verifier = rca.Verifier()
    examples = {
        "ApiKeyError": lambda: rca.ApiKeys("", "UserKey0123456"),
        "HeaderError": lambda: rca.parse_auth_headers({}),
        "CredentialError": lambda: rca.CredentialChain(environment={}, profile_file=None, keychain=False).resolve(),
        "AdminError": lambda: verifier.create_account(""),
        "AuthFailure": lambda: verifier.authenticate("GET", "/", {}, "10.0.0.1"),
        "ClientError": lambda: rca.BlockingClient(
            rca.ApiKeys("AccountKey0123", "UserKey0123456"), base_url="http://127.0.0.1:9/v1", max_retries=0
        ).account(),
    }
    assert set(examples) == set(SURFACE["errors"])
    for name, spec in SURFACE["errors"].items():
        error = raised(examples[name])
        assert type(error) is getattr(rca, name), name
        for field in spec["fields"]:
            # A field marked `?` is only there where the error has one.
            assert hasattr(error, field.rstrip("?")), f"{name}.{field}"
        assert error.code in spec["codes"], (name, error.code)


def test_every_auth_failure_kind_is_the_spec_one():
    kinds = {code: status for code, status, _ in _verifier._KINDS}
    assert kinds == SURFACE["errors"]["AuthFailure"]["codes"]


def test_exports_are_the_spec_names():
    spec = set(SURFACE["classes"]) | set(SURFACE["enums"]) | set(SURFACE["errors"])
    spec |= {n for n, s in SURFACE["records"].items() if not isinstance(s, dict) or ours(s)}
    spec |= {f["name"] for f in SURFACE["functions"] if ours(f)}
    spec = {n for n in spec if ours(SURFACE["classes"].get(n, {}))}
    missing = spec - set(rca.__all__)
    assert not missing, missing


def test_docs_api_md_is_rendered_from_the_spec():
    render = ROOT / "tests" / "api" / "render.py"
    result = subprocess.run([sys.executable, str(render), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
