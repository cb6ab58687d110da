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
    ResourceExhaustedError,
    UnimplementedError,
)
from .policy import Compiled, Policy, Population, to_dataframe, to_jsonl  # noqa: E402
from .xlsx import read_workbook  # noqa: E402

__version__: str = _core.__version__

__all__ = [
    "Compiled",
    "DataLossError",
    "Decision",
    "Delta",
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
