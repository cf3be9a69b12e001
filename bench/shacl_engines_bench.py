"""Time SHACL engines on the report graphs of the real corpus (shapes/report.ttl, one graph at a time).

    python bench/shacl_engines_bench.py [--corpus ../shared/corpus/seeds ../shared/corpus/pdf]

Engines: pyshacl (the reference) and pyshacl-turbo as ofsted_kg.validate runs them, plus, when they
are installed (they are not project dependencies), pyrudof and shacl-rust on the same N-Triples text.
Each engine gets every report graph; CPU and wall seconds are summed over the graphs, and the number
of non-conforming graphs is printed beside them (all engines should agree: the corpus conforms).
Prints a markdown table.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from ofsted_kg import build as B  # noqa: E402
from ofsted_kg.read import READABLE_SUFFIXES, iter_inputs  # noqa: E402
from ofsted_kg.resources import resource_dir  # noqa: E402
from ofsted_kg.validate import compiled_shapes, validate_ntriples  # noqa: E402


def engines(shapes_text: str):
    yield "pyshacl (rdflib graph from N-Triples)", lambda nt, iri: validate_ntriples(nt, "x", iri, engine="pyshacl").conforms
    compiled_shapes("report")
    yield "pyshacl-turbo (compiled once, in-memory pyoxigraph store)", \
        lambda nt, iri: validate_ntriples(nt, "x", iri, engine="pyshacl-turbo").conforms
    try:
        import pyrudof
    except ImportError:
        pass
    else:
        r = pyrudof.Rudof(pyrudof.RudofConfig())
        r.read_shacl(shapes_text)

        def rudof(nt, iri):
            r.read_data(nt, format=pyrudof.RDFFormat.NTriples)
            return r.validate_shacl().conforms
        yield "pyrudof (shapes read once, data read per graph)", rudof
    try:
        import shacl_rust
    except ImportError:
        pass
    else:
        yield "shacl-rust (shapes parsed per call)", lambda nt, iri: shacl_rust.validate(
            nt, shapes_text, data_format="nt", shapes_format="turtle")["conforms"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", nargs="+", default=[str(ROOT.parent / "shared/corpus/seeds"),
                                                    str(ROOT.parent / "shared/corpus/pdf")])
    a = ap.parse_args()
    from machine import describe

    files = [f for f in iter_inputs(a.corpus) if f.suffix.lower() in READABLE_SUFFIXES]
    graphs = []
    for f in files:
        w = B.process_file(str(f), validate=False)
        if w.ntriples:
            graphs.append((w.iri, w.ntriples))
    triples = sum(nt.count("\n") for _, nt in graphs)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{describe('pyshacl', 'pyshacl-turbo', 'pyrudof', 'shacl-rust')}; load average {load} at start")
    print(f"\n{len(graphs)} report graphs, {triples} triples\n")
    print("| engine | CPU s | wall s | triples per CPU s | graphs not conforming |\n|---|---:|---:|---:|---:|")
    shapes_text = (resource_dir("shapes") / "report.ttl").read_text(encoding="utf-8")
    for name, fn in engines(shapes_text):
        t, c = time.perf_counter(), time.process_time()
        bad = sum(not fn(nt, iri) for iri, nt in graphs)
        cpu, wall = time.process_time() - c, time.perf_counter() - t
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {triples / cpu:,.0f} | {bad} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
