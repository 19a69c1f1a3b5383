"""Run the compiled (mypyc) build of the parsers when there is a fresh one; the Python sources otherwise.

The registry parsers and the protocol compiler are plain, type-checked Python. ``make native`` (which ``make run``,
``make test`` and ``make bench`` run) compiles them with mypyc into ``trialdesk/_native/``, with a manifest that
records a fingerprint of the sources it was built from. Importing :mod:`trialdesk` calls :func:`install`, which
routes those modules to their compiled files only when the sources still match the fingerprint: an edited parser
runs from its source until the next build, never as stale compiled code. Both run the same code and give the same
protocols; ``make test`` runs the tests on each.

The ``TRIALDESK_NATIVE`` environment variable chooses: ``auto`` (the default) uses a fresh build when there is one,
``0`` always runs the sources, ``1`` requires the compiled build (a :class:`~trialdesk.errors.ConfigurationError`
says why it cannot be used).

Example:
    >>> describe().startswith(("compiled with mypyc", "pure Python"))
    True
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

from trialdesk.errors import ConfigurationError

NATIVE_DIR = Path(__file__).with_name("_native")
MANIFEST_NAME = "manifest.json"
LIBRARY_GROUP = "trialdesk_native"  # mypyc's shared library is the module ``trialdesk_native__mypyc``
_ENVIRONMENT = "TRIALDESK_NATIVE"


def fingerprint(package: Path, sources: Sequence[str]) -> str:
    """A digest of the interpreter's ABI and of ``sources`` (paths relative to the folder above ``package``).

    Example:
        >>> len(fingerprint(Path(__file__).parent, ["trialdesk/native.py"]))
        64
    """
    digest = hashlib.sha256(f"{sys.implementation.cache_tag} {importlib.machinery.EXTENSION_SUFFIXES[0]}".encode())
    for source in sources:
        digest.update(b"\0" + source.encode() + b"\0")
        digest.update((package.parent / source).read_bytes())
    return digest.hexdigest()


class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled file of each module the manifest lists (ahead of the sources next to them)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


_state = "pure Python (not installed yet)"


def _read_build() -> tuple[dict[str, Path] | None, str]:
    """The compiled files by module name, or None with the reason they cannot be used."""
    manifest_path = NATIVE_DIR / MANIFEST_NAME
    if not manifest_path.is_file():
        return None, "not built: run make native"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        sources = [str(source) for source in manifest["sources"]]
        files = {str(name): NATIVE_DIR / str(file) for name, file in manifest["modules"].items()}
        built_from = str(manifest["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        return None, f"unreadable build manifest {manifest_path} ({type(error).__name__}): run make native"
    try:
        current = fingerprint(Path(__file__).parent, sources) == built_from
    except OSError:
        current = False  # a source the build was made from is gone
    if not current:
        return None, "the sources changed since the build: run make native"
    if missing := [name for name, file in files.items() if not file.is_file()]:
        return None, f"compiled file of {missing[0]} missing: run make native"
    if loaded := sorted(name for name in files if name in sys.modules):
        return None, f"{loaded[0]} was imported before trialdesk"
    return files, ""


def install() -> str:
    """Route the parser modules to their compiled build when ``TRIALDESK_NATIVE`` allows it and it is fresh.

    Returns :func:`describe`'s text. Installing twice does nothing more.
    """
    global _state
    if any(isinstance(finder, _CompiledFinder) for finder in sys.meta_path):
        return _state
    choice = os.environ.get(_ENVIRONMENT, "auto").strip().lower() or "auto"
    if choice not in {"auto", "0", "1"}:
        raise ConfigurationError(f"{_ENVIRONMENT} must be auto, 0 or 1, not {choice!r}")
    if choice == "0":
        _state = f"pure Python ({_ENVIRONMENT}=0)"
        return _state
    files, reason = _read_build()
    if files is None:
        if choice == "1":
            raise ConfigurationError(f"{_ENVIRONMENT}=1 but the compiled parsers cannot be used: {reason}")
        _state = f"pure Python ({reason})"
        return _state
    sys.meta_path.insert(0, _CompiledFinder(files))
    _state = f"compiled with mypyc ({len(files) - 1} modules)"
    return _state


def describe() -> str:
    """How the parsers run in this process: ``compiled with mypyc (…)`` or ``pure Python (why)``."""
    return _state


install()  # on import: ``trialdesk/__init__.py`` imports this module before any parser
