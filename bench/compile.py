"""Compile benchmark: registry record → protocol, records per second on one core.

Reads every record in ``shared/records/ctgov`` plus the five seeds once, then compiles the set repeatedly in this
process pinned to one core. Reading is not timed; only :func:`~trialdesk.registry.compiler.compile_protocol` is.

Two figures:

- **streaming** (the goal's figure): each protocol is dropped once compiled, as ``trialdesk protocol compile`` (of
  one study or a file of many) and compile-on-first-use do: each protocol is printed or stored, then freed. Five
  trials of about 2,000 compilations each; the median is reported with the slowest and fastest trial.
- **batch**: every protocol of a round is kept in a list until the next round. More live objects make Python's
  cyclic garbage collector walk a larger heap, so this is slower; shown for comparison.

The parsers run compiled with mypyc when ``make native`` has built them (``make bench`` does; ``implementation``
says which ran). The streaming figure of the Python sources is measured too, in a second process with
``TRIALDESK_NATIVE=0``, for comparison.

Also the share of eligibility criteria classified computable and of outcome time frames turned into visits. Writes
``bench/out/compile.json``. Parsers never cache across compilations, so repeating the set measures real work.

Goal: at least 1,000 records/s on one core (streaming).

    .venv/bin/python bench/compile.py [--target 2000] [--trials 5] [--no-python]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from trialdesk.native import describe
from trialdesk.protocol.values import NotUnderstood
from trialdesk.registry.compile_parts import iter_outcomes
from trialdesk.registry.compiler import compile_protocol
from trialdesk.registry.parsing.timeframes import parse_time_frame
from trialdesk.registry.reader import read_record_bytes
from trialdesk.registry.record import RegistryRecord

OUT = Path(__file__).with_name("out")
SHARED = Path(os.environ.get("TRIALDESK_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))


def load_records() -> list[RegistryRecord]:
    """Every readable record of the kept registry records and the seeds."""
    paths = sorted(p for p in (SHARED / "records" / "ctgov").iterdir() if p.suffix in {".json", ".xml"})
    paths += sorted((SHARED / "seeds").glob("00*.txt"))
    return [
        r for p in paths for r in read_record_bytes(p.read_bytes(), location=p.name) if isinstance(r, RegistryRecord)
    ]


def _time_streaming(records: list[RegistryRecord], rounds: int) -> float:
    """Seconds to compile ``records`` ``rounds`` times, dropping each protocol once compiled."""
    start = time.perf_counter()
    for _ in range(rounds):
        for record in records:
            compile_protocol(record)
    return time.perf_counter() - start


def _time_batch(records: list[RegistryRecord], rounds: int) -> float:
    """Seconds to compile ``records`` ``rounds`` times, keeping a round's protocols until the next round."""
    start = time.perf_counter()
    for _ in range(rounds):
        kept = [compile_protocol(record) for record in records]
    elapsed = time.perf_counter() - start
    del kept
    return elapsed


def _measure_python(target: int, trials: int) -> float:
    """The streaming median with the parsers run from their Python sources (a second process)."""
    command = [sys.executable, __file__, "--target", str(target), "--trials", str(trials), "--streaming-only"]
    child = subprocess.run(
        command, env={**os.environ, "TRIALDESK_NATIVE": "0"}, capture_output=True, text=True, check=True
    )
    measured = json.loads(child.stdout)
    assert measured["implementation"].startswith("pure"), measured
    return float(measured["records_per_second"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=int, default=2000, help="about this many compilations per trial")
    parser.add_argument("--trials", type=int, default=5, help="streaming trials (the median is reported)")
    parser.add_argument("--no-python", action="store_true", help="skip the Python sources' streaming figure")
    parser.add_argument("--streaming-only", action="store_true", help=argparse.SUPPRESS)  # the second process
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if describe().startswith("pure") and not args.streaming_only:
        print(f"note: {describe()}; measuring the Python sources (make bench compiles them)", file=sys.stderr)
    records = load_records()
    rounds = max(1, round(args.target / len(records)))
    protocols = [compile_protocol(record) for record in records]  # warm-up (regex compilation), and the shares
    compiled = rounds * len(records)
    streaming = sorted(compiled / _time_streaming(records, rounds) for _ in range(args.trials))
    if args.streaming_only:
        print(json.dumps({"implementation": describe(), "records_per_second": statistics.median(streaming)}))
        return
    batch = compiled / _time_batch(records, rounds)
    python = None if args.no_python or describe().startswith("pure") else _measure_python(args.target, args.trials)

    criteria = [
        c for p in protocols if p.eligibility and p.eligibility.criteria.value for c in p.eligibility.criteria.value
    ]
    time_frames = [
        (o.timeFrame, o.description or "") for r in records for _, _, o in iter_outcomes(r.study) if o.timeFrame
    ]
    read = [t for t in time_frames if not isinstance(parse_time_frame(*t), NotUnderstood)]
    with_visits = sum(1 for p in protocols if p.schedule)
    result = {
        "records": len(records),
        "compilations_per_trial": compiled,
        "trials": args.trials,
        "records_per_second": round(statistics.median(streaming), 1),
        "records_per_second_slowest_trial": round(streaming[0], 1),
        "records_per_second_fastest_trial": round(streaming[-1], 1),
        "batch_records_per_second": round(batch, 1),
        "goal_records_per_second": 1000,
        "implementation": describe(),
        "python_sources_records_per_second": round(python, 1) if python is not None else None,
        "criteria": len(criteria),
        "criteria_computable_share": round(sum(c.classification == "computable" for c in criteria) / len(criteria), 4),
        "outcome_time_frames": len(time_frames),
        "time_frames_to_visits_share": round(len(read) / len(time_frames), 4),
        "protocols_with_visits_share": round(with_visits / len(protocols), 4),
        "cpu_affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "compile.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    python_figure = f"; Python sources {python:,.0f}" if python is not None else ""
    print(
        f"compile: {result['records_per_second']:,.0f} records/s on one core, median of {args.trials} "
        f"(slowest trial {streaming[0]:,.0f}; goal >= 1,000; {describe()}{python_figure})"
    )


if __name__ == "__main__":
    main()
