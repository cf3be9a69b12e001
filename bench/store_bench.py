"""Ways of writing report graphs into pyoxigraph, on the corpus report graphs copied N times.

    python bench/store_bench.py [--copies 16] [--corpus ../shared/corpus/seeds ../shared/corpus/pdf]

Each way writes every report graph (under its own graph name per copy) into a fresh store:
store.replace_graph as the build does it (one Store.load transaction per new graph), Store.extend with
Quad objects per graph, Store.load of N-Quads batched 43 graphs at a time, Store.bulk_load batched the
same way (not transactional), and Store.load per graph into an in-memory store for comparison.
Prints a markdown table with CPU and wall seconds and triples per CPU second.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import pyoxigraph as ox  # noqa: E402

from ofsted_kg import build as B  # noqa: E402
from ofsted_kg.read import READABLE_SUFFIXES, iter_inputs  # noqa: E402
from ofsted_kg.store import replace_graph  # noqa: E402

NT = ox.RdfFormat.N_TRIPLES


def batched(store, items, bulk: bool, n: int = 43) -> None:
    for j in range(0, len(items), n):
        data = "".join(f"{line[:-1]} <{g}> .\n" for g, nt in items[j:j + n] for line in nt.splitlines()).encode()
        (store.bulk_load if bulk else store.load)(data, format=ox.RdfFormat.N_QUADS)


WAYS = {
    "replace_graph (build: one Store.load transaction per graph)": lambda st, items: [replace_graph(st, g, nt) for g, nt in items],
    "Store.extend with Quad objects, per graph": lambda st, items: [st.extend(
        [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g)) for t in ox.parse(nt.encode(), format=NT)])
        for g, nt in items],
    "Store.load of N-Quads, 43 graphs per call": lambda st, items: batched(st, items, False),
    "Store.bulk_load of N-Quads, 43 graphs per call (not transactional)": lambda st, items: batched(st, items, True),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=16)
    ap.add_argument("--corpus", nargs="+", default=[str(ROOT.parent / "shared/corpus/seeds"),
                                                    str(ROOT.parent / "shared/corpus/pdf")])
    a = ap.parse_args()
    from machine import describe

    graphs = []
    for f in iter_inputs(a.corpus):
        if f.suffix.lower() in READABLE_SUFFIXES:
            w = B.process_file(str(f), validate=False)
            if w.ntriples:
                graphs.append((w.iri, w.ntriples))
    items = [(f"{g}-copy{k}", nt) for k in range(a.copies) for g, nt in graphs]
    triples = sum(nt.count("\n") for _, nt in items)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{describe('pyoxigraph')}; load average {load} at start\n")
    print(f"{len(items)} report graphs ({len(graphs)} x {a.copies}), {triples} triples\n")
    print("| way | store | CPU s | wall s | triples per CPU s |\n|---|---|---:|---:|---:|")
    ways = [(name, fn, True) for name, fn in WAYS.items()]
    ways.append(("Store.load per graph", lambda st, its: [st.load(nt.encode(), format=NT, to_graph=ox.NamedNode(g))
                                                          for g, nt in its], False))
    for name, fn, on_disk in ways:
        tmp = Path(tempfile.mkdtemp(prefix="okg-store-bench-"))
        st = ox.Store(str(tmp / "s")) if on_disk else ox.Store()
        t, c = time.perf_counter(), time.process_time()
        fn(st, items)
        cpu, wall = time.process_time() - c, time.perf_counter() - t
        assert len(st) == triples, (name, len(st), triples)
        print(f"| {name} | {'on disk' if on_disk else 'in memory'} | {cpu:.2f} | {wall:.2f} | {triples / cpu:,.0f} |", flush=True)
        del st
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
