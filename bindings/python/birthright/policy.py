"""Policies, populations and compiled policies: the pythonic layer over
``birthright._core`` (docs/python.md)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _core
from ._core import Decision, Delta, Issue
from ._inputs import (
    AsOf,
    Source,
    access_text,
    as_of_text,
    dataframe_columns,
    is_dataframe,
    read_source,
)
from .results import (
    Findings,
    Reconciliation,
    RevokeList,
    Route,
    TimedChanges,
    findings_from_core,
    reconciliation_from_core,
    revoke_list_from_core,
    timed_changes_from_core,
)

PersonLike = Mapping[str, Any]
"""One HR record: attribute name → value (str, int, date, None, list for a set)."""

PeopleLike = Union["Population", Iterable[PersonLike], Any]
"""A Population, an iterable of records, a pandas DataFrame, or an HR CSV
(path or text)."""


class Population:
    """HR records (SPEC §8 HR population): an id plus raw attribute values.

    Used for type inference at compile time (SPEC §2) and as a batch to
    evaluate.
    """

    def __init__(self, core: Optional[_core.Population] = None) -> None:
        self._core = core if core is not None else _core.Population()

    @classmethod
    def from_csv(cls, source: Source) -> "Population":
        text, name = read_source(source, "<people>")
        return cls(_core.Population.from_csv(text, name))

    @classmethod
    def from_records(cls, records: Iterable[PersonLike]) -> "Population":
        """A record's ``id`` (or ``person id`` / ``employee id``) key is its id;
        a record without one is named by its position."""
        return cls(_core.Population.from_records(records))

    @classmethod
    def from_dataframe(cls, df: Any) -> "Population":
        ids, names, columns = dataframe_columns(df)
        return cls(_core.Population.from_columns(ids, names, columns))

    @classmethod
    def from_xlsx(cls, path: Union[str, "os.PathLike[str]"], sheet: Optional[str] = None) -> "Population":
        from .xlsx import people_sheet

        text, name = people_sheet(path, sheet)
        return cls(_core.Population.from_csv(text, name))

    @classmethod
    def of(cls, people: PeopleLike) -> "Population":
        """Whatever `people` is, as a Population."""
        if isinstance(people, Population):
            return people
        if isinstance(people, _core.Population):
            return cls(people)
        if is_dataframe(people):
            return cls.from_dataframe(people)
        if isinstance(people, (str, bytes, os.PathLike)) or hasattr(people, "read"):
            return cls.from_csv(people)
        return cls.from_records(people)

    def __len__(self) -> int:
        return len(self._core)

    @property
    def ids(self) -> list[str]:
        return self._core.ids

    def records(self) -> list[dict[str, str]]:
        return self._core.records()

    def __repr__(self) -> str:
        return f"Population({len(self)} people)"


def _hr(hr: Optional[PeopleLike]) -> Optional[_core.Population]:
    return None if hr is None else Population.of(hr)._core


class Policy:
    """Rules, app catalog, aliases and schema (SPEC §8), as imported.

    Build it with :meth:`from_csv` or :meth:`from_xlsx` (or the ``add_*``
    methods), then :meth:`compile` it. Import errors raise
    :class:`birthright.InvalidArgumentError` naming file:line:col; a policy
    that failed an import must be discarded.
    """

    def __init__(self, name: str = "", version: str = "") -> None:
        self._core = _core.Policy(name, version)
        #: How each rules sheet was read (format, role of every column).
        self.reports: list[dict[str, Any]] = []

    # --- construction -----------------------------------------------------

    @classmethod
    def from_csv(
        cls,
        rules: Source,
        catalog: Optional[Source] = None,
        aliases: Optional[Source] = None,
        schema: Optional[Source] = None,
        *,
        name: Optional[str] = None,
        version: Optional[str] = None,
        format: str = "auto",
        app_columns: Optional[Sequence[str]] = None,
    ) -> "Policy":
        """Loads a policy from CSV sheets, each a path, CSV text, bytes or a file.

        `format` is ``"auto"`` (an ``app`` column means a rules list, else an
        access matrix), ``"list"`` or ``"matrix"``. A matrix takes its app
        columns from `app_columns` or else the catalog. `name` defaults to the
        rules file's stem (reasons cite it); `version` to ``"unversioned"``.
        """
        rules_text, rules_name = read_source(rules, "<rules>")
        if name is None:
            base = os.path.basename(rules_name)
            name = os.path.splitext(base)[0] if not base.startswith("<") else "policy"
        policy = cls(name, version or "")
        # Same order as the CLI: the matrix importer reads the catalog.
        if schema is not None:
            policy.add_schema(schema)
        if catalog is not None:
            policy.add_catalog(catalog)
        if aliases is not None:
            policy.add_aliases(aliases)
        policy._add_rules_text(rules_text, rules_name, format, app_columns)
        return policy

    @classmethod
    def from_xlsx(
        cls,
        path: Union[str, "os.PathLike[str]"],
        *,
        name: Optional[str] = None,
        version: Optional[str] = None,
        rules_sheet: Optional[str] = None,
        catalog_sheet: Optional[str] = None,
        aliases_sheet: Optional[str] = None,
        schema_sheet: Optional[str] = None,
        format: str = "auto",
        app_columns: Optional[Sequence[str]] = None,
    ) -> "Policy":
        """Loads a policy from the tabs of one XLSX workbook (read with
        openpyxl). Tabs are found by name — rules (``Rules``, ``Matrix``,
        ``Access Matrix``), catalog (``Catalog``, ``Apps``), ``Aliases``,
        ``Schema`` — unless named explicitly. Error messages name the tab and
        cell, e.g. ``access.xlsx[Rules]!C3``."""
        from .xlsx import policy_sheets, translating_errors

        sheets = policy_sheets(path, rules_sheet, catalog_sheet, aliases_sheet, schema_sheet)
        if name is None:
            name = os.path.splitext(os.path.basename(os.fspath(path)))[0]
        policy = cls(name, version or "")
        with translating_errors(sheets):
            for kind in ("schema", "catalog", "aliases"):
                sheet = sheets.get(kind)
                if sheet is not None:
                    getattr(policy._core, "add_" + kind)(sheet.text, sheet.name)
            rules = sheets["rules"]
            policy._add_rules_text(rules.text, rules.name, format, app_columns)
        return policy

    def _add_rules_text(
        self, text: str, name: str, format: str, app_columns: Optional[Sequence[str]]
    ) -> dict[str, Any]:
        report = self._core.add_rules(text, name, format, list(app_columns or []))
        self.reports.append(report)
        return report

    def add_rules(
        self, source: Source, *, format: str = "auto", app_columns: Optional[Sequence[str]] = None
    ) -> dict[str, Any]:
        """Imports a rules list or access matrix; returns how each column was read."""
        text, name = read_source(source, "<rules>")
        return self._add_rules_text(text, name, format, app_columns)

    def add_catalog(self, source: Source) -> None:
        text, name = read_source(source, "<catalog>")
        self._core.add_catalog(text, name)

    def add_aliases(self, source: Source) -> None:
        text, name = read_source(source, "<aliases>")
        self._core.add_aliases(text, name)

    def add_schema(self, source: Source) -> None:
        text, name = read_source(source, "<schema>")
        self._core.add_schema(text, name)

    # --- properties -------------------------------------------------------

    @property
    def name(self) -> str:
        return self._core.name

    @property
    def version(self) -> str:
        return self._core.version

    @property
    def rule_count(self) -> int:
        return self._core.rule_count

    @property
    def rule_ids(self) -> list[str]:
        return self._core.rule_ids

    # --- use --------------------------------------------------------------

    def compile(self, hr: Optional[PeopleLike] = None) -> "Compiled":
        """Binds (refusing any error-level issue, as ``birthright eval`` does)
        and compiles into an immutable decision DAG. `hr` (records, a
        DataFrame, a Population or an HR CSV) is used for type inference
        only. Releases the GIL while it works."""
        return Compiled(_core.compile(self._core, _hr(hr)))

    def check(self, people: Optional[PeopleLike] = None, as_of: AsOf = None) -> Findings:
        """Every finding of ``birthright check`` (SPEC §7; docs/check.md):
        binding problems (unknown apps, levels, attributes, type mismatches)
        and the analysis (unsatisfiable, duplicate, shadowed, conflicts ...),
        errors first. `people` (records, a DataFrame, a Population or an HR
        CSV) enables the population findings (unknown-value, gap ...),
        evaluated on `as_of` (default: today, UTC). Releases the GIL."""
        rows, jsonl, sarif = _core.check_findings(self._core, _hr(people), as_of_text(as_of))
        return findings_from_core(rows, jsonl, sarif)

    @classmethod
    def from_text(cls, source: Source) -> "Policy":
        """A policy written in the text language (a ``.brp`` file: a path, the
        text, bytes or an open file). Name and version come from its
        ``policy`` line. Syntax errors raise InvalidArgumentError naming
        file:line:col."""
        text, name = read_source(source, "<policy>")
        policy = cls.__new__(cls)
        policy._core = _core.parse_policy_text(text, name)
        policy.reports = []
        return policy

    def to_text(self) -> str:
        """The canonical policy text (what ``birthright fmt`` prints)."""
        return _core.format_policy_text(self._core)

    def diff(self, after: "Policy", people: Optional[PeopleLike] = None,
             as_of: AsOf = None) -> "PolicyDiff":
        """What changes from this version to `after` (``birthright diff``):
        rule-level changes, the regions where access differs and, with
        `people`, who gains, loses or changes what on `as_of`."""
        summary, document, jsonl = _core.diff(self._core, after._core, _hr(people),
                                              as_of_text(as_of))
        return PolicyDiff(summary, json.loads(document), document, jsonl)

    def bind_issues(self, hr: Optional[PeopleLike] = None) -> list[Issue]:
        """Only the problems binding finds (what :meth:`compile` refuses on),
        with their file:line:col, without the analysis."""
        return _core.check(self._core, _hr(hr))

    def __repr__(self) -> str:
        return f"Policy(name={self.name!r}, version={self.version!r}, rules={self.rule_count})"


class Compiled:
    """An immutable compiled policy. Thread-safe: evaluate from any thread."""

    def __init__(self, core: _core.Compiled) -> None:
        self._core = core

    @property
    def name(self) -> str:
        return self._core.name

    @property
    def version(self) -> str:
        return self._core.version

    @property
    def rule_count(self) -> int:
        return self._core.rule_count

    @property
    def attributes(self) -> list[str]:
        """The attributes the policy reads, as first spelled."""
        return self._core.attributes

    @property
    def attribute_types(self) -> dict[str, str]:
        return self._core.attribute_types

    @property
    def issues(self) -> list[Issue]:
        """Warnings and notes from binding (e.g. inferred types)."""
        return self._core.issues

    @property
    def stats(self) -> dict[str, int]:
        """The compiled DAG's size: rules, apps, layered_apps, layers,
        variables, nodes, edges, leaves, memory_bytes (docs/dag.md)."""
        return self._core.stats

    def evaluate(self, person: PersonLike, as_of: AsOf = None, *, id: Optional[str] = None) -> Decision:
        """What `person` should have on `as_of` (default: today, UTC).

        Keys fold as in SPEC §2 (``"Job Title"`` = ``"job_title"``); the
        ``id`` key (or `id`) names the person; values may be str, int, date,
        None (missing) or a list (a set attribute). Keys the policy does not
        read are ignored.
        """
        return _core.evaluate(self._core, person, as_of_text(as_of), id)

    def evaluate_many(self, people: PeopleLike, as_of: AsOf = None, *, threads: int = 0) -> Any:
        """Evaluates many people on `threads` threads (0: one per core), with
        the GIL released; results are in input order whatever the thread count.

        A list (or any iterable) of mappings or a Population gives a list of
        :class:`Decision`; a pandas DataFrame gives a DataFrame with one row
        per (person, entitlement): ``person, app, instance, level, scopes,
        expires, reasons`` (scopes and reasons ``;``-joined)."""
        day = as_of_text(as_of)
        if is_dataframe(people):
            # Column-wise: only the columns the policy reads are converted.
            ids, names, frame_columns = dataframe_columns(people, lazy=True)
            used = _core.used_columns(self._core, names)
            columns = [col.tolist() if u else None for col, u in zip(frame_columns, used)]
            return _frame(_core.evaluate_frame_table(self._core, ids, names, columns, day,
                                                     threads))
        if isinstance(people, Population):
            return _core.evaluate_population(self._core, people._core, day, threads)
        if isinstance(people, _core.Population):
            return _core.evaluate_population(self._core, people, day, threads)
        if isinstance(people, (str, bytes, os.PathLike)):
            return _core.evaluate_population(self._core, Population.from_csv(people)._core, day, threads)
        return _core.evaluate_records(self._core, people, day, threads)

    def delta(
        self,
        before: Optional[PersonLike],
        after: Optional[PersonLike],
        as_of: AsOf = None,
        *,
        id: Optional[str] = None,
    ) -> Delta:
        """What to provision when one person's record goes from `before` to
        `after` (SPEC §6): None before = a joiner, None after = a leaver."""
        return _core.delta(self._core, before, after, as_of_text(as_of), id)

    # --- snapshots ------------------------------------------------------

    def to_snapshot(self) -> bytes:
        """The compiled policy as snapshot bytes (SPEC §9): deterministic, loads
        without recompiling (:func:`birthright.load_snapshot`)."""
        return _core.write_snapshot(self._core)

    def save(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes :meth:`to_snapshot` to `path`."""
        with open(path, "wb") as f:
            f.write(self.to_snapshot())

    # --- routing and lifecycle deltas (SPEC §6) ----------------------------

    def route(self, app: str, instance: str = "") -> Route:
        """Owner, provisioning mode and monthly cost of an app instance, from
        the catalog (``Route("", "unspecified", None)`` when it is unknown)."""
        return Route(*_core.route(self._core, app, instance))

    def hr_sync(
        self,
        before: PeopleLike,
        after: PeopleLike,
        as_of: AsOf = None,
        *,
        before_as_of: AsOf = None,
        threads: int = 0,
    ) -> "DeltaSet":
        """Joiners, movers, leavers and unchanged between two HR exports (each
        records, a DataFrame, a Population or an HR CSV): one delta per
        person, sorted by id. `after` is evaluated on `as_of`, `before` on
        `before_as_of` (default `as_of`: then only HR edits count)."""
        before_day = None if before_as_of is None else as_of_text(before_as_of)
        return DeltaSet(_core.hr_sync(self._core, Population.of(before)._core,
                                      Population.of(after)._core, as_of_text(as_of), before_day,
                                      threads))

    def policy_delta(
        self, after: "Compiled", people: PeopleLike, as_of: AsOf = None, *, threads: int = 0
    ) -> "DeltaSet":
        """Per person, what changes when this policy is replaced by `after`
        (kind ``mover`` when their access changes, else ``unchanged``).
        Routing uses `after`'s catalog."""
        return DeltaSet(_core.policy_delta(self._core, after._core, Population.of(people)._core,
                                           as_of_text(as_of), threads))

    def reconcile(
        self,
        people: PeopleLike,
        access: Any,
        as_of: AsOf = None,
        *,
        apps: Optional[Sequence[str]] = None,
    ) -> Reconciliation:
        """Desired (this policy) vs actual (an access export: a CSV path, text
        or file with ``person id, app, instance, level``, a DataFrame or a list
        of records): missing, excess (orphans, terminated, not granted — with
        the deny behind it) and level mismatches. `apps` limits both sides."""
        text, name = access_text(access)
        return reconciliation_from_core(
            _core.reconcile(self._core, Population.of(people)._core, text, name,
                            as_of_text(as_of), list(apps or [])))

    def expiring_within(self, people: PeopleLike, days: int, as_of: AsOf = None) -> TimedChanges:
        """Every change time alone makes whose last day of the old state is at
        most `days` days after `as_of` (expiries, effective windows,
        termination dates): the day-80 notice of a 90-day contract is
        ``days=10``. Soonest first."""
        return timed_changes_from_core(
            _core.expiring_within(self._core, Population.of(people)._core, as_of_text(as_of),
                                  int(days)))

    def emergency_leaver(
        self,
        person: PersonLike,
        access: Any = None,
        as_of: AsOf = None,
        *,
        id: Optional[str] = None,
    ) -> RevokeList:
        """Everything to revoke from `person` now: what the policy gives them
        while active (their termination date is ignored), united with every
        account `access` lists for their id. Automated items first."""
        text, name = access_text(access)
        return revoke_list_from_core(
            _core.emergency_leaver(self._core, person, text, name, as_of_text(as_of), id))

    def __repr__(self) -> str:
        return f"Compiled(name={self.name!r}, version={self.version!r}, rules={self.rule_count})"


class DeltaSet:
    """Deltas of many people (an HR sync or a policy change), sorted by id,
    with the summary a person reads first. The deltas stay in C++ until
    indexed."""

    def __init__(self, core: _core.DeltaSet) -> None:
        self._core = core

    def __len__(self) -> int:
        return len(self._core)

    def __getitem__(self, i: int) -> Delta:
        return self._core[i]

    def __iter__(self):  # type: ignore[no-untyped-def]
        for i in range(len(self._core)):
            yield self._core[i]

    @property
    def summary(self) -> str:
        """E.g. ``"1 joiner, 3 movers, 1 leaver (36 unchanged): 25 adds, ...;
        licenses +$184.33/month"``."""
        return self._core.summary

    @property
    def stats(self) -> dict[str, Any]:
        """The summary's figures: joiners, movers, ..., manual_by_owner."""
        return self._core.stats

    def route(self, app: str, instance: str = "") -> Route:
        return Route(*self._core.route(app, instance))

    def to_jsonl(self) -> str:
        """SPEC §11 delta jsonl, one line per person."""
        return self._core.to_jsonl()

    def to_dataframe(self, *, keep: bool = False) -> Any:
        """One row per action (``add``, ``remove``, ``change``; with `keep`,
        ``keep`` too): person, kind, action, app, instance, from_level,
        to_level, reasons, owner, provisioning, monthly_cost_cents."""
        return _frame(self._core.actions_table(keep))

    def __repr__(self) -> str:
        return f"DeltaSet({self.summary!r})"


