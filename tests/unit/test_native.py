"""The compiled (mypyc) parsers: used only when fresh, chosen by TRIALDESK_NATIVE, and the same protocols as Python.

Each case runs a fresh interpreter (the loader acts once, at import) on a copy of the package, so a build can be
faked, edited or left out without touching the checkout's own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS, list_record_files
from trialdesk.native import LIBRARY_GROUP, MANIFEST_NAME, fingerprint

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "trialdesk"
BUILT = (PACKAGE / "_native" / MANIFEST_NAME).is_file()
PROBE = "import trialdesk.native as n, trialdesk.registry.parsing.numbers as m; print(n.describe()); print(m.__file__)"


def _copy_package(root: Path, *, build: bool) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", *(() if build else ("_native",)))
    shutil.copytree(PACKAGE, root / "trialdesk", ignore=ignore)
    return root / "trialdesk"


def _fake_build(package: Path) -> None:
    """A manifest that is fresh for numbers.py, with placeholder compiled files (loading them would fail)."""
    native = package / "_native"
    native.mkdir()
    sources = ["trialdesk/registry/parsing/numbers.py"]
    modules = {"trialdesk.registry.parsing.numbers": "numbers.so", f"{LIBRARY_GROUP}__mypyc": "library.so"}
    for file in modules.values():
        (native / file).write_bytes(b"")
    manifest = {"modules": modules, "sources": sources, "fingerprint": fingerprint(package, sources), "build": "x"}
    (native / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")


def _run(root: Path, choice: str, code: str = PROBE) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(root), "TRIALDESK_NATIVE": choice}
    return subprocess.run([sys.executable, "-c", code], env=environment, cwd=root, capture_output=True, text=True)


def test_a_fresh_build_is_routed_to_its_compiled_file(tmp_path: Path) -> None:
    package = _copy_package(tmp_path, build=False)
    _fake_build(package)
    result = _run(tmp_path, "auto")
    # the placeholder is what the import tried to load: the finder sent it to the compiled file
    assert result.returncode == 1
    assert str(package / "_native" / "numbers.so") in result.stderr


def test_an_edited_source_runs_as_python_until_the_next_build(tmp_path: Path) -> None:
    package = _copy_package(tmp_path, build=False)
    _fake_build(package)
    with (package / "registry" / "parsing" / "numbers.py").open("a", encoding="utf-8") as source:
        source.write("# edited after the build\n")
    result = _run(tmp_path, "auto")
    assert result.returncode == 0, result.stderr
    state, file = result.stdout.splitlines()
    assert state == "pure Python (the sources changed since the build: run make native)"
    assert file == str(package / "registry" / "parsing" / "numbers.py")


def test_zero_runs_the_sources_even_with_a_fresh_build(tmp_path: Path) -> None:
    package = _copy_package(tmp_path, build=False)
    _fake_build(package)
    result = _run(tmp_path, "0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "pure Python (TRIALDESK_NATIVE=0)",
        str(package / "registry" / "parsing" / "numbers.py"),
    ]


def test_without_a_build_auto_runs_the_sources_and_one_refuses_with_one_line(tmp_path: Path) -> None:
    _copy_package(tmp_path, build=False)
    auto = _run(tmp_path, "auto")
    assert auto.returncode == 0, auto.stderr
    assert auto.stdout.splitlines()[0] == "pure Python (not built: run make native)"
    required = _run(tmp_path, "1")
    assert required.returncode == 1
    assert required.stderr.strip().splitlines()[-1] == (
        "trialdesk.errors.ConfigurationError: TRIALDESK_NATIVE=1 but the compiled parsers cannot be used: "
        "not built: run make native"
    )


def test_an_unknown_choice_is_named(tmp_path: Path) -> None:
    _copy_package(tmp_path, build=False)
    result = _run(tmp_path, "yes")
    assert result.stderr.strip().splitlines()[-1] == (
        "trialdesk.errors.ConfigurationError: TRIALDESK_NATIVE must be auto, 0 or 1, not 'yes'"
    )


def test_the_build_fingerprints_every_source_the_compiled_modules_import() -> None:
    spec = importlib.util.spec_from_file_location("build_native", PACKAGE.parents[1] / "tools" / "build_native.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    sources = build.list_sources()
    compiled = {f"{module.replace('.', '/')}.py" for module in build.MODULES}
    assert compiled <= set(sources)
    # what compiled code may inline from: the models, the value types, the errors, the packages on the way
    assert {"trialdesk/protocol/model.py", "trialdesk/protocol/values.py", "trialdesk/errors.py"} <= set(sources)
    assert "trialdesk/__init__.py" in sources
    assert "trialdesk/cli/__init__.py" not in sources


_DUMP = """
import hashlib, sys, orjson
import trialdesk.native as n, trialdesk.registry.parsing.eligibility as e
from trialdesk.registry.compiler import compile_protocol
from trialdesk.registry.reader import read_record_bytes
from trialdesk.registry.record import RegistryRecord
digest = hashlib.sha256()
count = 0
for path in sys.argv[1:]:
    with open(path, "rb") as file:
        for record in read_record_bytes(file.read(), location=path):
            if isinstance(record, RegistryRecord):
                protocol = compile_protocol(record).model_dump(mode="json")
                digest.update(orjson.dumps(protocol, option=orjson.OPT_SORT_KEYS))
                count += 1
