"""XLSX workbooks: tabs to CSV through openpyxl, cell references in errors."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest

import birthright

ROOT = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", Path(__file__).resolve().parents[3]))
ACME = ROOT / "examples" / "acme"
AS_OF = "2026-11-26"

openpyxl = pytest.importorskip("openpyxl")


def _write_book(path: Path, tabs: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in tabs.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _csv_rows(name: str) -> list[list[object]]:
    with open(ACME / name, encoding="utf-8", newline="") as f:
        return [list(r) for r in csv.reader(f)]


def _typed(rows: list[list[object]]) -> list[list[object]]:
    """What a spreadsheet holds: numbers and dates as such, not text."""
    out = []
    for row in rows:
        typed: list[object] = []
        for cell in row:
            if isinstance(cell, str) and cell.isdigit():
                typed.append(int(cell))
            elif isinstance(cell, str) and len(cell) == 10 and cell[4] == "-" and cell[7] == "-":
                typed.append(dt.datetime.fromisoformat(cell))
            elif cell == "":
                typed.append(None)
            else:
                typed.append(cell)
        out.append(typed)
    return out


def test_acme_workbook_matches_the_csv_answers(tmp_path: Path, golden: str) -> None:
    book = _write_book(tmp_path / "acme.xlsx", {
        "Rules": _csv_rows("rules.csv"),
        "Apps": _csv_rows("catalog.csv"),
        "Aliases": _csv_rows("aliases.csv"),
        "Schema": _csv_rows("schema.csv"),
        "People": _typed(_csv_rows("people.csv")),
    })
    sheets = birthright.read_workbook(book)
    assert sorted(sheets) == ["Aliases", "Apps", "People", "Rules", "Schema"]
    assert sheets["Rules"].name == "acme.xlsx[Rules]"
    policy = birthright.Policy.from_xlsx(book, name="rules")
    assert policy.rule_count == 75
    people = birthright.Population.from_xlsx(book)
    assert len(people) == 40
    compiled = policy.compile(hr=people)
    assert birthright.to_jsonl(compiled.evaluate_many(people, AS_OF)) == golden


def test_errors_name_the_tab_and_cell(tmp_path: Path) -> None:
    book = _write_book(tmp_path / "bad.xlsx", {
        "Catalog": [["app", "levels"], ["GitHub", "Read;Write"]],
        "Rules": [["id", "grade", "app", "level"], ["R1", "L3..", "GitHub", "Write"]],
    })
    with pytest.raises(birthright.InvalidArgumentError, match=r"bad\.xlsx\[Rules\]!B2"):
        birthright.Policy.from_xlsx(book)


def test_explicit_and_missing_tabs(tmp_path: Path) -> None:
    book = _write_book(tmp_path / "tabs.xlsx", {
        "Access 2026": [["id", "department", "app", "level"], ["R1", "Sales", "GitHub", "Read"]],
        "Catalog": [["app", "levels"], ["GitHub", "Read;Write"]],
    })
    with pytest.raises(birthright.NotFoundError, match="no rules tab"):
        birthright.Policy.from_xlsx(book)
    policy = birthright.Policy.from_xlsx(book, rules_sheet="Access 2026", version="2026")
    assert (policy.rule_count, policy.version, policy.name) == (1, "2026", "tabs")
    with pytest.raises(birthright.NotFoundError, match="no tab named"):
        birthright.Policy.from_xlsx(book, rules_sheet="Nope")
    with pytest.raises(birthright.NotFoundError):
        birthright.Policy.from_xlsx(tmp_path / "missing.xlsx")
    not_a_book = tmp_path / "fake.xlsx"
    not_a_book.write_text("id,app\n")
    with pytest.raises(birthright.InvalidArgumentError, match="XLSX"):
        birthright.Policy.from_xlsx(not_a_book)
