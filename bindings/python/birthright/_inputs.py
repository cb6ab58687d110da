"""Turning what a caller hands us (paths, text, bytes, files, DataFrames) into
what the core reads: CSV text with a name for messages, and HR records."""

from __future__ import annotations

import datetime as _dt
import os
from typing import IO, Any, Iterable, Mapping, Union

Source = Union[str, bytes, "os.PathLike[str]", IO[str], IO[bytes]]
"""A sheet: a path, CSV text or bytes, or an open file."""

AsOf = Union[str, _dt.date, None]


def read_source(source: Source, default_name: str) -> tuple[str, str]:
    """Returns (text, name used in error messages).

    A ``str`` is a path when it names an existing file, or has no newline and
    no comma (then a missing file is an error); otherwise it is CSV text.
    """
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        return _read_path(path), path
    if isinstance(source, bytes):
        return source.decode("utf-8"), default_name
    if isinstance(source, str):
        if "\n" not in source and os.path.isfile(source):
            return _read_path(source), source
        if "\n" not in source and "," not in source:
            from ._core import NotFoundError

            raise NotFoundError(f"{source}: no such file")
        return source, default_name
    if hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", default_name)
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return data, str(name)
    raise TypeError(f"expected a path, CSV text or a file, got {type(source).__name__}")


def _read_path(path: str) -> str:
    from ._core import NotFoundError

    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None


def as_of_text(as_of: AsOf) -> str:
    """``None`` is today in UTC (what the CLI does); dates and datetimes give
    their calendar day; strings pass through for the core to check."""
    if as_of is None:
        return _dt.datetime.now(_dt.timezone.utc).date().isoformat()
    if isinstance(as_of, _dt.datetime):
        return as_of.date().isoformat()
    if isinstance(as_of, _dt.date):
        return as_of.isoformat()
    if isinstance(as_of, str):
        return as_of
    raise TypeError(f"as_of: expected a date or 'YYYY-MM-DD', got {type(as_of).__name__}")


ID_KEYS = ("id", "personid", "employeeid")


def fold(name: str) -> str:
    """SPEC §2 name folding: case-insensitive, spaces, '-' and '_' removed."""
    return "".join(ch for ch in name.lower() if ch not in " -_\t")


def is_dataframe(obj: Any) -> bool:
    return type(obj).__name__ == "DataFrame" and hasattr(obj, "columns")


def dataframe_columns(df: Any, lazy: bool = False) -> tuple[list[str], list[str], list[Any]]:
    """(ids, attribute names, columns) of an HR DataFrame: the column folding
    to id / person id / employee id is the id (else the index). Columns are
    lists, or with `lazy` the pandas Series (the caller converts only what
    it needs)."""
    id_col = next((c for c in df.columns if fold(str(c)) in ID_KEYS), None)
    raw = df[id_col].tolist() if id_col is not None else df.index.tolist()
    ids = raw if all(type(v) is str for v in raw) else [str(v) for v in raw]
    names: list[str] = []
    columns: list[Any] = []
    for c in df.columns:
        if c == id_col:
            continue
        names.append(str(c))
        columns.append(df[c] if lazy else df[c].tolist())
    return ids, names, columns


ACCESS_COLUMNS = ("person id", "app", "instance", "level")


def access_text(access: Any) -> tuple[str, str]:
    """An access export as (CSV text, name): None (no export), a path, CSV
    text, bytes or a file, a DataFrame, or records with person id, app,
    instance and level keys."""
    import csv
    import io

    if access is None:
        return "", ""
    if is_dataframe(access):
        return access.to_csv(index=False), "<access>"
    if isinstance(access, (str, bytes, os.PathLike)) or hasattr(access, "read"):
        return read_source(access, "<access>")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACCESS_COLUMNS)
    for row in access:
        by_fold = {fold(str(k)): v for k, v in row.items()}
        pid = next((by_fold[k] for k in ID_KEYS if k in by_fold), "")
        writer.writerow([pid, by_fold.get("app", ""), by_fold.get("instance", "") or "",
                         by_fold.get("level", "")])
    return out.getvalue(), "<access>"


def records(people: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return people if isinstance(people, list) else list(people)
