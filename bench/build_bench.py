"""Time the build, stage by stage, and its growth with the number of reports.

    python bench/build_bench.py [--corpus ../shared/corpus/seeds ../shared/corpus/pdf] [--sizes 1 4 16]
                                [--jobs 2] [--out bench/results/build.md]

Part 1 (real files): for seeds + dev PDFs, the time of pypdfium2 text extraction alone (the
baseline) against every stage of the build run one file after another in one process: read (text),
parse, map, validate (the default SHACL engine, pyshacl-turbo; the reference engine pyshacl is timed
on the same graphs for comparison), store (pyoxigraph, one transaction per report); plus the wall
time of ``build`` with --jobs 1 and --jobs N into a fresh store. Wall time and CPU time (this
process, plus its worker processes for ``build``) are both recorded: the machine may be shared, and
CPU time is what load from other jobs changes least. Target: whole build <= 3x the baseline.

Part 2 (growth): synthetic parsed reports from bench/make_synthetic.py at 1x, 4x and 16x the size of
the real corpus, each built with --jobs N into a fresh store; time per report should stay flat.
Results go to a markdown file with the machine and the date.
"""
from __future__ import annotations

import argparse
import os
import shutil
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
from ofsted_kg.validate import engine_name, validate_triples  # noqa: E402


def load_avg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def machine() -> str:
    from machine import describe

    return describe("pyoxigraph", "pyshacl", "pyshacl-turbo", "rdflib") + f"; load average (1/5/15 min) {load_avg()} at start"


