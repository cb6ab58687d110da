"""Shared fixtures: the acme example policy (examples/acme) and its golden
eval output (tests/testdata/acme_eval.golden.jsonl, as the CLI prints it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import birthright

ROOT = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", Path(__file__).resolve().parents[3]))
ACME = ROOT / "examples" / "acme"
AS_OF = "2026-11-26"


@pytest.fixture(scope="session")
def acme_policy() -> birthright.Policy:
    return birthright.Policy.from_csv(
        ACME / "rules.csv",
        catalog=ACME / "catalog.csv",
        aliases=ACME / "aliases.csv",
        schema=ACME / "schema.csv",
    )


@pytest.fixture(scope="session")
def acme_people() -> birthright.Population:
    return birthright.Population.from_csv(ACME / "people.csv")


@pytest.fixture(scope="session")
def acme(acme_policy: birthright.Policy, acme_people: birthright.Population) -> birthright.Compiled:
    return acme_policy.compile(hr=acme_people)


@pytest.fixture(scope="session")
def golden() -> str:
    return (ROOT / "tests" / "testdata" / "acme_eval.golden.jsonl").read_text(encoding="utf-8")
