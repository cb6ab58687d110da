"""Typed results of check, reconcile, expiring access and the emergency
leaver: frozen dataclasses, and list types that also give jsonl and pandas
DataFrames (docs/python.md)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ._core import Entitlement


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Route:
    """Who must do the work on an app instance (the catalog's columns)."""

    owner: str
    provisioning: str  # "scim", "api", "manual" or "unspecified"
    monthly_cost_cents: Optional[int]


# --- check ------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One finding of ``birthright check`` (SPEC §7; docs/check.md)."""

    code: str
    severity: str  # "error", "warning" or "info"
    rules: tuple[str, ...]
    locations: tuple[str, ...]  # "file:line"
    message: str
    #: A concrete person showing the problem: attribute -> value.
    witness: dict[str, str] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        """The first rule named, or ``""``."""
        return self.rules[0] if self.rules else ""

    @property
    def location(self) -> str:
        """The first location, or ``""``."""
        return self.locations[0] if self.locations else ""


class Findings(list[Finding]):
    """The findings of :meth:`birthright.Policy.check`, in check's order
    (errors first), plus the CLI's renderings."""

    def __init__(self, items: Iterable[Finding] = (), jsonl: str = "", sarif: str = "") -> None:
        super().__init__(items)
        self._jsonl = jsonl
        self._sarif = sarif

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self if f.severity == "error"]

    def to_jsonl(self) -> str:
        """SPEC §11 check jsonl, as ``birthright check --format jsonl``."""
        return self._jsonl

    def to_sarif(self) -> str:
        """A SARIF 2.1.0 log (for code-scanning dashboards)."""
        return self._sarif

    def to_dataframe(self) -> Any:
        """One row per finding; rules and locations ``;``-joined."""
        rows = [
            {
                "code": f.code,
                "severity": f.severity,
                "rules": ";".join(f.rules),
                "locations": ";".join(f.locations),
                "message": f.message,
            }
            for f in self
        ]
        return _frame(rows, ["code", "severity", "rules", "locations", "message"])


def findings_from_core(rows: list[tuple[Any, ...]], jsonl: str, sarif: str) -> Findings:
    return Findings(
        (
            Finding(code, severity, tuple(rules), tuple(locations), message, dict(witness))
            for code, severity, rules, locations, message, witness in rows
        ),
        jsonl,
        sarif,
    )


# --- reconcile --------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileItem:
    """One difference between what the policy gives and what an access
    export says someone holds (SPEC §6; docs/deltas.md)."""

    person: str
    kind: str  # "missing", "excess" or "level-mismatch"
    app: str
    instance: str
    desired: Optional[Entitlement]  # None for excess
    actual_level: Optional[str]  # None for missing
    location: str  # the export row, "" for missing
    reason: Optional[str]  # excess only: "not granted", "orphan", ...
    #: For a "not granted" excess: the denies that withhold the grant.
    denied_by: tuple[str, ...]
    route: Route
    json: str = field(repr=False, compare=False, default="")


@dataclass
class Reconciliation:
    """The result of :meth:`birthright.Compiled.reconcile`."""

    items: list[ReconcileItem]
    consistent: int  # export rows at the desired level
    duplicates: int  # export rows repeating an earlier one
    people: int  # HR people compared

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def by_kind(self, kind: str) -> list[ReconcileItem]:
        return [i for i in self.items if i.kind == kind]

    def to_jsonl(self) -> str:
        """One line per item, as ``birthright reconcile --format jsonl``."""
        return "".join(i.json + "\n" for i in self.items)

    def to_dataframe(self) -> Any:
        cols = ["person", "kind", "app", "instance", "desired_level", "actual_level",
                "location", "reason", "denied_by", "owner", "provisioning",
                "monthly_cost_cents"]
        rows = [
            {
                "person": i.person,
                "kind": i.kind,
                "app": i.app,
                "instance": i.instance,
                "desired_level": i.desired.level if i.desired is not None else None,
                "actual_level": i.actual_level,
                "location": i.location,
                "reason": i.reason,
                "denied_by": ";".join(i.denied_by),
                "owner": i.route.owner,
                "provisioning": i.route.provisioning,
                "monthly_cost_cents": i.route.monthly_cost_cents,
            }
            for i in self.items
        ]
        return _frame(rows, cols)


