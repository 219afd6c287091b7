"""Hostile inputs: does every case of the catalogue give its stated outcome, and at what cost?

Runs every case of ``tests/hostile_cases.py`` (issue 10) in a forked child of
this process (runload imported once, the input built before the fork), and
prints:

* cases passed / total (outcome as stated, reason or warning as stated, the
  case's own check);
* the mutation fuzzing run by outcome (fixed seed): ``imported``, ``warning``,
  ``error:<reason>``, and ``escaped:<exception>``, which must stay at zero;
* per hostile class, the worst wall time, CPU time and peak resident memory
  of the reading process.

Usage::

    .venv/bin/python benchmarks/bench_hostile.py               # every case, 3 x 3,000 mutations
    .venv/bin/python benchmarks/bench_hostile.py --fuzz 300    # quicker
    .venv/bin/python benchmarks/bench_hostile.py --json out.json

The exit status is 0 when every case passes and nothing escapes the fuzzing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile_cases import CASES, Case, fuzz, measure, remove_tree  # noqa: E402


def _passed(case: Case, row: dict) -> bool:
    if row.get("outcome") != case.outcome or row.get("check") is not None:
        return False
    if case.outcome == "error":
        return case.expect in row.get("reasons", [])
    if case.outcome == "warning":
        return any(case.expect in w for w in row.get("warnings", []))  # type: ignore[operator]
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=3000, help="mutations per seed file")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="runload-hostile-") as tmp:
        for case in CASES:
            folder = Path(tmp) / case.name
            folder.mkdir()
            row = measure(case, folder)
            remove_tree(folder)
            row["kind"] = case.kind
            row["passed"] = _passed(case, row)
            rows.append(row)
            mark = "ok " if row["passed"] else "FAIL"
            wall = row.get("seconds", float("nan"))
            peak = row.get("peak_mib", float("nan"))
            reasons = ",".join(row.get("reasons", []))[:40]
            print(
                f"  {mark} {case.name:34s} {row.get('outcome', '?'):9s} {reasons:40s} "
                f"{wall:6.2f} s {peak:6.0f} MiB",
                flush=True,
            )
    passed = sum(r["passed"] for r in rows)
    print(f"\ncases passed: {passed} / {len(rows)}")

    t0 = time.perf_counter()
    counts = fuzz(args.fuzz, seed=args.seed)
    fuzz_s = time.perf_counter() - t0
    total = sum(counts.values())
    print(f"\nfuzz: {total} mutated files (FIT, GPX, TCX; seed {args.seed}) in {fuzz_s:.1f} s")
    for outcome, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {outcome:32s} {n:6d}")
    escaped = sum(n for k, n in counts.items() if k.startswith("escaped"))
    print(f"  escaped (not a RunloadError)     {escaped:6d}")

    print("\nworst per hostile class:")
    head = ("cases", "passed", "wall s", "cpu s", "peak MiB")
    print(f"  {'class':15s} {head[0]:>5s} {head[1]:>6s} {head[2]:>7s} {head[3]:>6s} {head[4]:>8s}")
    kinds: dict[str, list[dict]] = {}
    for r in rows:
        kinds.setdefault(r["kind"], []).append(r)
    for kind, group in kinds.items():
        wall = max(r.get("seconds", float("nan")) for r in group)
        cpu = max(r.get("cpu_seconds", float("nan")) for r in group)
        peak = max(r.get("peak_mib", float("nan")) for r in group)
        ok = sum(r["passed"] for r in group)
        print(f"  {kind:15s} {len(group):5d} {ok:6d} {wall:7.2f} {cpu:6.2f} {peak:8.0f}")
    if args.json:
        args.json.write_text(json.dumps({"cases": rows, "fuzz": counts}, indent=1))
    return 0 if passed == len(rows) and escaped == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
