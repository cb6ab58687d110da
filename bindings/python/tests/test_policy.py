"""Loading policies: sources (paths, text, bytes, files), formats, errors."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

import birthright

ROOT = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", Path(__file__).resolve().parents[3]))
ACME = ROOT / "examples" / "acme"

CATALOG = (
    "app,instance,levels,default level\n"
    "GitHub,,Read;Write;Admin,\n"
    "Slack,corp,Member;Admin,\n"
)
RULES = "id,department,app,instance,level\nR1,Engineering,GitHub,,Write\nR2,*,Slack,corp,Member\n"
MATRIX = "id,department,GitHub,Slack [corp]\nM1,Engineering,Write,x\n"


def test_error_hierarchy() -> None:
    assert issubclass(birthright.InvalidArgumentError, birthright.Error)
    assert issubclass(birthright.InvalidArgumentError, ValueError)
    assert issubclass(birthright.NotFoundError, LookupError)
    assert issubclass(birthright.DataLossError, ValueError)
    assert issubclass(birthright.InternalError, RuntimeError)
    assert birthright.InvalidArgumentError.code == "INVALID_ARGUMENT"
    assert birthright.ResourceExhaustedError.code == "RESOURCE_EXHAUSTED"
    assert birthright.Error.__module__ == "birthright"


def test_from_csv_paths(acme_policy: birthright.Policy) -> None:
    assert acme_policy.name == "rules"  # the rules file's stem
    assert acme_policy.version == "unversioned"
    assert acme_policy.rule_count == 75
    assert acme_policy.rule_ids[:2] == ["R1", "R2"]
    assert acme_policy.reports[0]["format"] == "rules list"
    roles = dict(acme_policy.reports[0]["columns"])
    assert roles["app"] == "app"


def test_from_csv_text_bytes_and_files() -> None:
    by_text = birthright.Policy.from_csv(RULES, catalog=CATALOG, name="p", version="v2")
    assert (by_text.name, by_text.version, by_text.rule_count) == ("p", "v2", 2)
    by_bytes = birthright.Policy.from_csv(RULES.encode(), catalog=CATALOG.encode())
    assert by_bytes.name == "policy" and by_bytes.rule_count == 2
    by_file = birthright.Policy.from_csv(io.StringIO(RULES), catalog=io.BytesIO(CATALOG.encode()))
    assert by_file.rule_count == 2
    by_str_path = birthright.Policy.from_csv(str(ACME / "rules.csv"),
                                             catalog=str(ACME / "catalog.csv"))
    assert by_str_path.rule_count == 75


def test_matrix() -> None:
    with_columns = birthright.Policy.from_csv(MATRIX, catalog=CATALOG,
                                              app_columns=["GitHub", "Slack [corp]"])
    assert with_columns.rule_count == 1
    from_catalog = birthright.Policy.from_csv(MATRIX, catalog=CATALOG)
    assert from_catalog.reports[0]["format"] == "access matrix"
    d = from_catalog.compile().evaluate({"department": "Engineering"}, "2026-11-26")
    assert [(e.app, e.instance, e.level) for e in d.entitlements] == [
        ("GitHub", "", "Write"), ("Slack", "corp", "Member")]
    with pytest.raises(birthright.InvalidArgumentError, match="app columns|catalog"):
        birthright.Policy.from_csv(MATRIX, format="matrix")


def test_bad_csv_names_file_line_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text('id,department,app,level\nR1,Sales,Slack,Member\nR2,"Eng,GitHub,Write\n')
    with pytest.raises(birthright.InvalidArgumentError, match=r"bad\.csv:3:\d+"):
        birthright.Policy.from_csv(bad, catalog=CATALOG)
    with pytest.raises(ValueError, match=r"<rules>:2:4"):
        birthright.Policy.from_csv("id,grade,app,level\nR1,L3..,GitHub,Write\n", catalog=CATALOG)
    with pytest.raises(birthright.InvalidArgumentError, match=r"<catalog>:2"):
        birthright.Policy.from_csv(RULES, catalog="app,levels\n,Read\n")
    with pytest.raises(birthright.InvalidArgumentError, match="format"):
        birthright.Policy.from_csv(RULES, format="yaml")


def test_missing_file() -> None:
    with pytest.raises(birthright.NotFoundError, match="no such file"):
        birthright.Policy.from_csv("does-not-exist.csv")
    with pytest.raises(LookupError):
        birthright.Policy.from_csv(Path("also-missing.csv"))
    with pytest.raises(TypeError):
        birthright.Policy.from_csv(42)  # type: ignore[arg-type]


def test_check_and_compile_refusal() -> None:
    policy = birthright.Policy.from_csv(
        "id,department,app,level\nR1,Sales,Salesforce,User\n", catalog=CATALOG, name="p")
    issues = policy.check()
    unknown = [i for i in issues if i.code == "unknown-app"]
    assert len(unknown) == 1
    assert unknown[0].severity == "error"
    assert unknown[0].rule == "R1"
    assert unknown[0].location.startswith("<rules>:2")
    # bind_issues: only what compile refuses on, with the column.
    bind = [i for i in policy.bind_issues() if i.code == "unknown-app"]
    assert bind[0].location.startswith("<rules>:2:")
    assert "Salesforce" in unknown[0].message
    assert "unknown-app" in repr(unknown[0])
    with pytest.raises(birthright.InvalidArgumentError, match=r"<rules>:2:\d+"):
        policy.compile()


def test_type_inference_from_hr() -> None:
    rules = "id,grade,app,level\nG1,>= L9,GitHub,Admin\n"
    policy = birthright.Policy.from_csv(rules, catalog=CATALOG)
    hr = [{"id": "E1", "grade": "L10"}, {"id": "E2", "grade": "L2"}]
    compiled = policy.compile(hr=hr)
    assert compiled.attribute_types == {"grade": "ordinal"}
    got = [len(d) for d in compiled.evaluate_many(hr, "2026-11-26")]
    assert got == [1, 0]  # L10 >= L9 in natural order
    assert any(i.code for i in compiled.issues)


def test_population_sources(acme_people: birthright.Population) -> None:
    assert len(acme_people) == 40
    assert acme_people.ids[0] == "E001"
    assert acme_people.records()[0]["department"] == "Executive"
    assert "Population(40 people)" == repr(acme_people)
    with pytest.raises(birthright.InvalidArgumentError, match=r"<people>:1"):
        birthright.Population.from_csv("name,department\nAnn,Sales\n")
    with pytest.raises(birthright.InvalidArgumentError, match="duplicate"):
        birthright.Population.from_csv("id,department\nE1,Sales\nE1,HR\n")
    records = birthright.Population.from_records([{"department": "Sales"}, {"Employee ID": "E9"}])
    assert records.ids == ["0", "E9"]
