"""Every Python example of python/README.md runs and holds."""

from __future__ import annotations

import os
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, emulator, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("REDIS_CLOUD", "REDISCLOUD")):
            monkeypatch.delenv(name)
    # The client examples find their keys and the emulator in the environment.
    monkeypatch.setenv("REDIS_CLOUD_ACCOUNT_KEY", emulator.keys.expose_account_key())
    monkeypatch.setenv("REDIS_CLOUD_USER_KEY", emulator.keys.expose_user_key())
    monkeypatch.setenv("REDIS_CLOUD_BASE_URL", emulator.base_url)
    code = compile(BLOCKS[index], f"README.md example {index + 1}", "exec")
    exec(code, {"__name__": f"readme_example_{index + 1}"})
    output = capsys.readouterr().out
    assert "UserKey0123456" not in output
    assert emulator.keys.expose_user_key() not in output
