"""What the on-disk store charges a query for: reading strings, looking up patterns row by row, joining by hash.

    python bench/store_costs.py --store DIR [--rounds 7] [--count NAME ...] [--out bench/results/store-costs.md]

Each cost is the difference between two small queries over the same triples that differ in that one thing,
timed through pyoxigraph directly (no row conversion beyond iterating the solutions), median of --rounds
after a warm-up, divided by how many times the second query does the thing:
- reading a stored IRI: list the ``okg:paragraphNumber`` triples with the paragraph IRI vs with the number
  only (small numbers are held in the triple itself; an IRI is read from the store's string table);
- making a string: the same with a computed string of 30 bytes instead of the IRI (computed strings live in
  memory for the query);
- looking a pattern up row by row: ``?i okg:hasJudgement ?j . ?j okg:area ?a`` in one graph pattern (Oxigraph
  looks ``?j``'s area up for each judgement) vs ``?i okg:hasJudgement ?j`` alone, both counted;
- joining by hash: the same two patterns in sub-selects (read whole, joined by hash), counted.
--count NAME ...: also how many of each named query's output cells (default parameters) are IRIs or strings
longer than 15 bytes, the ones that may cost a read each.
For reading the query latencies in bench/results/queries.md: why a table of thousands of rows of stored
strings cannot be fast on this store, whatever its SPARQL.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import pyoxigraph as ox  # noqa: E402

from ofsted_kg import query as NQ  # noqa: E402
from machine import describe  # noqa: E402  (bench/machine.py)
from query_bench import store_facts  # noqa: E402

P = "PREFIX okg: <https://w3id.org/ofsted-kg/ontology#>\n"
Q = {
    "numbers": "SELECT ?n WHERE { GRAPH ?r { ?p okg:paragraphNumber ?n } }",
    "numbers and IRIs": "SELECT ?n ?p WHERE { GRAPH ?r { ?p okg:paragraphNumber ?n } }",
    "numbers and computed strings": 'SELECT ?n (CONCAT("a computed string of 30 bytes ", STR(?n)) AS ?x) '
                                    "WHERE { GRAPH ?r { ?p okg:paragraphNumber ?n } }",
    "one pattern, counted": "SELECT (COUNT(*) AS ?c) WHERE { GRAPH ?r { ?i okg:hasJudgement ?j } }",
    "two patterns looked up, counted": "SELECT (COUNT(*) AS ?c) WHERE { GRAPH ?r { ?i okg:hasJudgement ?j . "
                                       "?j okg:area ?a } }",
    "two patterns hash-joined, counted": "SELECT (COUNT(*) AS ?c) WHERE { "
                                         "{ SELECT ?r ?i ?j WHERE { GRAPH ?r { ?i okg:hasJudgement ?j } } } "
                                         "{ SELECT ?r ?j ?a WHERE { GRAPH ?r { ?j okg:area ?a } } } }",
}


def run(st: ox.Store, text: str) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    n, last = 0, ""
    for sol in st.query(P + text, use_default_graph_as_union=True):
        n += 1
        last = sol[0].value
    return (time.perf_counter() - t0) * 1000, n, last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--count", nargs="*", default=[], metavar="NAME", help="named queries whose long output cells to count")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/store-costs.md")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    st = ox.Store.read_only(str(a.store))
    n_reports, n_quads = store_facts(st)
    ms, rows, counted = {}, {}, {}
    for name, text in Q.items():
        run(st, text)  # warm-up
        times = []
        for _ in range(a.rounds):
            t, n, last = run(st, text)
            times.append(t)
        ms[name], rows[name], counted[name] = statistics.median(times), n, last
    n_par = rows["numbers"]
    n_j = int(counted["one pattern, counted"])
    assert int(counted["two patterns looked up, counted"]) == n_j == int(counted["two patterns hash-joined, counted"])
    per_us = {
        "reading a stored IRI": (ms["numbers and IRIs"] - ms["numbers"]) * 1000 / n_par,
        "making a computed string": (ms["numbers and computed strings"] - ms["numbers"]) * 1000 / n_par,
        "looking a pattern up for a row": (ms["two patterns looked up, counted"] - ms["one pattern, counted"]) * 1000 / n_j,
        "joining a row by hash (both sides read whole)":
            (ms["two patterns hash-joined, counted"] - ms["one pattern, counted"]) * 1000 / n_j,
    }
    counts = []
    for name in a.count:
        nq = NQ.get_query(name)
        b = NQ.bind_params(nq, {})
        res = st.query(nq.text, use_default_graph_as_union=True, substitutions={ox.Variable(k): v for k, v in b.items()} or None)
        n = cells = long = 0
        for sol in res:
            n += 1
            for t in sol:
                if t is None:
                    continue
                cells += 1
                long += isinstance(t, ox.NamedNode) or (isinstance(t, ox.Literal) and len(t.value.encode()) > 15)
        counts.append((name, n, cells, long))
    now = datetime.now(timezone.utc)
    lines = [
        "# What the on-disk store charges",
        "",
        f"- date: {now:%Y-%m-%d %H:%M} UTC",
        f"- machine: {describe('pyoxigraph')}",
        f"- command: `python bench/store_costs.py --store {a.store} --rounds {a.rounds}"
        + (f" --count {' '.join(a.count)}`" if a.count else "`"),
        f"- store: {n_reports} reports, {n_quads:,} quads; {n_par:,} paragraph numbers, {n_j:,} judgements",
        "- median of --rounds after a warm-up, through pyoxigraph directly; this machine's speed drifts by up to "
        "~40% over minutes, so compare the rows of one run with each other",
        "",
        "| query | rows | median ms |",
        "|---|---:|---:|",
        *[f"| {name} | {rows[name] if not name.endswith('counted') else counted[name]} | {ms[name]:.1f} |" for name in Q],
        "",
        "| cost | microseconds each |",
        "|---|---:|",
        *[f"| {k} | {v:.1f} |" for k, v in per_us.items()],
        "",
    ]
    if counts:
        lines += ["| named query | rows | cells | IRIs and strings over 15 bytes |", "|---|---:|---:|---:|",
                  *[f"| {name} | {n} | {cells} | {long} |" for name, n, cells, long in counts], ""]
    a.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
