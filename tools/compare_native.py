"""Differential check: the compiled parsers and the Python sources compile mutated registry records alike.

Compiled code checks type annotations at run time and treats ``int`` as a machine value, so it can differ from the
sources where a record is odd in a way the kept records are not. This makes ``--count`` records by mutating the
kept ones (the free texts spliced from other records' texts, cut, and sprinkled with digits, superscripts, odd
spaces and letters that fold to ASCII), compiles each in two processes (``TRIALDESK_NATIVE=1`` and ``=0``) and
compares, record by record, the protocol (as sorted JSON) or the exception (type and message).

    .venv/bin/python tools/compare_native.py [--count 2000] [--seed 1]

Exit 0 when every record gives the same result both ways; 1 with the first differences otherwise. A short run is
part of the tests (``tests/unit/test_native.py``); ``make native`` must have built the compiled parsers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRIALDESK_SHARED", ROOT.parent / "shared"))
# characters that exercise the parsers' odd paths: Unicode digits and superscripts, symbols, spaces, lookalikes
_SPICE = "0123456789 ×x^⁰¹²³⁴⁵⁶⁷⁸⁹≥≤±~-–;:.,()/%\n\t\u00a0\u2009١٢٣İıſK①②µμ"


def _study_dicts() -> list[dict[str, Any]]:
    """The kept registry records and seeds as v2 dicts."""
    from trialdesk.registry.reader import read_record_bytes
    from trialdesk.registry.record import RegistryRecord, dump_study

    paths = sorted(p for p in (SHARED / "records" / "ctgov").iterdir() if p.suffix in {".json", ".xml"})
    paths += sorted((SHARED / "seeds").glob("00*.txt"))
    return [
        dump_study(result.study)
        for path in paths
        for result in read_record_bytes(path.read_bytes(), location=path.name)
        if isinstance(result, RegistryRecord)
    ]


def _texts(value: Any, out: list[str]) -> None:
    if isinstance(value, str) and len(value) > 20:
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _texts(item, out)
    elif isinstance(value, list):
        for item in value:
            _texts(item, out)


def _mutate_text(text: str, pool: list[str], rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:  # splice another record's text in
        other = rng.choice(pool)
        cut, at = rng.randrange(len(text) + 1), rng.randrange(len(other) + 1)
        return text[:cut] + other[at:]
    if choice == 1:  # cut a piece out
        start = rng.randrange(len(text) + 1)
        return text[:start] + text[start + rng.randrange(1, 60) :]
    if choice == 2:  # sprinkle odd characters
        chars = list(text)
        for _ in range(rng.randrange(1, 8)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(_SPICE))
        return "".join(chars)
    if choice == 3:  # replace the digits of a number
        return "".join(rng.choice("0123456789") if char.isdigit() and rng.random() < 0.5 else char for char in text)
    return rng.choice(pool)  # another record's text whole


def _mutate(value: Any, pool: list[str], rng: random.Random, rate: float) -> Any:
    if isinstance(value, str) and len(value) > 20 and rng.random() < rate:
        return _mutate_text(value, pool, rng)
    if isinstance(value, dict):
        return {key: _mutate(item, pool, rng, rate) for key, item in value.items()}
    if isinstance(value, list):
        return [_mutate(item, pool, rng, rate) for item in value]
    return value


def make_corpus(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` mutated studies, the same for the same seed."""
    studies = _study_dicts()
    pool: list[str] = []
    for study in studies:
        _texts(study, pool)
    rng = random.Random(seed)
    return [_mutate(rng.choice(studies), pool, rng, rng.choice((0.1, 0.3, 0.7))) for _ in range(count)]


_CHILD = """
import hashlib, sys, orjson
from trialdesk.native import describe
from trialdesk.registry.compiler import compile_protocol
from trialdesk.registry.record import RegistryRecord, SourceInfo, validate_study
print(describe(), flush=True)
for line in open(sys.argv[1], "rb"):
    try:
        record = RegistryRecord(validate_study(orjson.loads(line)), SourceInfo("api-v2-json", "fuzz"))
    except Exception as error:
        print("invalid", type(error).__name__); continue
    try:
        dumped = orjson.dumps(compile_protocol(record).model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        print("ok", hashlib.sha256(dumped).hexdigest())
    except Exception as error:
        print("raised", type(error).__name__, str(error).replace(chr(10), " ")[:300])
"""


def compile_both(corpus_path: Path) -> tuple[list[str], list[str]]:
    """Each record's result lines, compiled and from the sources (the first line says which ran)."""
    results = []
    for choice in ("1", "0"):
        environment = {**os.environ, "TRIALDESK_NATIVE": choice, "PYTHONPATH": str(ROOT / "src")}
        run = subprocess.run(
            [sys.executable, "-c", _CHILD, str(corpus_path)], env=environment, capture_output=True, text=True
        )
        if run.returncode != 0:
            raise SystemExit(f"the TRIALDESK_NATIVE={choice} process failed: {run.stderr.strip().splitlines()[-1]}")
        results.append(run.stdout.splitlines())
    return results[0], results[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="mutated records to compile")
    parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed, the same records)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "native-corpus.jsonl")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    corpus = make_corpus(args.count, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(study, ensure_ascii=False) + "\n" for study in corpus), encoding="utf-8")
    compiled, sources = compile_both(args.out)
    print(f"compiled: {compiled[0]}; sources: {sources[0]}")
    differ = [i for i, (a, b) in enumerate(zip(compiled[1:], sources[1:], strict=True)) if a != b]
    kinds = {kind: sum(line.split()[0] == kind for line in sources[1:]) for kind in ("ok", "raised", "invalid")}
    digest = hashlib.sha256("\n".join(sources[1:]).encode()).hexdigest()[:16]
    print(f"{len(corpus)} records: {kinds} (results digest {digest}); differing: {len(differ)}")
    for index in differ[:5]:
        print(f"  record {index}: compiled {compiled[index + 1]!r} / sources {sources[index + 1]!r}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