@dataclass(frozen=True)
class PolicyDiff:
    """A diff of two policy versions (:meth:`Policy.diff`)."""

    summary: str  # "3 rules added, 1 removed, 2 modified; ..."
    document: dict[str, Any]  # the JSON document, parsed
    json: str  # the JSON document, as ``birthright diff --format json``
    jsonl: str  # one object per change, as ``--format jsonl``

    def to_json(self) -> str:
        return self.json

    def to_jsonl(self) -> str:
        return self.jsonl


def load_policy_text(source: Source) -> Policy:
    """Same as :meth:`Policy.from_text`."""
    return Policy.from_text(source)


def load_snapshot(source: Union[bytes, bytearray, memoryview, str, "os.PathLike[str]"]) -> Compiled:
    """A compiled policy from snapshot bytes, or from the file at a path.
    Never trusts the bytes: :class:`birthright.DataLossError` when corrupt,
    :class:`birthright.InvalidArgumentError` when not a snapshot,
    :class:`birthright.FailedPreconditionError` for a newer format."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise _core.NotFoundError(f"{os.fspath(source)}: no such file") from None
    else:
        raise TypeError(f"expected snapshot bytes or a path, got {type(source).__name__}")
    return Compiled(_core.load_snapshot(data))


def to_jsonl(decisions: Sequence[Decision]) -> str:
    """SPEC §11 jsonl: one line per decision, as ``birthright eval --format jsonl``."""
    return _core.decisions_jsonl(list(decisions))


def to_dataframe(decisions: Sequence[Decision]) -> Any:
    """Decisions as a long DataFrame (one row per person and entitlement)."""
    return _frame(_core.decisions_table(list(decisions)))


def _frame(table: dict[str, list[Any]]) -> Any:
    import numpy as np
    import pandas as pd

    # Object arrays without a copy: pandas would otherwise infer and copy
    # each column (a third of the DataFrame path's time).
    return pd.DataFrame({k: np.array(v, dtype=object) for k, v in table.items()}, copy=False)
