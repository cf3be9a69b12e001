"""Time the build, stage by stage, and its growth with the number of reports.

    python bench/build_bench.py [--corpus ../shared/corpus/seeds ../shared/corpus/pdf] [--sizes 1 4 16]
                                [--jobs 2] [--out bench/results/build.md]

Part 1 (real files): for seeds + dev PDFs, the time of pypdfium2 text extraction alone (the
baseline) against every stage of the build run one file after another in one process: read (text),
parse, map, validate (pyshacl), store (pyoxigraph, one transaction per report); plus the wall time of
``build`` with --jobs 1 and --jobs N into a fresh store. Target: whole build <= 3x the baseline.

Part 2 (growth): synthetic parsed reports from bench/make_synthetic.py at 1x, 4x and 16x the size of
the real corpus, each built with --jobs N into a fresh store; time per report should stay flat.
Results go to a markdown file with the machine and the date.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import pyoxigraph as ox  # noqa: E402

from ofsted_kg import build as B  # noqa: E402
from ofsted_kg.read import READABLE_SUFFIXES, iter_inputs, pdf_text, sniff  # noqa: E402
from ofsted_kg.store import load_static, open_store, replace_graph  # noqa: E402


def machine() -> str:
    import os

    from machine import describe

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return describe("pyoxigraph", "pyshacl", "rdflib") + f"; load average {load:.1f} at start"


def baseline_text(files: list[Path]) -> float:
    """pypdfium2 text of every PDF (text files: bytes decoded), nothing else."""
    t = time.perf_counter()
    for f in files:
        data = f.read_bytes()
        kind = sniff(data)
        if kind == "pdf":
            pdf_text(data)
        elif kind == "text":
            data.decode("utf-8", "replace")
    return time.perf_counter() - t


def stages_sequential(files: list[Path]) -> tuple[float, dict[str, float], int, int]:
    """Baseline and build stages, interleaved file by file so that both see the same machine load."""
    tmp = Path(tempfile.mkdtemp(prefix="okg-bench-"))
    store = open_store(tmp / "store")
    load_static(store)
    totals = {"read": 0.0, "parse": 0.0, "map": 0.0, "validate": 0.0, "store": 0.0}
    stored = triples = 0
    base = 0.0
    for f in files:
        base += baseline_text([f])
        w = B.process_file(str(f))
        for k, v in w.timings.items():
            totals[k] += v
        if w.ntriples and w.validation and w.validation.conforms:
            t = time.perf_counter()
            replace_graph(store, w.iri, w.ntriples)
            totals["store"] += time.perf_counter() - t
            stored += 1
            triples += w.triples
    del store
    shutil.rmtree(tmp, ignore_errors=True)
    return base, totals, stored, triples


def build_wall(paths: list[str], jobs: int) -> tuple[float, B.BuildSummary]:
    tmp = Path(tempfile.mkdtemp(prefix="okg-bench-"))
    store = open_store(tmp / "store")
    t = time.perf_counter()
    summary = B.build(paths, store, jobs=jobs, progress=False)
    wall = time.perf_counter() - t
    del store
    shutil.rmtree(tmp, ignore_errors=True)
    return wall, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", nargs="+", default=[str(ROOT.parent / "shared/corpus/seeds"),
                                                    str(ROOT.parent / "shared/corpus/pdf")])
    ap.add_argument("--sizes", nargs="*", type=int, default=[1, 4, 16], help="synthetic corpus sizes (none: skip part 2)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/build.md")
    a = ap.parse_args()

    lines = [f"# Build benchmark", "", f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
             f"- machine: {machine()}", f"- command: `python bench/build_bench.py --jobs {a.jobs} --sizes {' '.join(map(str, a.sizes))}`", ""]
    files = [f for f in iter_inputs(a.corpus) if f.suffix.lower() in READABLE_SUFFIXES]
    n_real = 0
    if files:
        baseline_text(files)  # warm the file cache and pdfium
        base, totals, stored, triples = stages_sequential(files)
        n_real = stored
        whole = sum(totals.values())
        wall1, _ = build_wall([str(f) for f in files], 1)
        wallN, sN = build_wall([str(f) for f in files], a.jobs)
        lines += ["## 1. Seeds + dev PDFs, stage by stage", "",
                  f"{len(files)} files, {stored} reports stored, {triples} triples in report graphs.", "",
                  "| stage | seconds (sequential, one process; baseline timed file by file alongside) | x text alone |", "|---|---:|---:|",
                  f"| pypdfium2 text alone (baseline) | {base:.2f} | 1.00 |"]
        for k, v in totals.items():
            lines.append(f"| {k} | {v:.2f} | {v / base:.2f} |")
        lines += [f"| **whole build (sum of stages)** | **{whole:.2f}** | **{whole / base:.2f}** |",
                  f"| `build --jobs 1` wall time (fresh store, incl. ontology/reference load and process start-up) | {wall1:.2f} | {wall1 / base:.2f} |",
                  f"| `build --jobs {a.jobs}` wall time | {wallN:.2f} | {wallN / base:.2f} |", "",
                  f"Target: whole build <= 3x text alone: **{'met' if whole <= 3 * base else 'not met'}** "
                  f"(sequential sum {whole / base:.1f}x; with {a.jobs} jobs {wallN / base:.1f}x).", ""]
    n_real = n_real or 43
    if not a.sizes:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n".join(lines))
        return 0
    lines += ["## 2. Growth with the number of reports (synthetic parsed reports)", "",
              f"1x = {n_real} reports (the real corpus size). Reports generated by `bench/make_synthetic.py` "
              f"(seed 1), built with `--jobs {a.jobs}` into a fresh store.", "",
              "| size | reports | triples | wall s | ms per report | map s | validate s | store s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    from make_synthetic import generate

    per = []
    for k in a.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="okg-syn-"))
        paths = [str(p) for p in generate(tmp, n_real * k, seed=1)]
        wall, s = build_wall(paths, a.jobs)
        shutil.rmtree(tmp, ignore_errors=True)
        per.append(wall / len(paths) * 1000)
        lines.append(f"| {k}x | {len(s.stored)} | {s.triples} | {wall:.1f} | {per[-1]:.0f} | "
                     f"{s.timings.get('map', 0):.1f} | {s.timings.get('validate', 0):.1f} | {s.timings.get('store', 0):.1f} |")
        print(lines[-1], file=sys.stderr)
    if len(per) > 1:
        lines += ["", f"Time per report from {a.sizes[0]}x to {a.sizes[-1]}x: {per[0]:.0f} -> {per[-1]:.0f} ms "
                      f"(ratio {per[-1] / per[0]:.2f}; 1.0 = perfectly linear growth). Map and validate times are "
                      "summed over worker processes (CPU seconds), store time is the main process's."]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
