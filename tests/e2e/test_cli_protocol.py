"""`trialdesk protocol …`: compile, review, export, correct by hand, load, show — as a coordinator would."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from tests.conftest import list_seed_files, read_seed_record
from tests.e2e.test_cli import db, run

__all__ = ["db"]  # the fixture, re-used


def test_review_lists_the_missing_dose_with_the_text_tried(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", "--examples")
    code, out, _ = run(capsys, "protocol", "review", "NCT06242405")
    flat = " ".join(out.split())
    assert code == 0
    assert "MISSING (required) regimens[0].dose" in flat
    assert "text tried: “Umbilical cord mesenchymal stem cells injected through peripheral veins" in flat
    assert "can be activated: no" in flat
    code, out, _ = run(capsys, "protocol", "review", "NCT04850469")
    flat = " ".join(out.split())
    for path in ("allocation.kind", "arms", "regimens", "schedule", "outcomes"):
        assert f"MISSING (required) {path}" in flat


def test_export_load_export_is_byte_identical_and_a_correction_adds_a_version(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "import", "--examples")
    _, exported, _ = run(capsys, "protocol", "export", "NCT06242405")
    assert exported.startswith("# trialdesk protocol file for NCT06242405")
    path = tmp_path / "study.yaml"
    path.write_text(exported, encoding="utf-8")
    code, out, _ = run(capsys, "protocol", "load", str(path))
    assert code == 0 and "identical to NCT06242405 protocol version 1: nothing stored" in " ".join(out.split())
    # A coordinator fills in both missing doses by hand, as the file's header explains.
    filled = re.sub(
        r"(    dose:\n)      value: null\n      provenance:\n        source: missing\n((?:        (?!rule).*\n)*?)"
        r"        rule: >-\n(?:          .*\n)+?(?=    #|    route)",
        lambda m: (
            m.group(1) + "      value: {amount: 1000000.0, unit: cells, basis: per-kg, approximate: false}\n"
            "      provenance:\n        source: default\n"
            + m.group(2)
            + '        rule: "entered by Dr Qi on 2026-11-22: investigator brochure"\n'
        ),
        exported,
    )
    assert filled.count("source: missing") == exported.count("source: missing") - 2
    path.write_text(filled, encoding="utf-8")
    code, out, err = run(capsys, "protocol", "load", str(path))
    assert code == 0, err
    assert "stored NCT06242405 protocol version 2" in " ".join(out.split())
    _, again, _ = run(capsys, "protocol", "export", "NCT06242405")
    assert "entered by Dr Qi on 2026-11-22" in again
    (tmp_path / "again.yaml").write_text(again, encoding="utf-8")
    run(capsys, "protocol", "load", str(tmp_path / "again.yaml"))
    _, third, _ = run(capsys, "protocol", "export", "NCT06242405")
    assert third == again  # export → load → export is byte-identical
    _, first, _ = run(capsys, "protocol", "export", "NCT06242405", "--version", "1")
    assert first == exported  # the compiled version is kept
    _, as_json, _ = run(capsys, "protocol", "export", "NCT06242405", "--format", "json")
    assert orjson.loads(as_json)["nct_id"] == "NCT06242405"


def test_load_errors_name_the_line_and_field(db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "import", "--examples")
    _, exported, _ = run(capsys, "protocol", "export", "NCT07295067")
    broken = exported.replace("enrollment:\n  value: 18", "enrollment:\n  value: eighteen", 1)
    assert broken != exported
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    code, _, err = run(capsys, "protocol", "load", str(path))
    line = broken.splitlines().index("  value: eighteen") + 1
    assert code == 2
    assert err.startswith(f"error: {path}: line {line}: enrollment.value")
    assert len(err.strip().splitlines()) == 1


def test_show_prints_the_schedule_of_assessments(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", "--examples")
    code, out, _ = run(capsys, "protocol", "show", "NCT07295067")
    assert code == 0
    for text in ("V01", "Hour 24", "Week 4", "Week 8", "Week 12", "Month 12", "day 28±7", "isncsci", "●"):
        assert text in out, text


def test_compile_a_record_file_without_storing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "protocol", "compile", str(list_seed_files()[0]), "--json")
    protocol = orjson.loads(out)
    assert code == 0
    assert protocol["allocation"]["kind"]["value"] == "dose-escalation-3+3"
    assert [level["amount"] for level in protocol["escalation"]["dose_levels"]["value"]] == [1e11, 2e11, 3e11]
    _, listed, _ = run(capsys, "studies", "--json")
    assert listed == ""  # nothing was stored


def test_compile_a_page_of_studies_gives_an_array_and_names_the_one_it_could_not_read(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "page.json"
    studies = [read_seed_record(1), {"protocolSection": "not a module"}, read_seed_record(0)]
    page.write_bytes(orjson.dumps({"studies": studies}))
    code, out, err = run(capsys, "protocol", "compile", str(page), "--json")
    protocols = orjson.loads(out)  # one JSON document: an array, in file order
    assert [protocol["nct_id"] for protocol in protocols] == ["NCT06731192", "NCT07295067"]
    assert protocols[1]["allocation"]["kind"]["value"] == "dose-escalation-3+3"
    assert code == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"not compiled: {page} (study 2): ")
    assert lines[-1] == f"error: 1 of 3 studies in {page} could not be read (named above)"
    _, listed, _ = run(capsys, "studies", "--json")
    assert listed == ""  # nothing was stored


def test_compile_a_file_with_no_readable_study_is_one_line(
    db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "empty-page.json"
    page.write_bytes(b'{"studies": [[]]}')
    code, out, err = run(capsys, "protocol", "compile", str(page))
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [f"error: {page} (study 1): not a study: expected a JSON object, got list"]
