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