def cpu_now() -> float:
    """CPU seconds of this process and of its finished (waited-for) child processes."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def baseline_text(files: list[Path]) -> tuple[float, float]:
    """pypdfium2 text of every PDF (text files: bytes decoded), nothing else: (wall, CPU) seconds."""
    t, c = time.perf_counter(), time.process_time()
    for f in files:
        data = f.read_bytes()
        kind = sniff(data)
        if kind == "pdf":
            pdf_text(data)
        elif kind == "text":
            data.decode("utf-8", "replace")
    return time.perf_counter() - t, time.process_time() - c


STAGES = ("read", "parse", "map", "validate", "store")


def stages_sequential(files: list[Path], engine: str, reference: bool = True):
    """Baseline and build stages, interleaved file by file so that both see the same machine load.
    Returns (baseline (wall, CPU), stage -> (wall, CPU), reference engine (wall, CPU), reports, triples,
    reports on which the two engines' verdicts differ)."""
    tmp = Path(tempfile.mkdtemp(prefix="okg-bench-"))
    store = open_store(tmp / "store")
    load_static(store)
    wall = dict.fromkeys(STAGES, 0.0)
    cpu = dict.fromkeys(STAGES, 0.0)
    ref = [0.0, 0.0]
    base = [0.0, 0.0]
    stored = triples = 0
    differ = []
    for f in files:
        bw, bc = baseline_text([f])
        base[0] += bw
        base[1] += bc
        w = B.process_file(str(f), engine=engine)
        for k, v in w.timings.items():
            wall[k] += v
        for k, v in w.cpu.items():
            cpu[k] += v
        if reference and w.ntriples:
            tr = list(ox.parse(w.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))
            t, c = time.perf_counter(), time.process_time()
            r = validate_triples(tr, f.name, base=w.iri, engine="pyshacl")
            ref[0] += time.perf_counter() - t
            ref[1] += time.process_time() - c
            if w.validation is not None and r != w.validation:
                differ.append(f.name)
        if w.ntriples and w.validation and w.validation.conforms:
            t, c = time.perf_counter(), time.process_time()
            replace_graph(store, w.iri, w.ntriples)
            wall["store"] += time.perf_counter() - t
            cpu["store"] += time.process_time() - c
            stored += 1
            triples += w.triples
    del store
    shutil.rmtree(tmp, ignore_errors=True)
    return tuple(base), {k: (wall[k], cpu[k]) for k in STAGES}, tuple(ref), stored, triples, differ


def build_wall(paths: list[str], jobs: int, engine: str | None = None) -> tuple[float, float, B.BuildSummary]:
    """(wall, CPU incl. worker processes, summary) of ``build`` into a fresh store."""
    tmp = Path(tempfile.mkdtemp(prefix="okg-bench-"))
    store = open_store(tmp / "store")
    t, c = time.perf_counter(), cpu_now()
    summary = B.build(paths, store, jobs=jobs, progress=False, engine=engine)
    wall, cpu = time.perf_counter() - t, cpu_now() - c
    del store
    shutil.rmtree(tmp, ignore_errors=True)
    return wall, cpu, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", nargs="+", default=[str(ROOT.parent / "shared/corpus/seeds"),
                                                    str(ROOT.parent / "shared/corpus/pdf")])
    ap.add_argument("--sizes", nargs="*", type=int, default=[1, 4, 16], help="synthetic corpus sizes (none: skip part 2)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-reference", action="store_true", help="do not time the pyshacl reference engine in part 1")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/build.md")
    a = ap.parse_args()

    engine = engine_name()
    lines = [f"# Build benchmark", "", f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
             f"- machine: {machine()}",
             f"- command: `python bench/build_bench.py --jobs {a.jobs} --sizes {' '.join(map(str, a.sizes))}`"
             + (" (no reference-engine timing)" if a.no_reference else ""),
             f"- SHACL engine: {engine} (reference: pyshacl)", ""]
    files = [f for f in iter_inputs(a.corpus) if f.suffix.lower() in READABLE_SUFFIXES]
    n_real = 0
    if files:
        baseline_text(files)  # warm the file cache and pdfium
        (bw, bc), st, ref, stored, triples, differ = stages_sequential(files, engine, not a.no_reference)
        n_real = stored
        ww, wc = sum(v[0] for v in st.values()), sum(v[1] for v in st.values())
        wall1, cpu1, _ = build_wall([str(f) for f in files], 1)
        wallN, cpuN, sN = build_wall([str(f) for f in files], a.jobs)
        lines += ["## 1. Seeds + dev PDFs, stage by stage", "",
                  f"{len(files)} files, {stored} reports stored, {triples} triples in report graphs. "
                  "Stages run one file after another in one process, the baseline timed file by file alongside.", "",
                  "| stage | wall s | CPU s | x text (wall) | x text (CPU) |", "|---|---:|---:|---:|---:|",
                  f"| pypdfium2 text alone (baseline) | {bw:.2f} | {bc:.2f} | 1.00 | 1.00 |"]
        for k, (w, c) in st.items():
            name = f"validate ({engine})" if k == "validate" else k
            lines.append(f"| {name} | {w:.2f} | {c:.2f} | {w / bw:.2f} | {c / bc:.2f} |")
        lines.append(f"| **whole build (sum of stages)** | **{ww:.2f}** | **{wc:.2f}** | **{ww / bw:.2f}** | **{wc / bc:.2f}** |")
        if ref[0]:
            rw = ww - st["validate"][0] + ref[0]
            rc = wc - st["validate"][1] + ref[1]
            lines += [f"| *for comparison: validate with pyshacl (same graphs)* | *{ref[0]:.2f}* | *{ref[1]:.2f}* | "
                      f"*{ref[0] / bw:.2f}* | *{ref[1] / bc:.2f}* |",
                      f"| *whole build with pyshacl instead* | *{rw:.2f}* | *{rc:.2f}* | *{rw / bw:.2f}* | *{rc / bc:.2f}* |"]
        lines += [f"| `build --jobs 1` (fresh store, incl. ontology/reference load) | {wall1:.2f} | {cpu1:.2f} | {wall1 / bw:.2f} | {cpu1 / bc:.2f} |",
                  f"| `build --jobs {a.jobs}` (CPU: main + worker processes) | {wallN:.2f} | {cpuN:.2f} | {wallN / bw:.2f} | {cpuN / bc:.2f} |", "",
                  f"Target: whole build <= 3x text alone: **{'met' if ww <= 3 * bw and wc <= 3 * bc else 'not met'}** "
                  f"(sum of stages {ww / bw:.1f}x wall, {wc / bc:.1f}x CPU; `build --jobs {a.jobs}` {wallN / bw:.1f}x wall). "
                  f"Load average at the end of part 1: {load_avg()}."]
        if ref[0]:
            lines.append(f"Verdicts of {engine} and pyshacl on the {stored} report graphs: "
                         + ("identical (same violation and warning lines)." if not differ else f"DIFFER on {', '.join(differ)}."))
        lines.append("")
    n_real = n_real or 43
    if not a.sizes:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n".join(lines))
        return 0
    lines += ["## 2. Growth with the number of reports (synthetic parsed reports)", "",
              f"1x = {n_real} reports (the real corpus size). Reports generated by `bench/make_synthetic.py` "
              f"(seed 1), built with `--jobs {a.jobs}` into a fresh store.", "",
              "| size | reports | triples | wall s | CPU s (all processes) | ms per report (wall) | map CPU s | validate CPU s | store CPU s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    from make_synthetic import generate

    per = []
    for k in a.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="okg-syn-"))
        paths = [str(p) for p in generate(tmp, n_real * k, seed=1)]
        wall, cpu, s = build_wall(paths, a.jobs)
        shutil.rmtree(tmp, ignore_errors=True)
        per.append(wall / len(paths) * 1000)
        lines.append(f"| {k}x | {len(s.stored)} | {s.triples} | {wall:.1f} | {cpu:.1f} | {per[-1]:.0f} | "
                     f"{s.cpu.get('map', 0):.1f} | {s.cpu.get('validate', 0):.1f} | {s.cpu.get('store', 0):.1f} |")
        print(lines[-1], file=sys.stderr)
    if len(per) > 1:
        lines += ["", f"Time per report from {a.sizes[0]}x to {a.sizes[-1]}x: {per[0]:.0f} -> {per[-1]:.0f} ms "
                      f"(ratio {per[-1] / per[0]:.2f}; 1.0 = perfectly linear growth). Map and validate CPU are "
                      f"summed over worker processes, store CPU is the main process's. Load average at the end: {load_avg()}."]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