def reconciliation_from_core(result: tuple[Any, ...]) -> Reconciliation:
    rows, consistent, duplicates, people = result
    items = [
        ReconcileItem(person, kind, app, instance, desired, actual, location, reason,
                      tuple(denied_by), Route(owner, prov, cost), json)
        for (person, kind, app, instance, desired, actual, location, reason, denied_by, owner,
             prov, cost, json) in rows
    ]
    return Reconciliation(items, consistent, duplicates, people)


# --- time-bound access ------------------------------------------------------


@dataclass(frozen=True)
class TimedChange:
    """A change of access that time alone makes (an expiry passing, an
    effective window opening or closing, a termination date passing)."""

    person: str
    effective: _dt.date  # first day of the new state
    last_day: _dt.date  # last day of the old state
    app: str
    instance: str
    before: Optional[Entitlement]  # held the day before; None: a start
    after: Optional[Entitlement]  # held from `effective`; None: a lapse
    route: Route

    @property
    def kind(self) -> str:
        """``"lapse"``, ``"start"`` or ``"change"``."""
        if self.after is None:
            return "lapse"
        return "start" if self.before is None else "change"


class TimedChanges(list[TimedChange]):
    """Upcoming changes, soonest first (people in id order within a day)."""

    def to_dataframe(self) -> Any:
        cols = ["person", "kind", "effective", "last_day", "app", "instance", "from_level",
                "to_level", "reasons", "owner", "provisioning", "monthly_cost_cents"]
        rows = []
        for c in self:
            ent = c.before if c.before is not None else c.after
            rows.append({
                "person": c.person,
                "kind": c.kind,
                "effective": c.effective,
                "last_day": c.last_day,
                "app": c.app,
                "instance": c.instance,
                "from_level": c.before.level if c.before is not None else None,
                "to_level": c.after.level if c.after is not None else None,
                "reasons": ";".join(ent.reasons) if ent is not None else "",
                "owner": c.route.owner,
                "provisioning": c.route.provisioning,
                "monthly_cost_cents": c.route.monthly_cost_cents,
            })
        return _frame(rows, cols)


def timed_changes_from_core(rows: list[tuple[Any, ...]]) -> TimedChanges:
    iso = _dt.date.fromisoformat
    return TimedChanges(
        TimedChange(person, iso(effective), iso(last_day), app, instance, before, after,
                    Route(owner, prov, cost))
        for (person, effective, last_day, app, instance, before, after, owner, prov, cost) in rows
    )


# --- emergency leaver -------------------------------------------------------


@dataclass(frozen=True)
class RevokeItem:
    """One account to revoke now."""

    app: str
    instance: str
    #: What the policy gives while the person is active (its reasons say why);
    #: None for an account only the access export knows.
    granted: Optional[Entitlement]
    actual_level: Optional[str]  # the exported account's level, if listed
    location: str  # the export row, or ""
    route: Route

    @property
    def level(self) -> str:
        if self.granted is not None:
            return self.granted.level
        return self.actual_level or ""


class RevokeList(list[RevokeItem]):
    """The emergency leaver's revoke list, automated items first (scim, then
    api), then manual, then unspecified."""

    def __init__(self, person: str, items: Iterable[RevokeItem] = (), json: str = "") -> None:
        super().__init__(items)
        self.person = person
        self._json = json

    def to_json(self) -> str:
        """The list as a SPEC §11 delta line (kind ``leaver``)."""
        return self._json

    def to_dataframe(self) -> Any:
        cols = ["app", "instance", "level", "actual_level", "reasons", "location", "owner",
                "provisioning", "monthly_cost_cents"]
        rows = [
            {
                "app": i.app,
                "instance": i.instance,
                "level": i.level,
                "actual_level": i.actual_level,
                "reasons": ";".join(i.granted.reasons) if i.granted is not None else "",
                "location": i.location,
                "owner": i.route.owner,
                "provisioning": i.route.provisioning,
                "monthly_cost_cents": i.route.monthly_cost_cents,
            }
            for i in self
        ]
        return _frame(rows, cols)


def revoke_list_from_core(result: tuple[Any, ...]) -> RevokeList:
    person, rows, json = result
    return RevokeList(
        person,
        (
            RevokeItem(app, instance, granted, actual, location, Route(owner, prov, cost))
            for app, instance, granted, actual, location, owner, prov, cost in rows
        ),
        json,
    )


__all__ = [
    "Finding",
    "Findings",
    "Reconciliation",
    "ReconcileItem",
    "RevokeItem",
    "RevokeList",
    "Route",
    "TimedChange",
    "TimedChanges",
]

