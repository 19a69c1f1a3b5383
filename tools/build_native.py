"""Compile the registry parsers and the protocol compiler with mypyc into ``src/trialdesk/_native/``.

The modules are plain, type-checked Python; compiled, ``compile_protocol`` runs 1.3–1.5 times as fast (see
``bench/compile.py``). :mod:`trialdesk.native` loads the compiled modules only while the manifest's fingerprint
matches the sources, so an edited parser never runs as stale compiled code.

    .venv/bin/python tools/build_native.py            # build, or say it is up to date
    .venv/bin/python tools/build_native.py --require  # fail (exit 1) when it cannot build, instead of warning

Without a C compiler the build fails with a one-line warning and trialdesk runs as pure Python (``--require``, as
``make test`` uses, turns the warning into an error). Run by ``make native``, and so by ``make run``, ``make test``
and ``make bench``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import io
import json
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

from trialdesk.native import (  # noqa: E402  (the sources come from this checkout)
    LIBRARY_GROUP,
    MANIFEST_NAME,
    NATIVE_DIR,
    fingerprint,
)

# The modules compiled: the hot path of compile_protocol. Pydantic models (trialdesk.protocol) stay Python.
MODULES = (
    "trialdesk.registry.compiler",
    "trialdesk.registry.compile_parts",
    "trialdesk.registry.parsing.doses",
    "trialdesk.registry.parsing.eligibility",
    "trialdesk.registry.parsing.escalation_text",
    "trialdesk.registry.parsing.instruments",
    "trialdesk.registry.parsing.letters",
    "trialdesk.registry.parsing.numbers",
    "trialdesk.registry.parsing.schedules",
    "trialdesk.registry.parsing.spelling",
    "trialdesk.registry.parsing.startwords",
    "trialdesk.registry.parsing.timeframes",
    "trialdesk.registry.parsing.whitespace",
)


def source_of(module: str) -> Path:
    """The source file of a trialdesk module (``pkg/__init__.py`` for a package)."""
    base = SRC.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def read_imported(module: str) -> set[str]:
    """The trialdesk modules a module's source imports (and the packages on the way to each)."""
    tree = ast.parse(source_of(module).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1) if parts[0] == "trialdesk")
    return {name for name in found if source_of(name).exists()}


def list_sources() -> list[str]:
    """The compiled modules' sources and, transitively, every trialdesk source they import, relative to ``src``.

    Compiled code can inline what it imports (a Final constant, a class layout), so all of them are fingerprinted.
    """
    seen: set[str] = set()
    todo = list(MODULES)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(read_imported(module) - seen)
    return sorted(source_of(module).relative_to(SRC).as_posix() for module in seen)


def describe_build() -> str:
    """What a build depends on besides the sources: this script, mypyc and the interpreter."""
    import mypy.version

    script = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"mypyc {mypy.version.__version__}; {sys.implementation.cache_tag}; script {script}"


def is_current(manifest_path: Path, sources: list[str]) -> bool:
    """Whether the manifest describes a complete build of these sources with this script and compiler."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        manifest.get("sources") == sources
        and manifest.get("fingerprint") == fingerprint(SRC / "trialdesk", sources)
        and manifest.get("build") == describe_build()
        and all((NATIVE_DIR / name).is_file() for name in manifest.get("modules", {}).values())
    )


def compile_modules(out: Path) -> dict[str, str]:
    """Compile :data:`MODULES` with mypyc into ``out``; the file name of each extension module (and the library)."""
    from mypyc.build import mypycify
    from setuptools import Distribution

    paths = [str(source_of(module)) for module in MODULES]
    with tempfile.TemporaryDirectory(prefix="trialdesk-native-") as scratch:
        log = io.StringIO()
        with contextlib.redirect_stdout(log):
            extensions = mypycify(paths, opt_level="3", group_name=LIBRARY_GROUP, target_dir=str(Path(scratch) / "c"))
            distribution = Distribution({"name": "trialdesk-native", "ext_modules": extensions})
            command = distribution.get_command_obj("build_ext")
            command.build_lib = str(out)
            command.build_temp = str(Path(scratch) / "temp")
            distribution.run_command("build_ext")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built: dict[str, str] = {}
    for extension in extensions:
        name = extension.name
        relative = Path(*name.split(".")).with_name(name.split(".")[-1] + suffix)
        flat = name + suffix  # one flat folder: the loader maps each module name to its file
        shutil.move(str(out / relative), str(out / flat))
        built[name] = flat
    for leftover in [p for p in out.iterdir() if p.is_dir()]:
        shutil.rmtree(leftover)
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require", action="store_true", help="exit 1 when the build fails instead of warning")
    args = parser.parse_args()
    sources = list_sources()
    manifest_path = NATIVE_DIR / MANIFEST_NAME
    if is_current(manifest_path, sources):
        print(f"native parsers up to date ({len(MODULES)} modules compiled with mypyc)")
        return 0
    print(f"compiling {len(MODULES)} parser modules with mypyc (about a minute) ...", flush=True)
    shutil.rmtree(NATIVE_DIR, ignore_errors=True)  # no manifest until the build is whole: a half build is never used
    staging = Path(tempfile.mkdtemp(prefix="_native-", dir=NATIVE_DIR.parent))
    try:
        modules = compile_modules(staging)
        manifest = {
            "modules": modules,
            "sources": sources,
            "fingerprint": fingerprint(SRC / "trialdesk", sources),
            "build": describe_build(),
        }
        (staging / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        staging.rename(NATIVE_DIR)
    except Exception as error:  # a compiler missing or failing: pure Python still works
        shutil.rmtree(staging, ignore_errors=True)
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        message = f"could not compile the native parsers ({type(error).__name__}: {reason})"
        if args.require:
            print(f"error: {message}", file=sys.stderr)
            return 1
        print(f"warning: {message}; trialdesk runs as pure Python", file=sys.stderr)
        return 0
    print(f"compiled {len(modules) - 1} modules into {NATIVE_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