print(n.describe()); print(e.__file__); print(count, digest.hexdigest())
"""


@pytest.mark.skipif(not BUILT, reason="the compiled parsers are not built (make native; make test builds them)")
def test_the_compiled_parsers_compile_every_record_as_the_sources_do() -> None:
    paths = [str(path) for path in [*list_record_files(), *sorted(SEEDS.glob("00*.txt"))]]
    root = PACKAGE.parent
    outputs = {}
    for choice in ("1", "0"):
        environment = {**os.environ, "PYTHONPATH": str(root), "TRIALDESK_NATIVE": choice}
        run = subprocess.run(
            [sys.executable, "-c", _DUMP, *paths], env=environment, capture_output=True, text=True, check=True
        )
        outputs[choice] = run.stdout.splitlines()
    assert outputs["1"][0].startswith("compiled with mypyc (13 modules)")
    assert outputs["1"][1].startswith(str(PACKAGE / "_native" / "trialdesk.registry.parsing.eligibility."))
    assert outputs["0"][:2] == ["pure Python (TRIALDESK_NATIVE=0)", str(PACKAGE / "registry/parsing/eligibility.py")]
    assert outputs["1"][2] == outputs["0"][2]
    assert int(outputs["0"][2].split()[0]) == len(paths)


@pytest.mark.skipif(not BUILT, reason="the compiled parsers are not built (make native; make test builds them)")
def test_the_compiled_parsers_compile_mutated_records_as_the_sources_do(tmp_path: Path) -> None:
    # the short run of tools/compare_native.py: odd records the kept ones do not cover (spliced, cut, sprinkled
    # with Unicode digits and symbols), where run-time type checks or unboxed ints could make compiled code differ
    spec = importlib.util.spec_from_file_location("compare_native", PACKAGE.parents[1] / "tools" / "compare_native.py")
    assert spec is not None and spec.loader is not None
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)
    corpus = compare.make_corpus(400, seed=7)
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(study) + "\n" for study in corpus), encoding="utf-8")
    compiled, sources = compare.compile_both(path)
    assert compiled[0].startswith("compiled with mypyc") and sources[0].startswith("pure Python")
    assert len(compiled) == len(sources) == 401
    assert sum(line.startswith("ok ") for line in sources) > 300  # most mutated records are still valid studies
    assert compiled[1:] == sources[1:]


def test_an_unreadable_or_outdated_manifest_runs_the_sources(tmp_path: Path) -> None:
    package = _copy_package(tmp_path, build=False)
    _fake_build(package)
    manifest = package / "_native" / MANIFEST_NAME
    manifest.write_text("{not json", encoding="utf-8")
    broken = _run(tmp_path, "auto")
    assert broken.returncode == 0, broken.stderr
    assert broken.stdout.splitlines()[0] == (
        f"pure Python (unreadable build manifest {manifest} (JSONDecodeError): run make native)"
    )
    _fake_build_sources = {"sources": ["trialdesk/registry/parsing/gone.py"], "modules": {}, "fingerprint": "0"}
    manifest.write_text(json.dumps(_fake_build_sources), encoding="utf-8")
    gone = _run(tmp_path, "auto")
    assert gone.stdout.splitlines()[0] == "pure Python (the sources changed since the build: run make native)"
