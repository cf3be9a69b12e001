"""Load throughput into an Oxigraph server: ``ofsted-kg load`` against Oxigraph's own bulk loader.

Same data for both: invented report-sized named graphs (``--graphs`` of them, about 700 triples each,
like a built report), or the named graphs of a real store (``--store DIR``).

* bulk loader: ``oxigraph load --location FRESH_DIR --file data.nq`` (offline, no server), wall time;
* ours: a fresh ``oxigraph serve`` on 127.0.0.1, then the whole ``ofsted-kg load`` command (push and the
  per-graph count check), wall time; for each loading mode.

Each measurement is repeated ``--repeat`` times on a fresh directory; the median is reported.
Results (with machine and date) are appended to bench/results/load.md.

    python bench/load_bench.py                 # 200 invented graphs
    python bench/load_bench.py --store ofsted-kg-store
"""
from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import pyoxigraph as ox  # noqa: E402
from servers import OxigraphServer, invented_quads, oxigraph_binary  # noqa: E402

CLI = [sys.executable, "-c", "import sys; from ofsted_kg.cli import main; sys.exit(main())"]
MODES = {
    "graph-store (PUT per graph, 4 jobs)": lambda s: ["--graph-store", s.store_url],
    "graph-store --non-atomic (4 jobs)": lambda s: ["--graph-store", s.store_url, "--non-atomic"],
    "update (DROP + INSERT DATA, batch 1000)": lambda s: ["--update", s.update_url],
}


def machine() -> str:
    from machine import describe  # bench/machine.py

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{describe('pyoxigraph', 'oxigraph')}, load average at start {load:.2f} (machine shared with other jobs)"


def make_data(work: Path, graphs: int, store: Path | None) -> tuple[Path, Path, int, int]:
    """(store dir, N-Quads file, named graphs, triples) of the benchmark data."""
    src_dir, nq = work / "source-store", work / "data.nq"
    if store is not None:
        src = ox.Store.read_only(str(store))
    else:
        src = ox.Store(str(src_dir))
        src.bulk_extend(q for q in invented_quads("new", reports=graphs, paragraphs=230)
                        if not isinstance(q.graph_name, ox.DefaultGraph))
        src.flush()
    with open(nq, "wb") as f:
        src.dump(f, format=ox.RdfFormat.N_QUADS)
    names = list(src.named_graphs())
    triples = sum(1 for q in src if not isinstance(q.graph_name, ox.DefaultGraph))
    del src
    return (store if store is not None else src_dir), nq, len(names), triples


def bulk_once(work: Path, nq: Path) -> float:
    loc = work / "bulk"
    shutil.rmtree(loc, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(loc), "--file", str(nq)], check=True,
                   capture_output=True, timeout=3600)
    dt = time.perf_counter() - t0
    shutil.rmtree(loc, ignore_errors=True)
    return dt


def ours_once(work: Path, source: Path, mode) -> float:
    loc = work / "server"
    shutil.rmtree(loc, ignore_errors=True)
    with OxigraphServer(loc) as srv:
        t0 = time.perf_counter()
        p = subprocess.run([*CLI, "load", str(source), "--endpoint", srv.query_url, "-q", *mode(srv)],
                           capture_output=True, text=True, timeout=3600)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(f"ofsted-kg load failed ({p.returncode}): {p.stderr.strip()}")
    shutil.rmtree(loc, ignore_errors=True)
    return dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graphs", type=int, default=200, help="invented report graphs (default 200)")
    ap.add_argument("--store", type=Path, help="use the named graphs of this store instead")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--modes", default="all", help="comma-separated prefixes of mode names, or all")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.md")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        work = Path(tmp)
        source, nq, ngraphs, triples = make_data(work, args.graphs, args.store)
        print(f"data: {ngraphs} named graphs, {triples} triples", flush=True)
        modes = {n: m for n, m in MODES.items()
                 if args.modes == "all" or any(n.startswith(x) for x in args.modes.split(","))}
        times: dict[str, list[float]] = {"bulk": [], **{n: [] for n in modes}}
        for r in range(args.repeat):  # interleaved, so both see the same machine load
            times["bulk"].append(bulk_once(work, nq))
            print(f"run {r + 1}: oxigraph load {times['bulk'][-1]:.2f} s", flush=True)
            for name, mode in modes.items():
                times[name].append(ours_once(work, source, mode))
                print(f"run {r + 1}: ofsted-kg load {name} {times[name][-1]:.2f} s", flush=True)
        bulk = statistics.median(times["bulk"])
        rows = [("`oxigraph load` (bulk loader, offline)", bulk, None)]
        for name in modes:
            t = statistics.median(times[name])
            print(f"ofsted-kg load {name}: {t:.2f} s ({triples / t:,.0f} triples/s, {bulk / t:.2f}x bulk)", flush=True)
            rows.append((f"`ofsted-kg load` {name}", t, bulk / t))

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    data = f"`--store {args.store}`" if args.store else f"{args.graphs} invented report graphs"
    lines = [f"\n## {when}\n", f"Machine: {machine()}  ",
             f"Data: {data}: {ngraphs} named graphs, {triples:,} triples. Median of {args.repeat} runs, each on a "
             "fresh directory / fresh server, the loaders interleaved; `ofsted-kg load` timed as the whole command (push + per-graph "
             "count check).  ",
             f"Command: `python bench/load_bench.py {' '.join(sys.argv[1:])}`\n",
             "| loader | seconds | triples/s | vs bulk loader |", "|---|---:|---:|---:|"]
    for name, t, ratio in rows:
        lines.append(f"| {name} | {t:.2f} | {triples / t:,.0f} | {'' if ratio is None else f'{ratio:.2f}x'} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    new = not args.out.exists()
    with open(args.out, "a", encoding="utf-8") as f:
        if new:
            f.write("# Load throughput into an Oxigraph server\n\nWritten by `bench/load_bench.py` "
                    "(target: `ofsted-kg load` at least 0.5x the bulk loader's triples/s).\n")
        f.write("\n".join(lines) + "\n")
    print(f"appended to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
