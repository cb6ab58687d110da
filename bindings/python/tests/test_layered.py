"""A layered snapshot answers as the one-DAG-per-app compile.

fuzz/corpus/snapshot/acme-format3-layered.brs is the acme example compiled
with CompileOptions::layer_min_rules = 1: 15 of its 26 apps are two DAG
layers whose outcomes are merged at evaluation; acme-format4-layered.brs the
same with layer_split_min_rules = 2, four apps in three layers, and
acme-format5-layered.brs that again without the leaves' rules, and
acme-format6-layered.brs with its sparse nodes padded. Their scope
and reason
ranges index the evaluation buffer's pool (kBufferRange, docs/dag.md). Every
surface of the binding must render those: one person, evaluate_many (list,
Population, threads) and the column-wise table of evaluate_frame_table, whose
chunks (256 people each, evaluated on several threads) rebase every person's
pool into one per chunk.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
import random
import threading

import pytest

import birthright
from birthright import _core

ROOT = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", Path(__file__).resolve().parents[3]))
ACME = ROOT / "examples" / "acme"
SNAPSHOTS = ROOT / "fuzz" / "corpus" / "snapshot"
DAYS = ["2025-03-01", "2026-11-26", "2026-12-16", "2027-06-30"]
TABLE_COLUMNS = ["person", "app", "instance", "level", "scopes", "expires", "reasons"]


@pytest.fixture(scope="module",
                params=["acme-format3-layered.brs", "acme-format4-layered.brs",
                        "acme-format5-layered.brs", "acme-format6-layered.brs"])
def layered(request: pytest.FixtureRequest) -> birthright.Compiled:
    return birthright.load_snapshot(SNAPSHOTS / request.param)


def read_records(name: str) -> list[dict[str, str]]:
    with open(ACME / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    """Every acme person, before and after the HR edits of people-after.csv."""
    return read_records("people.csv") + read_records("people-after.csv")


def merged_looking(decisions: list[birthright.Decision]) -> int:
    """Entitlements with several reasons or scopes (what merges produce)."""
    return sum(1 for d in decisions for e in d.entitlements
               if len(e.reasons) > 1 or len(e.scopes) > 1)


def test_layered_snapshot_is_the_acme_policy(layered: birthright.Compiled,
                                             acme: birthright.Compiled) -> None:
    # The snapshot names itself; its rules are the example's.
    assert (layered.name, layered.version) == ("acme-layered", "v1")
    assert layered.rule_count == acme.rule_count == 75
    assert layered.attributes == acme.attributes
    # Really layered: two DAGs for most apps, so not the one-DAG compile's
    # node count.
    assert layered.stats["nodes"] != acme.stats["nodes"]


def test_stats_count_the_layers(acme: birthright.Compiled) -> None:
    # Every seed layers 15 of the 26 apps; formats 4 to 6 split four of them
    # in three.
    for name, layers in [("acme-format3-layered.brs", 30), ("acme-format4-layered.brs", 34),
                         ("acme-format5-layered.brs", 34), ("acme-format6-layered.brs", 34)]:
        stats = birthright.load_snapshot(SNAPSHOTS / name).stats
        assert (stats["apps"], stats["layered_apps"], stats["layers"]) == (26, 15, layers)
    assert (acme.stats["layered_apps"], acme.stats["layers"]) == (0, 0)


@pytest.mark.parametrize("day", DAYS)
def test_one_person_at_a_time(layered: birthright.Compiled, acme: birthright.Compiled,
                              records: list[dict[str, str]], day: str) -> None:
    want = [acme.evaluate(r, day) for r in records]
    got = [layered.evaluate(r, day) for r in records]
    assert [d.to_json() for d in got] == [d.to_json() for d in want]
    assert got == want
    assert merged_looking(want) > 20


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_evaluate_many_on_threads(layered: birthright.Compiled, acme: birthright.Compiled,
                                  acme_people: birthright.Population,
                                  records: list[dict[str, str]], golden: str,
                                  threads: int) -> None:
    assert birthright.to_jsonl(layered.evaluate_many(acme_people, "2026-11-26",
                                                     threads=threads)) == golden
    for day in DAYS:
        want = acme.evaluate_many(records, day, threads=1)
        assert layered.evaluate_many(records, day, threads=threads) == want


def table_inputs(records: list[dict[str, str]], copies: int,
                 seed: int) -> tuple[list[str], list[str], list[list[str]]]:
    """`copies` renamed copies of `records`, shuffled, as (ids, names,
    columns) for evaluate_frame_table: several chunks of 256 people."""
    rows = [dict(r, id=f"{r['id']}-{j}-{k}") for k in range(copies)
            for j, r in enumerate(records)]
    random.Random(seed).shuffle(rows)
    names = [c for c in records[0] if c != "id"]
    return [r["id"] for r in rows], names, [[r[c] for r in rows] for c in names]


@pytest.mark.parametrize("threads", [1, 3])
def test_column_table_rebases_merged_ranges(layered: birthright.Compiled,
                                            acme: birthright.Compiled,
                                            records: list[dict[str, str]], threads: int) -> None:
    # 80 records x 12 copies = 960 people: four chunks, each with many
    # people whose merged ranges sit at different offsets of its pool.
    ids, names, columns = table_inputs(records, 12, seed=threads)
    people = [dict(zip(["id"] + names, [i] + [c[k] for c in columns]))
              for k, i in enumerate(ids)]
    for day in DAYS:
        got = _core.evaluate_frame_table(layered._core, ids, names, columns, day, threads)
        flat = _core.evaluate_frame_table(acme._core, ids, names, columns, day, threads)
        # The one-DAG answer, row by row from Decisions (no chunking).
        decisions = acme.evaluate_many(people, day, threads=1)
        want = _core.decisions_table(decisions)
        assert list(got) == TABLE_COLUMNS
        for column in TABLE_COLUMNS:
            assert got[column] == want[column], (day, column)
            assert flat[column] == want[column], (day, column)
        assert len(got["person"]) == sum(len(d) for d in decisions) > 2000
        multi = sum(1 for s, r in zip(got["scopes"], got["reasons"]) if ";" in s or ";" in r)
        assert multi > 200
        # Expiries are dates (or None), as the Decision path gives them.
        assert all(e is None or isinstance(e, dt.date) for e in got["expires"])


def test_python_threads_share_the_layered_policy(layered: birthright.Compiled,
                                                 acme: birthright.Compiled,
                                                 records: list[dict[str, str]]) -> None:
    want = [acme.evaluate(r, "2026-11-26") for r in records]
    results: list[list[birthright.Decision]] = [[] for _ in range(4)]

    def work(k: int) -> None:
        for _ in range(5):
            results[k] = [layered.evaluate(r, "2026-11-26") for r in records]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == want for r in results)


def test_hr_sync_from_the_layered_snapshot(layered: birthright.Compiled,
                                           acme: birthright.Compiled) -> None:
    for before_as_of in (None, "2026-10-01"):
        want = acme.hr_sync(ACME / "people.csv", ACME / "people-after.csv", "2026-12-03",
                            before_as_of=before_as_of)
        got = layered.hr_sync(ACME / "people.csv", ACME / "people-after.csv", "2026-12-03",
                              before_as_of=before_as_of, threads=2)
        assert got.to_jsonl() == want.to_jsonl()
