"""XLSX workbooks (SPEC §8: "the same sheets may come as tabs of one XLSX
workbook"), read with openpyxl (Debian's python3-openpyxl) and handed to the
core as CSV text, one tab at a time.

Each tab becomes CSV with one line per spreadsheet row, so the core's
``file:line:col`` errors map back to a cell: messages name the tab and cell,
``access.xlsx[Rules]!C3``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Union

from ._inputs import fold

PathLike = Union[str, "os.PathLike[str]"]

# Tab names (folded) for each sheet kind, in order of preference.
_KINDS: dict[str, tuple[str, ...]] = {
    "rules": ("rules", "rulelist", "rule", "accessmatrix", "matrix", "access", "roles"),
    "catalog": ("catalog", "appcatalog", "apps", "applications"),
    "aliases": ("aliases", "alias", "valuealiases"),
    "schema": ("schema", "attributes", "attributeschema"),
    "people": ("people", "hr", "population", "employees", "hrexport"),
}


@dataclass
class Sheet:
    """One tab as CSV text. `name` is ``book.xlsx[Tab]``; `cells[line]` gives,
    for a CSV line that starts a record, (spreadsheet row, byte column where
    each field starts)."""

    name: str
    text: str
    cells: dict[int, tuple[int, list[int]]] = field(default_factory=dict)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _quote(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _sheet_to_csv(ws: Any, name: str) -> Sheet:
    rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    width = 0
    for row in rows:
        for i in range(len(row) - 1, -1, -1):
            if row[i] != "":
                width = max(width, i + 1)
                break
    lines: list[str] = []
    cells: dict[int, tuple[int, list[int]]] = {}
    line_no = 1
    for excel_row, row in enumerate(rows, start=1):
        fields = [_quote(v) for v in (row + [""] * width)[:width]]
        starts, col = [], 1
        for f in fields:
            starts.append(col)
            col += len(f.encode("utf-8")) + 1
        cells[line_no] = (excel_row, starts)
        line = ",".join(fields)
        lines.append(line)
        line_no += line.count("\n") + 1
    return Sheet(name, "\n".join(lines) + ("\n" if lines else ""), cells)


def read_workbook(path: PathLike) -> dict[str, Sheet]:
    """Every tab of the workbook at `path`, as CSV text, by tab name."""
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("reading XLSX needs openpyxl (Debian: python3-openpyxl)") from e
    path = os.fspath(path)
    if not os.path.isfile(path):
        from ._core import NotFoundError

        raise NotFoundError(f"{path}: no such file")
    base = os.path.basename(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises several types for a bad file
        from ._core import InvalidArgumentError

        raise InvalidArgumentError(f"{path}: not a readable XLSX workbook ({e})") from None
    try:
        return {ws.title: _sheet_to_csv(ws, f"{base}[{ws.title}]") for ws in wb.worksheets}
    finally:
        wb.close()


def _find(sheets: dict[str, Sheet], kind: str, explicit: Optional[str]) -> Optional[Sheet]:
    if explicit is not None:
        if explicit not in sheets:
            from ._core import NotFoundError

            raise NotFoundError(f"no tab named {explicit!r}; the workbook has {sorted(sheets)}")
        return sheets[explicit]
    by_fold = {fold(title): title for title in sheets}
    for candidate in _KINDS[kind]:
        if candidate in by_fold:
            return sheets[by_fold[candidate]]
    return None


def policy_sheets(
    path: PathLike,
    rules: Optional[str] = None,
    catalog: Optional[str] = None,
    aliases: Optional[str] = None,
    schema: Optional[str] = None,
) -> dict[str, Sheet]:
    sheets = read_workbook(path)
    out: dict[str, Sheet] = {}
    for kind, explicit in (("rules", rules), ("catalog", catalog), ("aliases", aliases),
                           ("schema", schema)):
        found = _find(sheets, kind, explicit)
        if found is not None:
            out[kind] = found
    if "rules" not in out:
        if len(sheets) == 1:
            out["rules"] = next(iter(sheets.values()))
        else:
            from ._core import NotFoundError

            raise NotFoundError(
                f"{os.fspath(path)}: no rules tab (expected one named Rules, Matrix or "
                f"Access Matrix, or pass rules_sheet=); tabs: {sorted(sheets)}")
    return out


def people_sheet(path: PathLike, sheet: Optional[str] = None) -> tuple[str, str]:
    sheets = read_workbook(path)
    found = _find(sheets, "people", sheet)
    if found is None:
        if len(sheets) != 1:
            from ._core import NotFoundError

            raise NotFoundError(f"{os.fspath(path)}: no people tab; tabs: {sorted(sheets)}")
        found = next(iter(sheets.values()))
    return found.text, found.name


_LOCATION = re.compile(r"(?P<name>[^\s:]+\.xlsx\[[^\]]+\]):(?P<line>\d+)(?::(?P<col>\d+))?")


def _translate(message: str, by_name: dict[str, Sheet]) -> str:
    def cell(m: "re.Match[str]") -> str:
        sheet = by_name.get(m.group("name"))
        if sheet is None:
            return m.group(0)
        line = int(m.group("line"))
        record = max((ln for ln in sheet.cells if ln <= line), default=None)
        if record is None:
            return m.group(0)
        row, starts = sheet.cells[record]
        if m.group("col") is None:
            return f"{m.group('name')}!{row}"
        col = int(m.group("col"))
        index = max((i for i, s in enumerate(starts) if s <= col), default=0)
        return f"{m.group('name')}!{_column_letter(index)}{row}"

    return _LOCATION.sub(cell, message)


@contextlib.contextmanager
def translating_errors(sheets: dict[str, Sheet]) -> Iterator[None]:
    """Rewrites ``book.xlsx[Tab]:line:col`` in birthright errors raised
    inside the block to ``book.xlsx[Tab]!C3`` (the spreadsheet cell)."""
    from ._core import Error

    try:
        yield
    except Error as e:
        by_name = {s.name: s for s in sheets.values()}
        message = _translate(str(e), by_name)
        if message == str(e):
            raise
        raise type(e)(message) from None
