"""Snapshots, check findings, HR sync, policy change, reconcile, expiring
access and the emergency leaver from Python (SPEC §6, §7, §9), checked
against the CLI's golden files where there is one."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import pytest

import birthright

ROOT = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", Path(__file__).resolve().parents[3]))
ACME = ROOT / "examples" / "acme"
TESTDATA = ROOT / "tests" / "testdata"
AS_OF = "2026-11-26"

CATALOG = (
    "app,instance,levels,default level,owner,provisioning,monthly cost\n"
    "GitHub,,Read;Write;Admin,,dev@example.com,scim,4.00\n"
    "Slack,corp,Member;Admin,,it@example.com,scim,8.75\n"
    "NetSuite,,Clerk;Approver,,fin@example.com,manual,129.00\n"
)
RULES = (
    "id,department,employment type,app,instance,level,effect\n"
    "R1,Engineering,,GitHub,,Write,grant\n"
    "R2,*,,Slack,corp,Member,grant\n"
    "R3,,Contractor,Slack,corp,,deny\n"
    "R4,Finance,,NetSuite,,Clerk,grant\n"
)


@pytest.fixture()
def small() -> birthright.Compiled:
    return birthright.Policy.from_csv(RULES, catalog=CATALOG, name="small",
                                      version="v1").compile()


# --- snapshots (SPEC §9) ------------------------------------------------------


def test_snapshot_round_trip_bytes_and_path(acme: birthright.Compiled,
                                            acme_people: birthright.Population,
                                            golden: str, tmp_path: Path) -> None:
    data = acme.to_snapshot()
    assert isinstance(data, bytes) and len(data) > 100
    assert acme.to_snapshot() == data  # deterministic
    loaded = birthright.load_snapshot(data)
    assert (loaded.name, loaded.version, loaded.rule_count) == (acme.name, acme.version,
                                                               acme.rule_count)
    assert birthright.to_jsonl(loaded.evaluate_many(acme_people, AS_OF)) == golden
    path = tmp_path / "acme.brsnap"
    acme.save(path)
    assert path.read_bytes() == data
    from_path = birthright.load_snapshot(path)
    assert birthright.to_jsonl(from_path.evaluate_many(acme_people, AS_OF)) == golden
    assert birthright.load_snapshot(str(path)).rule_count == acme.rule_count
    assert birthright.load_snapshot(bytearray(data)).rule_count == acme.rule_count


def test_snapshot_never_trusts_bytes(small: birthright.Compiled, tmp_path: Path) -> None:
    data = bytearray(small.to_snapshot())
    data[len(data) // 2] ^= 0x5A
    with pytest.raises(birthright.DataLossError) as e:
        birthright.load_snapshot(bytes(data))
    assert e.value.code == "DATA_LOSS" and isinstance(e.value, ValueError)
    with pytest.raises(birthright.DataLossError):
        birthright.load_snapshot(small.to_snapshot()[:40])
    with pytest.raises(birthright.Error):
        birthright.load_snapshot(b"id,app\nR1,GitHub\n" * 10)
    with pytest.raises(birthright.NotFoundError):
        birthright.load_snapshot(tmp_path / "missing.brsnap")
    with pytest.raises(TypeError):
        birthright.load_snapshot(42)  # type: ignore[arg-type]


# --- check (SPEC §7) ----------------------------------------------------------


def test_check_findings_are_dataclasses_with_renderings() -> None:
    rules = ("id,department,app,instance,level\n"
             "F1,Sales,Slack,corp,Member\n"
             "F2,Sales,Slack,corp,Member\n"
             "F3,Sales,Salesforce,,User\n")
    policy = birthright.Policy.from_csv(rules, catalog=CATALOG, name="p")
    findings = policy.check(as_of=AS_OF)
    assert isinstance(findings, birthright.Findings)
    codes = [f.code for f in findings]
    assert "duplicate" in codes and "unknown-app" in codes
    assert codes.index("unknown-app") < codes.index("duplicate")  # errors first
    dup = next(f for f in findings if f.code == "duplicate")
    assert isinstance(dup, birthright.Finding)
    assert dup.rules == ("F1", "F2") and dup.rule == "F1"
    assert dup.locations == ("<rules>:2", "<rules>:3") and dup.location == "<rules>:2"
    assert [f.code for f in findings.errors] == ["unknown-app"]
    with pytest.raises(AttributeError):
        dup.code = "x"  # type: ignore[misc]  # frozen
    lines = findings.to_jsonl().splitlines()
    assert len(lines) == len(findings)
    assert '"code":"duplicate"' in lines[codes.index("duplicate")]
    assert '"version":"2.1.0"' in findings.to_sarif()
    pytest.importorskip("pandas")
    frame = findings.to_dataframe()
    assert list(frame.columns) == ["code", "severity", "rules", "locations", "message"]
    assert frame.loc[codes.index("duplicate"), "rules"] == "F1;F2"


def test_check_acme_with_people_matches_cli_codes(acme_policy: birthright.Policy,
                                                  acme_people: birthright.Population) -> None:
    findings = acme_policy.check(acme_people, as_of=AS_OF)
    assert all(f.severity in ("error", "warning", "info") for f in findings)
    # Witnesses are attribute -> value dicts.
    for f in findings:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in f.witness.items())
    with pytest.raises(birthright.InvalidArgumentError, match="as_of"):
        acme_policy.check(as_of="2026-02-30")


# --- HR sync and policy change (SPEC §6) -------------------------------------


def test_hr_sync_matches_the_cli_golden(acme: birthright.Compiled) -> None:
    sync = acme.hr_sync(ACME / "people.csv", ACME / "people-after.csv", "2026-12-03")
    golden = (TESTDATA / "acme_delta.golden.jsonl").read_text(encoding="utf-8")
    assert sync.to_jsonl() == golden
    assert len(sync) == len(golden.splitlines())
    assert [d.person for d in sync] == sorted(d.person for d in sync)
    stats = sync.stats
    assert stats["people"] == len(sync)
    assert stats["joiners"] + stats["movers"] + stats["leavers"] + stats["unchanged"] == len(sync)
    assert f"{stats['joiners']} joiner" in sync.summary
    assert sync[-1].person == list(sync)[-1].person
    with pytest.raises(IndexError):
        sync[len(sync)]
    pd = pytest.importorskip("pandas")
    actions = sync.to_dataframe()
    assert list(actions.columns) == ["person", "kind", "action", "app", "instance", "from_level",
                                     "to_level", "reasons", "owner", "provisioning",
                                     "monthly_cost_cents"]
    assert len(actions) == stats["adds"] + stats["removes"] + stats["changes"]
    assert set(actions.action) <= {"add", "remove", "change"}
    with_keep = sync.to_dataframe(keep=True)
    assert len(with_keep) == len(actions) + stats["keeps"]
    assert isinstance(actions, pd.DataFrame)


def test_hr_sync_kinds_routing_and_two_dates(small: birthright.Compiled) -> None:
    ft = {"employment type": "Full-time"}  # else the contractor deny applies (UNKNOWN)
    mon = [{"id": "a", "department": "Engineering", **ft},
           {"id": "b", "department": "Finance", **ft}]
    tue = [{"id": "a", "department": "Finance", **ft}, {"id": "c", "department": "Sales", **ft}]
    sync = small.hr_sync(mon, tue, AS_OF, threads=2)
    assert [(d.person, d.kind) for d in sync] == [("a", "mover"), ("b", "leaver"),
                                                   ("c", "joiner")]
    a = sync[0]
    assert [e.app for e in a.add] == ["NetSuite"] and [e.app for e in a.remove] == ["GitHub"]
    assert sync.route("NetSuite") == birthright.Route("fin@example.com", "manual", 12900)
    assert small.route("Slack", "corp").monthly_cost_cents == 875
    assert small.route("Jira") == birthright.Route("", "unspecified", None)
    assert sync.stats["manual_tasks"] == 2  # a's NetSuite add, b's NetSuite remove
    assert sync.stats["manual_by_owner"] == {"fin@example.com": 2}
    assert "1 joiner, 1 mover, 1 leaver" in sync.summary
    # The same export on two dates: nothing changes with time here.
    same = small.hr_sync(mon, mon, "2027-01-01", before_as_of=dt.date(2026, 1, 1))
    assert [d.kind for d in same] == ["unchanged", "unchanged"]
    with pytest.raises(birthright.InvalidArgumentError, match="threads"):
        small.hr_sync(mon, tue, AS_OF, threads=100000)
    with pytest.raises(birthright.InvalidArgumentError, match="as_of"):
        small.hr_sync(mon, tue, "tomorrow")


def test_policy_delta(small: birthright.Compiled) -> None:
    v2 = birthright.Policy.from_csv(RULES.replace("R3,,Contractor,Slack,corp,,deny\n", ""),
                                    catalog=CATALOG, name="small", version="v2").compile()
    people = [{"id": "k", "department": "Sales", "employment type": "Contractor"},
              {"id": "f", "department": "Finance", "employment type": "Full-time"}]
    change = small.policy_delta(v2, people, AS_OF)
    assert [(d.person, d.kind) for d in change] == [("f", "unchanged"), ("k", "mover")]
    assert [e.reasons for e in change[1].add] == [["R2"]]
    assert "1 person changes" in change.summary or "people change" in change.summary


# --- reconcile (SPEC §6) ------------------------------------------------------


def test_reconcile_matches_the_cli_golden(acme: birthright.Compiled,
                                          acme_people: birthright.Population,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ACME)  # the golden file names the export "access.csv"
    with open("access.csv", encoding="utf-8") as f:
        apps = sorted({row["app"] for row in csv.DictReader(f)})
    result = acme.reconcile(acme_people, "access.csv", AS_OF, apps=apps)
    golden = (TESTDATA / "acme_reconcile.golden.jsonl").read_text(encoding="utf-8")
    assert result.to_jsonl() == golden
    assert result.people == 40
    # E012, a contractor, holds AWS production: R35 denies it (issue 6).
    e012 = next(i for i in result if i.person == "E012")
    assert (e012.kind, e012.reason, e012.denied_by) == ("excess", "not granted", ("R35",))
    orphans = [i for i in result.by_kind("excess") if i.reason == "orphan"]
    assert {i.person for i in orphans} == {"E999"}


def test_reconcile_inputs_and_items(small: birthright.Compiled) -> None:
    people = [{"id": "e", "department": "Engineering", "employment type": "Full-time"},
              {"id": "k", "department": "Engineering", "employment type": "Contractor"}]
    access = [
        {"person id": "e", "app": "GitHub", "instance": "", "level": "Admin"},
        {"person id": "k", "app": "Slack", "instance": "corp", "level": "Member"},
        {"person id": "k", "app": "GitHub", "instance": "", "level": "Write"},
        {"person id": "z", "app": "GitHub", "instance": "", "level": "Read"},
    ]
    result = small.reconcile(people, access, AS_OF)
    kinds = [(i.person, i.kind, i.app) for i in result]
    assert kinds == [("e", "level-mismatch", "GitHub"), ("e", "missing", "Slack"),
                     ("k", "excess", "Slack"), ("z", "excess", "GitHub")]
    assert result.consistent == 1
    mismatch, missing, denied, orphan = result.items
    assert mismatch.desired is not None and mismatch.desired.level == "Write"
    assert mismatch.actual_level == "Admin" and mismatch.location == "<access>:2"
    assert missing.actual_level is None and missing.location == ""
    assert denied.denied_by == ("R3",) and denied.route.owner == "it@example.com"
    assert orphan.reason == "orphan" and orphan.denied_by == ()
    pd = pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert frame.loc[2, "denied_by"] == "R3"
    # A DataFrame and CSV text give the same answer as records.
    assert small.reconcile(people, pd.DataFrame(access), AS_OF).to_jsonl() == result.to_jsonl()
    text = "person id,app,instance,level\n" + "".join(
        f"{r['person id']},{r['app']},{r['instance']},{r['level']}\n" for r in access)
    assert small.reconcile(people, text, AS_OF).to_jsonl() == result.to_jsonl()
    only_slack = small.reconcile(people, access, AS_OF, apps=["slack"])
    assert {i.app for i in only_slack} == {"Slack"}
    with pytest.raises(birthright.InvalidArgumentError, match=r"<access>:1"):
        small.reconcile(people, "name,app\nx,y\n", AS_OF)
    with pytest.raises(birthright.InvalidArgumentError, match="duplicate"):
        small.reconcile(people + people[:1], access, AS_OF)


# --- expiring access and the emergency leaver ----------------------------------


def test_expiring_within_is_the_day_n_notice(acme: birthright.Compiled,
                                             acme_people: birthright.Population) -> None:
    changes = acme.expiring_within(acme_people, 10, "2026-12-05")
    assert isinstance(changes, birthright.TimedChanges) and len(changes) >= 1
    e012 = [c for c in changes if c.person == "E012"]
    assert e012 and all(c.kind == "lapse" for c in e012)
    assert e012[0].last_day == dt.date(2026, 12, 15)
    assert e012[0].effective == dt.date(2026, 12, 16)
    assert e012[0].before is not None and e012[0].after is None
    assert [c.effective for c in changes] == sorted(c.effective for c in changes)
    assert len(acme.expiring_within(acme_people, 0, "2026-12-05")) <= len(changes)
    pytest.importorskip("pandas")
    frame = changes.to_dataframe()
    assert list(frame.person) == [c.person for c in changes]
    with pytest.raises(birthright.OutOfRangeError):
        acme.expiring_within(acme_people, -1, "2026-12-05")
    with pytest.raises(ValueError):
        acme.expiring_within(acme_people, 36601, "2026-12-05")


def test_emergency_leaver_automated_first(small: birthright.Compiled) -> None:
    person = {"id": "e", "department": "Finance", "employment type": "Full-time"}
    access = "person id,app,instance,level\ne,Jira,,User\ne,GitHub,,Read\nx,GitHub,,Read\n"
    revoke = small.emergency_leaver(person, access, AS_OF)
    assert revoke.person == "e"
    assert [(i.app, i.route.provisioning) for i in revoke] == [
        ("GitHub", "scim"), ("Slack", "scim"), ("NetSuite", "manual"), ("Jira", "unspecified")]
    github, slack, netsuite, jira = revoke
    assert github.granted is None and github.actual_level == "Read" and github.level == "Read"
    assert slack.granted is not None and slack.granted.reasons == ["R2"]
    assert netsuite.route == birthright.Route("fin@example.com", "manual", 12900)
    assert jira.location == "<access>:2"
    assert '"kind":"leaver"' in revoke.to_json()
    assert len(small.emergency_leaver(person, None, AS_OF)) == 2
    pytest.importorskip("pandas")
    assert list(revoke.to_dataframe().app) == ["GitHub", "Slack", "NetSuite", "Jira"]


# --- policy text and diff -------------------------------------------------------


def test_policy_text_round_trip_and_diff(acme_policy: birthright.Policy,
                                         acme_people: birthright.Population,
                                         golden: str, tmp_path: Path) -> None:
    text = acme_policy.to_text()
    assert text.startswith("policy ") and "rule R35 deny" in text
    parsed = birthright.load_policy_text(text)
    assert parsed.rule_count == acme_policy.rule_count
    assert parsed.to_text() == text  # canonical: a fixed point
    compiled = parsed.compile(hr=acme_people)
    assert birthright.to_jsonl(compiled.evaluate_many(acme_people, AS_OF)) == golden
    path = tmp_path / "acme.brp"
    path.write_text(text, encoding="utf-8")
    assert birthright.Policy.from_text(path).rule_count == acme_policy.rule_count
    with pytest.raises(birthright.InvalidArgumentError, match=r"bad\.brp:1:"):
        bad = tmp_path / "bad.brp"
        bad.write_text("rule R1 frobnicate\n", encoding="utf-8")
        birthright.Policy.from_text(bad)

    # Diff: drop the deny R35; E012 (a contractor) gains AWS production.
    cut = text.index("rule R35 deny")
    end = text.index("\nrule ", cut + 1)
    without = birthright.load_policy_text(text[:cut] + text[end + 1:])
    diff = acme_policy.diff(without, acme_people, AS_OF)
    assert isinstance(diff, birthright.PolicyDiff)
    assert "1 removed" in diff.summary
    assert "R35" in diff.to_json() and diff.document
    assert diff.to_jsonl().count("\n") >= 1
    assert "E012" in diff.to_jsonl()
    with pytest.raises(birthright.InvalidArgumentError):
        acme_policy.diff(without, acme_people, "2026-13-01")
