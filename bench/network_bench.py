"""The agency network: time to build it from a store and to lay the page out in headless Chromium.

    python bench/network_bench.py [--corpus ../shared/corpus/seeds ../shared/corpus/pdf] [--store DIR]
                                  [--synthetic-store DIR] [--factor 16] [--rounds 3] [--jobs 2]
                                  [--out bench/results/network.md]

Store 1: seeds + dev PDFs (built into a scratch folder from --corpus, or an existing --store).
Store 2: synthetic parsed reports from bench/make_synthetic.py, --factor times as many (generated and
built, or an existing --synthetic-store). For each: the median of --rounds runs of what the CLI does
before writing (network queries, networkx graph, pruning above the default --max-nodes, degree,
betweenness and communities), the size and time of each export, and the page in Debian's
headless Chromium: from navigation to laid out (``window.okg.ready``; the page's own ``layoutMs`` too),
median of --rounds fresh loads. Target (issue 6): the page lays out within a few seconds on the dev corpus.
"""
from __future__ import annotations

import argparse
import os
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
sys.path.insert(0, str(ROOT / "tests"))

import pyoxigraph as ox  # noqa: E402

from ofsted_kg import network as N  # noqa: E402
from machine import describe  # noqa: E402  (bench/machine.py)
from query_bench import ensure_stores, store_facts  # noqa: E402


def time_build(st: ox.Store, rounds: int):
    """As the CLI does it: queries, graph, pruning above the default --max-nodes, analysis."""
    times = []
    for _ in range(rounds):
        N._sentences.cache_clear()  # every round starts cold
        t0 = time.perf_counter()
        G = N.build_graph(N.run_queries(st), with_analysis=False)
        P, info = N.prune(G, N.DEFAULT_MAX_NODES)
        times.append(time.perf_counter() - t0)
    return G, P, info, statistics.median(times)


def time_page(html: Path, rounds: int, scratch: Path) -> tuple[float, float, int]:
    from test_network_browser import CHROMIUM, Chromium

    if CHROMIUM is None:
        return float("nan"), float("nan"), -1
    wall, inner, drawn = [], [], -1
    for k in range(rounds):
        b = Chromium(scratch / f"chromium-{html.parent.name}-{k}")
        try:
            t0 = time.perf_counter()
            b.send("Page.navigate", url=html.resolve().as_uri())
            b.wait_for("window.okg && window.okg.ready === true")
            wall.append(time.perf_counter() - t0)
            inner.append(b.js("okg.layoutMs") / 1000)
            drawn = b.js("okg.drawnNodes()")
            errors = b.errors()
            if errors:
                raise RuntimeError(f"console errors on the page: {errors[:3]}")
        finally:
            b.close()
    return statistics.median(wall), statistics.median(inner), drawn


def measure(label: str, st: ox.Store, rounds: int, scratch: Path) -> dict:
    G, P, info, t_build = time_build(st, rounds)
    out = scratch / label
    sizes = {}
    for fmt in N.FORMATS:
        t0 = time.perf_counter()
        (p,) = N.export(P, out, [fmt])
        sizes[fmt] = (p.stat().st_size, time.perf_counter() - t0)
    wall, inner, drawn = time_page(out / "agency-network.html", rounds, scratch)
    return {"label": label, "reports": store_facts(st)[0], "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "page_nodes": P.number_of_nodes(), "page_edges": P.number_of_edges(),
            "pruned": f"--min-reports {info.min_reports}" if info else "no", "build_s": t_build, "sizes": sizes,
            "page_wall_s": wall, "page_layout_s": inner, "drawn": drawn}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", nargs="+", type=Path,
                    default=[ROOT.parent / "shared/corpus/seeds", ROOT.parent / "shared/corpus/pdf"])
    ap.add_argument("--store", type=Path)
    ap.add_argument("--synthetic-store", type=Path)
    ap.add_argument("--factor", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/network.md")
    a = ap.parse_args()

    load_at_start = os.getloadavg()[0]
    scratch = Path(tempfile.mkdtemp(prefix="network-bench-"))
    try:
        real, syn = ensure_stores(a, scratch)
        st1 = ox.Store.read_only(str(real))
        st2 = ox.Store.read_only(str(syn))
        results = [measure("dev-corpus", st1, a.rounds, scratch), measure(f"synthetic-{a.factor}x", st2, a.rounds, scratch)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Agency network: build and page layout", "", f"- date: {now}", f"- machine: {describe('pyoxigraph', 'networkx')}; load average {load_at_start:.1f} at start (shared machine)",
             f"- command: `python bench/network_bench.py --factor {a.factor} --rounds {a.rounds}`"
             + (" (with existing stores)" if a.store or a.synthetic_store else ""),
             "- build = network queries + networkx graph + pruning + degree/betweenness/communities (median of rounds); "
             "page = Debian headless Chromium, navigation to laid out (median of fresh loads); "
             f"pruning as the CLI does it (--max-nodes {N.DEFAULT_MAX_NODES})", "",
             "| store | reports | nodes | edges | build s | on the page (nodes/edges) | pruned | "
             "html MB | page laid out s (page's own timer) | nodes drawn |",
             "|---|---:|---:|---:|---:|---|---|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['label']} | {r['reports']} | {r['nodes']} | {r['edges']} | {r['build_s']:.2f} | "
                     f"{r['page_nodes']}/{r['page_edges']} | {r['pruned']} | {r['sizes']['html'][0] / 1e6:.2f} | "
                     f"{r['page_wall_s']:.2f} ({r['page_layout_s']:.2f}) | {r['drawn']} |")
    lines += ["", "Export sizes and times (the page's network):", "", "| store | " + " | ".join(N.FORMATS) + " |",
              "|---|" + "---:|" * len(N.FORMATS)]
    for r in results:
        lines.append(f"| {r['label']} | " + " | ".join(f"{r['sizes'][f][0] / 1e3:,.0f} kB, {r['sizes'][f][1]:.2f} s"
                                                      for f in N.FORMATS) + " |")
    text = "\n".join(lines) + "\n"
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
