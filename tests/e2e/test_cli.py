"""The trialdesk command line, driven as a user would: import, list, show, search, errors."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest

from tests.conftest import RECORDS, list_seed_files
from trialdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRIALDESK_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "160")
    return url


def test_import_examples_then_list(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", "--examples")
    assert code == 0
    assert "imported 5, updated 0, unchanged 0, rejected 0 (of 5 found)" in out
    code, out, _ = run(capsys, "import", "--examples")
    assert "imported 0, updated 0, unchanged 5, rejected 0 (of 5 found)" in out
    code, out, _ = run(capsys, "studies")
    assert code == 0
    for nct_id in ("NCT07295067", "NCT06731192", "NCT06242405", "NCT02491658", "NCT04850469"):
        assert nct_id in out
    assert "5 studies" in out


def test_studies_json_has_one_object_per_study(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", "--examples")
    code, out, _ = run(capsys, "studies", "--json")
    rows = [orjson.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 5
    by_id = {r["nct_id"]: r for r in rows}
    assert by_id["NCT04850469"]["status"] == "WITHDRAWN"
    assert by_id["NCT07295067"]["title"] == "Extracellular Vesicles for the Treatment of Syringomyelia"
    assert by_id["NCT06731192"]["phases"] == ["PHASE2", "PHASE3"]


def test_bulk_import_reports_each_rejection_and_continues(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("NCT00576225.json", "NCT02513394.xml"):
            zf.write(RECORDS / name, name)
        zf.writestr("broken.json", b'{"protocolSection": ')
    (tmp_path / "empty.json").write_bytes(b"")
    code, out, err = run(capsys, "import", str(archive), str(tmp_path / "empty.json"))
    assert code == 1  # something was rejected: scripts must notice
    assert "imported 2, updated 0, unchanged 0, rejected 2 (of 4 found)" in out
    assert f"rejected: {archive}:broken.json: invalid JSON" in err
    assert f"rejected: {tmp_path / 'empty.json'}: empty file" in err
    _, out, _ = run(capsys, "studies", "--json")
    assert sorted(orjson.loads(line)["nct_id"] for line in out.splitlines()) == ["NCT00576225", "NCT02513394"]


def test_show_prints_a_study_page(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", "--examples")
    code, out, _ = run(capsys, "show", "nct07295067")
    out = " ".join(out.split())  # the page wraps to the terminal width
    assert code == 0
    for expected in (
        "Extracellular Vesicles for the Treatment of Syringomyelia",
        "recruiting",
        "Phase 1",
        "non randomized",
        "18 participants",
        "Exosomes group",
        "18 Years to 60 Years",
        "Xuanwu Hospital, Beijing, China",
        "2025-12-15",
        "Design",
        "Eligibility",
        "Outcomes",
        "Locations",
        "Dates",
    ):
        assert expected in out, expected


def test_show_withdrawn_overview_lists_what_is_missing(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", "--examples")
    code, out, _ = run(capsys, "show", "NCT04850469")
    out = " ".join(out.split())  # the page wraps to the terminal width
    assert code == 0
    assert "withdrawn — Lacking of funding" in out
    assert "the document was cut off" in out
    assert "Not in the record:" in out and "primaryOutcomes" in out and "armGroups" in out


def test_show_versions(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = orjson.loads((RECORDS / "NCT00576225.json").read_bytes())
    (tmp_path / "v1.json").write_bytes(orjson.dumps(data))
    data["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2024-01-01"
    data["protocolSection"]["identificationModule"]["briefTitle"] = "Renamed"
    (tmp_path / "v2.json").write_bytes(orjson.dumps(data))
    run(capsys, "import", str(tmp_path / "v1.json"))
    _, out, _ = run(capsys, "import", str(tmp_path / "v2.json"))
    assert "updated 1" in out
    _, out, _ = run(capsys, "show", "NCT00576225", "--json")
    current = orjson.loads(out)
    assert (current["version"], current["versions"]) == (2, [1, 2])
    assert current["record"]["protocolSection"]["identificationModule"]["briefTitle"] == "Renamed"
    _, out, _ = run(capsys, "show", "NCT00576225", "--version", "1", "--json")
    assert orjson.loads(out)["record"]["protocolSection"]["identificationModule"]["briefTitle"] != "Renamed"
    code, _, err = run(capsys, "show", "NCT00576225", "--version", "7")
    assert code == 1
    assert err.strip() == "error: study NCT00576225 has no version 7 (versions: 1, 2)"


def test_search_with_filters(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "import", str(RECORDS), *[str(p) for p in list_seed_files()])
    _, out, _ = run(capsys, "search", "syringomyelia", "--json")
    assert orjson.loads(out.splitlines()[0])["nct_id"] == "NCT07295067"
    _, out, _ = run(capsys, "search", "stem cells", "--status", "not yet recruiting", "--phase", "2", "--json")
    ids = [orjson.loads(line)["nct_id"] for line in out.splitlines()]
    assert "NCT06731192" in ids
    _, out, _ = run(capsys, "search", "cells", "--condition", "psoriasis", "--intervention", "UC-MSC", "--json")
    assert [orjson.loads(line)["nct_id"] for line in out.splitlines()] == ["NCT02491658"]
    code, out, _ = run(capsys, "search", "zzzznotaword")
    assert code == 0 and "No study matches." in out


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["show", "NCT99999999"], 1, "error: study NCT99999999 is not in the database (import it first)"),
        (["show", "12345"], 2, "error: '12345' is not an NCT ID (expected NCT and 8 digits, e.g. NCT07295067)"),
        (["search", "x", "--status", "ongoing"], 2, "error: --status 'ongoing' is not a registry status; use one of:"),
        (["search", "x", "--phase", "7"], 2, "error: --phase '7' is not a phase; use 1, 2, 3, 4, early1 or na"),
    ],
)
def test_user_errors_are_one_line(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], status: int, message: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == status
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_unusable_database_url_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "studies", "--database", "mysql://localhost/x")
    assert code == 1 and err.startswith("error: database URL scheme 'mysql' is not supported")
    code, _, err = run(capsys, "studies", "--database", f"sqlite:///{tmp_path}/missing/dir/x.db")
    assert code == 1 and err.startswith("error: database folder does not exist")


def test_installed_script_runs_without_traceback(tmp_path: Path) -> None:
    """The real `trialdesk` entry point, in a fresh process, as `make run` uses it."""
    env = {**os.environ, "TRIALDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    script = Path(sys.executable).with_name("trialdesk")
    done = subprocess.run([str(script), "import", "--examples"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert "imported 5" in done.stdout
    bad = subprocess.run(
        [str(script), "import", str(tmp_path / "nope.json")], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode == 1
    assert "rejected: " in bad.stderr and "no such file or folder" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_starting_the_cli_loads_no_statistics_or_plotting_library() -> None:
    # every command pays for what `import trialdesk.cli` loads: scipy's stats, optimize and integrate and matplotlib
    # wait for the design and figure commands that use them (about 0.5 s of each start otherwise)
    heavy = ["scipy.stats", "scipy.optimize", "scipy.integrate", "matplotlib"]
    code = f"import sys, trialdesk.cli; print(*[m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == []
