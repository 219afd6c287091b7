"""Benchmark: the per-file cost of reading, before and after sport and elevation judgement.

Reads the same files with two checkouts of runload (``--old`` and ``--new``,
each a folder holding the ``runload`` package, e.g. git worktrees) in
subprocesses, alternating between them, and prints for each format the time
per file (the best of ``--repeat`` reads of each file, single process, no
cache) and the ratio new/old.  In each checkout it also measures the time
spent in ``infer_sport``, ``elevation_quality`` and ``ascent_descent`` (the
calls ``runload.activity.finalize`` makes; 0 where a checkout does not make
them), per file and as a share of the new read.  It checks that both checkouts
give the same distance and, with ``--ref`` (a third checkout, e.g. the commit
before an optimisation), prints its times too and checks that ``--new`` gives
bit-identical sport, moving-speed percentiles and elevation source, noise,
trust and ascent.

Files: the real corpus (``--corpus``, default ``../shared/corpus``; files that
fail to read are skipped) and generated files (``--generated``, written once with
:func:`_exports.write_benchmark_export` (``benchmarks/_exports.py``) and
:func:`runload.testing.history.write_history`).

Usage::

    git worktree add /root/rl_old e22be2e
    git worktree add --detach /root/rl_new HEAD
    python benchmarks/bench_finalize.py --old /root/rl_old --new /root/rl_new \\
        [--ref /root/rl_ref] [--generated /tmp/runload-bench-finalize] [--runs 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

_FORMATS = ("fit", "gpx", "tcx")


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = name.rsplit(".", 1)[-1]
    return ext if ext in _FORMATS else None


def _files(corpus: Path | None, generated: Path | None) -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    if corpus is not None and corpus.is_dir():
        sets["corpus"] = sorted(str(p) for p in corpus.rglob("*") if p.is_file() and _format_of(p))
    if generated is not None and generated.is_dir():
        sets["generated"] = sorted(
            str(p) for p in generated.rglob("*") if p.is_file() and _format_of(p)
        )
    return sets


def _generate(folder: Path, runs: int) -> None:
    from _exports import write_benchmark_export

    from runload.testing.history import preset, write_history

    marker = folder / ".complete"
    if marker.is_file() and marker.read_text().strip() == str(runs):
        return
    print(f"generated: writing {runs} runs and two preset histories to {folder} ...", flush=True)
    write_benchmark_export(folder / "export", runs=runs, jobs=2)
    write_history(preset("treadmill_to_road", seed=1), folder / "treadmill_to_road")
    write_history(preset("uphill_overload", seed=2), folder / "uphill_overload")
    marker.write_text(str(runs))


# -- worker: runs inside one checkout ---------------------------------------------------------


def _bits(x: object) -> object:
    if isinstance(x, float):
        return "nan" if math.isnan(x) else x.hex()
    return x


def _worker(list_path: str, repeat: int, hooks: bool) -> None:
    """Read every listed file ``repeat`` times; print JSON lines (path, best time, outputs)."""
    warnings.simplefilter("ignore")
    import runload
    import runload.activity as act

    spent = {"infer_sport": 0.0, "elevation_quality": 0.0, "ascent_descent": 0.0}
    if hooks:
        for fname in spent:
            if not hasattr(act, fname):
                continue
            original = getattr(act, fname)

            def timed(*a: object, _f=original, _k=fname, **k: object) -> object:  # type: ignore[no-untyped-def]
                t0 = time.perf_counter()
                try:
                    return _f(*a, **k)
                finally:
                    spent[_k] += time.perf_counter() - t0

            setattr(act, fname, timed)
    paths = Path(list_path).read_text().split("\n")
    for path in filter(None, paths):
        best = math.inf
        best_spent: dict[str, float] = {}
        out: dict[str, object] | None = None
        for _ in range(repeat):
            for key in spent:
                spent[key] = 0.0
            t0 = time.perf_counter()
            try:
                a = runload.read_activity(path)
            except Exception as exc:  # skip files that do not read
                out = {"error": type(exc).__name__}
                break
            elapsed = time.perf_counter() - t0
            if elapsed < best:
                best, best_spent = elapsed, dict(spent)
            out = {
                "sport": a.sport,
                "sport_source": getattr(a, "sport_source", None),
                "distance_m": _bits(a.distance_m),
                "ascent_m": _bits(a.ascent_m),
                "descent_m": _bits(a.descent_m),
                "p50": _bits(getattr(a, "moving_speed_p50_m_s", None)),
                "p90": _bits(getattr(a, "moving_speed_p90_m_s", None)),
                "ele_source": getattr(a, "elevation_source", None),
                "ele_noise": _bits(getattr(a, "elevation_noise_m", None)),
                "trusted": getattr(a, "ascent_trusted", None),
            }
        print(json.dumps({"path": path, "s": best, "spent": best_spent, "out": out}), flush=True)


def _run(tree: str, list_path: str, repeat: int, hooks: bool) -> dict[str, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": tree, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, __file__, "--worker", list_path, "--repeat", str(repeat)]
    if hooks:
        cmd.append("--hooks")
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {r["path"]: r for r in rows}


# -- driver -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", help="checkout before (folder holding runload/)")
    parser.add_argument("--new", help="checkout after (folder holding runload/)")
    parser.add_argument("--ref", help="checkout whose outputs --new must match bit for bit")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).parents[2] / "shared/corpus")
    parser.add_argument("--generated", type=Path, default=Path("/tmp/runload-bench-finalize"))
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="alternations old/new")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--hooks", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.repeat, args.hooks)
        return
    if not (args.old and args.new):
        parser.error("--old and --new are required")

    _generate(args.generated, args.runs)
    sets = _files(args.corpus, args.generated)
    list_dir = args.generated
    trees = {"old": args.old, "new": args.new}
    if args.ref:
        trees["ref"] = args.ref
    for set_name, paths in sets.items():
        list_path = list_dir / f"{set_name}.txt"
        list_path.write_text("\n".join(paths))
        best: dict[str, dict[str, dict[str, object]]] = {k: {} for k in trees}
        for _ in range(args.rounds):
            for label, tree in trees.items():
                rows = _run(tree, str(list_path), args.repeat, hooks=True)
                for path, row in rows.items():
                    prev = best[label].get(path)
                    if prev is None or row["s"] < prev["s"]:  # type: ignore[operator]
                        best[label][path] = row
        _report(set_name, best)


def _report(set_name: str, best: dict[str, dict[str, dict[str, object]]]) -> None:
    old, new = best["old"], best["new"]
    ok = [
        p
        for p in new
        if p in old
        and "error" not in (old[p]["out"] or {"error": 1})  # type: ignore[operator]
        and "error" not in (new[p]["out"] or {"error": 1})  # type: ignore[operator]
    ]
    skipped = len(new) - len(ok)
    print(f"\n== {set_name}: {len(ok)} files read by both ({skipped} skipped: errors) ==")
    print(
        f"{'format':6} {'files':>5} {'old ms':>8} {'new ms':>8} {'new/old':>8}"
        f" {'infer_sport':>18} {'elev_quality':>18} {'ascent_descent':>18}"
    )
    for fmt in (*_FORMATS, "all"):
        ps = [p for p in ok if fmt == "all" or _format_of(Path(p)) == fmt]
        if not ps:
            continue
        t_old = sum(float(old[p]["s"]) for p in ps)  # type: ignore[arg-type]
        t_new = sum(float(new[p]["s"]) for p in ps)  # type: ignore[arg-type]
        shares = []
        for key in ("infer_sport", "elevation_quality", "ascent_descent"):
            spent = sum(float(new[p]["spent"].get(key, 0.0)) for p in ps)  # type: ignore[union-attr]
            was = sum(float(old[p]["spent"].get(key, 0.0)) for p in ps)  # type: ignore[union-attr]
            per_file = f"{1000 * was / len(ps):.2f}>{1000 * spent / len(ps):.2f}"
            shares.append(f"{per_file} {100 * spent / t_new:4.1f}%")
        print(
            f"{fmt:6} {len(ps):5d} {1000 * t_old / len(ps):8.2f} {1000 * t_new / len(ps):8.2f}"
            f" {t_new / t_old:8.3f} " + " ".join(f"{s:>18}" for s in shares)
        )
    print(
        "(ms per file, best of the repeats; per call: ms per file old>new, and % of the new read)"
    )
    # Same distance old vs new (the read itself did not change).
    dist_diff = [p for p in ok if old[p]["out"]["distance_m"] != new[p]["out"]["distance_m"]]  # type: ignore[index]
    print(f"distance differs old/new: {len(dist_diff)} files")
    if "ref" in best:
        ref = best["ref"]
        for fmt in (*_FORMATS, "all"):
            ps = [p for p in ok if p in ref and (fmt == "all" or _format_of(Path(p)) == fmt)]
            if ps:
                t_old = sum(float(old[p]["s"]) for p in ps)  # type: ignore[arg-type]
                t_ref = sum(float(ref[p]["s"]) for p in ps)  # type: ignore[arg-type]
                t_new = sum(float(new[p]["s"]) for p in ps)  # type: ignore[arg-type]
                print(
                    f"{fmt:6} ref {1000 * t_ref / len(ps):8.2f} ms, ref/old {t_ref / t_old:.3f},"
                    f" new/ref {t_new / t_ref:.3f}"
                )
        diff = [p for p in ok if p in ref and ref[p]["out"] != new[p]["out"]]
        print(f"outputs differ ref/new (bit for bit): {len(diff)} of {len(ok)} files")
        for p in diff[:10]:
            print("  ", p, ref[p]["out"], new[p]["out"])


if __name__ == "__main__":
    main()
