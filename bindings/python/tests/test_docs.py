"""Runs every ```python block of docs/python.md, in order, in one namespace,
from the repository root: the documentation's examples must stay true."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", Path(__file__).resolve().parents[3]))


def _blocks() -> list[str]:
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def test_docs_python_md_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks()
    assert len(blocks) >= 5
    pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "docs_python_md"}
    for i, block in enumerate(blocks):
        code = compile(block, f"docs/python.md[block {i + 1}]", "exec")
        exec(code, namespace)  # noqa: S102 - our own documentation
