"""Evaluating people: one, many (lists, Populations, DataFrames), deltas."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
import threading

import pytest

import birthright

ROOT = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", Path(__file__).resolve().parents[3]))
ACME = ROOT / "examples" / "acme"
AS_OF = "2026-11-26"


def test_many_matches_the_cli_golden(acme: birthright.Compiled,
                                     acme_people: birthright.Population, golden: str) -> None:
    decisions = acme.evaluate_many(acme_people, AS_OF)
    assert len(decisions) == 40
    assert birthright.to_jsonl(decisions) == golden


def test_records_threads_and_dates_agree(acme: birthright.Compiled, golden: str) -> None:
    with open(ACME / "people.csv", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    one = acme.evaluate_many(records, dt.date(2026, 11, 26), threads=1)
    two = acme.evaluate_many(iter(records), "2026-11-26", threads=2)
    assert one == two
    assert birthright.to_jsonl(one) == golden
    assert [d.to_json() for d in one] == golden.splitlines()
    # One at a time gives the same answers.
    assert [acme.evaluate(r, AS_OF) for r in records] == one


def test_dataframe_in_and_out(acme: birthright.Compiled, golden: str) -> None:
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(ACME / "people.csv")  # ints, NaN for empty cells
    table = acme.evaluate_many(df, AS_OF)
    assert list(table.columns) == ["person", "app", "instance", "level", "scopes", "expires",
                                   "reasons"]
    decisions = acme.evaluate_many(birthright.Population.from_dataframe(df), AS_OF)
    assert birthright.to_jsonl(decisions) == golden
    expected = birthright.to_dataframe(decisions)
    pd.testing.assert_frame_equal(table, expected)
    assert len(table) == sum(len(d) for d in decisions)
    slack = table[(table.person == "E001") & (table.app == "Slack")].iloc[0]
    assert slack.scopes == "announcements;general;random"


def test_one_person(acme: birthright.Compiled) -> None:
    person = {
        "Employee ID": "X1",
        "Department": "Eng",  # an alias of Engineering
        "JOB_TITLE": "Staff Engineer",
        "location": "New York",
        "employment-type": "Full-time",
        "grade": "L6",
        "start date": dt.date(2024, 1, 15),
        "squads": ["platform", "on-call"],  # a set attribute
        "cost center": 4100,
        "name": "ignored: the policy does not read it",
    }
    d = acme.evaluate(person, AS_OF)
    assert d.person == "X1"
    assert not d.leaver
    apps = {(e.app, e.instance): e for e in d.entitlements}
    assert apps[("GitHub", "acme-org")].level in ("Write", "Maintain", "Admin")
    assert d.missing == []
    assert d == acme.evaluate(dict(person), "2026-11-26")
    assert d.to_json().startswith('{"person":"X1","entitlements":[')
    assert "Decision(person='X1'" in repr(d)
    e = d.entitlements[0]
    assert isinstance(e.scopes, list) and isinstance(e.reasons, list) and e.reasons
    assert e.to_json().startswith('{"app":')
    # `id=` overrides the record's id.
    assert acme.evaluate(person, AS_OF, id="other").person == "other"


def test_missing_attributes_and_leavers(acme: birthright.Compiled) -> None:
    d = acme.evaluate({"id": "m", "department": "Engineering", "grade": None}, AS_OF)
    assert "grade" in d.missing  # a missing attribute that changed the outcome
    gone = acme.evaluate({"id": "l", "department": "Sales", "termination date": "2020-01-31"},
                         AS_OF)
    assert gone.leaver and gone.entitlements == []


def test_expiry_is_a_date(acme: birthright.Compiled) -> None:
    contractor = {"id": "c", "department": "Engineering", "employment type": "Contractor",
                  "location": "New York", "job title": "Software Engineer", "grade": "L4",
                  "contract end": "2027-03-31", "start date": "2025-01-01"}
    d = acme.evaluate(contractor, AS_OF)
    expiring = [e for e in d.entitlements if e.expires is not None]
    assert expiring, d
    assert all(isinstance(e.expires, dt.date) for e in expiring)
    assert expiring[0].expires == dt.date(2027, 3, 31)


def test_bad_inputs(acme: birthright.Compiled) -> None:
    with pytest.raises(birthright.InvalidArgumentError, match="as_of"):
        acme.evaluate({"id": "x"}, "2026-02-30")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        acme.evaluate_many([{"id": "x"}], "26/11/2026")
    with pytest.raises(TypeError):
        acme.evaluate({"id": "x"}, 20261126)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="mapping"):
        acme.evaluate(["not", "a", "mapping"], AS_OF)  # type: ignore[arg-type]
    today = acme.evaluate({"id": "x"})  # as_of defaults to today (UTC)
    assert today.person == "x"


def test_delta(acme: birthright.Compiled) -> None:
    before = {"id": "E9", "department": "Sales", "location": "New York",
              "employment type": "Full-time"}
    after = dict(before, department="Engineering", **{"job title": "Software Engineer"})
    mover = acme.delta(before, after, AS_OF)
    assert mover.kind == "mover" and mover.person == "E9"
    assert mover.has_actions
    assert mover.add and mover.keep
    joiner = acme.delta(None, after, AS_OF)
    assert joiner.kind == "joiner"
    assert [e.app for e in joiner.add] == [e.app for e in acme.evaluate(after, AS_OF).entitlements]
    leaver = acme.delta(before, None, AS_OF)
    assert leaver.kind == "leaver" and not leaver.add and leaver.remove
    same = acme.delta(before, dict(before, department="sales"), AS_OF)  # case-only edit
    assert same.kind == "unchanged" and not same.has_actions
    assert mover.to_json().startswith('{"person":"E9","kind":"mover","add":[')
    for c in mover.change:
        assert c[0].app == c[1].app
    with pytest.raises(birthright.InvalidArgumentError, match="both None"):
        acme.delta(None, None, AS_OF)
    with pytest.raises(birthright.InvalidArgumentError, match="different people"):
        acme.delta({"id": "a"}, {"id": "b"}, AS_OF)


def test_concurrent_calls_share_one_compiled_policy(acme: birthright.Compiled,
                                                    acme_people: birthright.Population,
                                                    golden: str) -> None:
    results: list[str] = []

    def work() -> None:
        results.append(birthright.to_jsonl(acme.evaluate_many(acme_people, AS_OF, threads=2)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [golden] * 4


def test_compiled_properties(acme: birthright.Compiled) -> None:
    assert acme.name == "rules" and acme.version == "unversioned"
    assert acme.rule_count == 75
    assert "department" in acme.attributes
    assert acme.stats["rules"] == 75 and acme.stats["nodes"] > 0
    assert "Compiled(name='rules'" in repr(acme)


def test_dataframe_column_wise_path_matches_row_wise(acme: birthright.Compiled,
                                                     acme_people: birthright.Population) -> None:
    """evaluate_many on a DataFrame converts only the columns the policy reads
    and evaluates column-wise; it must answer exactly as the per-record path,
    termination dates (SPEC §4.0) and thread counts included."""
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(ACME / "people.csv", dtype=str, keep_default_na=False)

    class Unprintable:
        def __str__(self) -> str:
            raise AssertionError("an unused column was converted")

    df["notes"] = [Unprintable() for _ in range(len(df))]  # never read by the policy
    df.loc[df.index[0], "termination date"] = "2026-01-01"  # E001 left: gets nothing
    table = acme.evaluate_many(df, AS_OF, threads=1)
    assert "E001" not in set(table.person)
    records = df.drop(columns=["notes"]).to_dict("records")
    expected = birthright.to_dataframe(acme.evaluate_many(records, AS_OF))
    pd.testing.assert_frame_equal(table, expected)
    pd.testing.assert_frame_equal(acme.evaluate_many(df, AS_OF, threads=3), table)
    # "leave date" is the termination date too.
    renamed = df.rename(columns={"termination date": "Leave Date"})
    pd.testing.assert_frame_equal(acme.evaluate_many(renamed, AS_OF), table)
    # Without an id column the index names people.
    by_index = df.drop(columns=["id"]).set_index(df["id"])
    pd.testing.assert_frame_equal(acme.evaluate_many(by_index, AS_OF), table)
    with pytest.raises(birthright.InvalidArgumentError, match="as_of"):
        acme.evaluate_many(df, "2026-02-30")
