"""Every Python example of python/README.md runs and holds."""

from __future__ import annotations

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_examples():
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    for name in ("REDIS_CLOUD_PROFILE", "REDIS_CLOUD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    code = compile(BLOCKS[index], f"README.md example {index + 1}", "exec")
    exec(code, {"__name__": f"readme_example_{index + 1}"})
    assert "UserKey0123456" not in capsys.readouterr().out
