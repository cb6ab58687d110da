"""birthright: exact answers about what app access each person should have.

A thin, typed Python shell over the birthright C++ core (docs/python.md)::

    import birthright
    policy = birthright.Policy.from_csv("rules.csv", catalog="catalog.csv")
    compiled = policy.compile()
    decision = compiled.evaluate({"id": "E1", "department": "Sales"}, as_of="2026-11-26")

Errors are ``birthright.Error`` subclasses; malformed input raises
``birthright.InvalidArgumentError`` (also a ``ValueError``) whose message names
file:line:col.
"""

from __future__ import annotations

# The compiled extension may live in a build tree beside these sources
# (<build>/python/birthright/_core*.so): extend_path adds every
# `birthright` directory on sys.path to this package's search path.
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

from . import _core  # noqa: E402
from ._core import (  # noqa: E402
    DataLossError,
    Decision,
    Delta,
    Entitlement,
    Error,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    Issue,
    NotFoundError,
    OutOfRangeError,
    ResourceExhaustedError,
    UnimplementedError,
)
from .policy import (  # noqa: E402
    Compiled,
    DeltaSet,
    Policy,
    PolicyDiff,
    Population,
    load_policy_text,
    load_snapshot,
    to_dataframe,
    to_jsonl,
)
from .results import (  # noqa: E402
    Finding,
    Findings,
    Reconciliation,
    ReconcileItem,
    RevokeItem,
    RevokeList,
    Route,
    TimedChange,
    TimedChanges,
)
from .xlsx import read_workbook  # noqa: E402

__version__: str = _core.__version__

__all__ = [
    "Compiled",
    "DataLossError",
    "Decision",
    "Delta",
    "DeltaSet",
    "Finding",
    "Findings",
    "OutOfRangeError",
    "Reconciliation",
    "ReconcileItem",
    "RevokeItem",
    "RevokeList",
    "Route",
    "TimedChange",
    "TimedChanges",
    "PolicyDiff",
    "load_policy_text",
    "load_snapshot",
    "Entitlement",
    "Error",
    "FailedPreconditionError",
    "InternalError",
    "InvalidArgumentError",
    "Issue",
    "NotFoundError",
    "Policy",
    "Population",
    "ResourceExhaustedError",
    "UnimplementedError",
    "__version__",
    "read_workbook",
    "to_dataframe",
    "to_jsonl",
]
