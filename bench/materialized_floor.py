"""Could storing a table's rows ready-made bring it under the target? The fastest read of rows stored whole.

    python bench/materialized_floor.py --store DIR [NAME ...] [--rounds 7] [--out bench/results/materialized-floors.md]

For each named query (default: the whole-store tables over issue 4's 500 ms target on the 16x store), its
rows on DIR are written into a fresh on-disk store as one node per row with one literal per non-empty
column, in one named graph per source file as our stores have them: the most a data-model change could do
(store the table itself, nothing left to join, compute or sort). Then the rows are read back with every
column's triples read whole and joined by hash (the fastest form found for bench/floors/), and that read is
timed in turns with the query itself on DIR, through ``ofsted_kg.query.run_sparql`` (row conversion
included). This is one data-model change (store the table itself), not a lower bound for every model: a
row node with one triple per column needs one join per column, and a model whose rows take their
inspection's columns from a per-inspection table joins fewer (compare bench/floors/, which read today's
model). What it does show: storing the rows ready-made does not by itself bring a table of ~6,000 rows and
16-19 columns under 500 ms on this machine with this engine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import pyoxigraph as ox  # noqa: E402

from ofsted_kg import query as Q  # noqa: E402
from machine import describe  # noqa: E402  (bench/machine.py)
from query_bench import store_facts  # noqa: E402
from time_query import in_turns  # noqa: E402  (bench/time_query.py)

DEFAULT = ["table-recommendations", "table-judgements", "table-agency-mentions"]
COL = "https://w3id.org/ofsted-kg/bench/column#"
ROW = "https://w3id.org/ofsted-kg/bench/row/"
GRAPH = "https://w3id.org/ofsted-kg/id/report/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TARGET = 500.0


def literal(v) -> ox.Literal:
    if isinstance(v, bool):
        return ox.Literal("true" if v else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(v, int):
        return ox.Literal(str(v), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(v, float):
        return ox.Literal(repr(v), datatype=ox.NamedNode(XSD + "double"))
    return ox.Literal(str(v))


def materialize(res: Q.Result, name: str, where: Path) -> ox.Store:
    st = ox.Store(str(where))
    quads = []
    for k, row in enumerate(res.rows):
        g = ox.NamedNode(GRAPH + str(row.get("source_file") or f"{k % 688}"))
        s = ox.NamedNode(f"{ROW}{name}/{k}")
        quads += [ox.Quad(s, ox.NamedNode(COL + c), literal(v), g) for c, v in row.items() if v not in (None, "")]
    st.bulk_extend(quads)
    st.flush()
    st.optimize()
    return st


def read_back(columns: list[str]) -> str:
    """Every column's triples read whole in a sub-select and joined by hash on (graph, row)."""
    first, rest = columns[0], columns[1:]
    sub = "{{ SELECT ?g ?row ?{c} WHERE {{ GRAPH ?g {{ ?row <{p}{c}> ?{c} }} }} }}"
    return ("SELECT ?row " + " ".join(f"?{c}" for c in columns) + " WHERE { " + sub.format(c=first, p=COL) + " "
            + " ".join("OPTIONAL " + sub.format(c=c, p=COL) for c in rest) + " }")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", default=DEFAULT)
    ap.add_argument("--store", type=Path, required=True, help="the store to take the rows from (the 16x one)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/materialized-floors.md")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    src = ox.Store.read_only(str(a.store))
    n_reports, n_quads = store_facts(src)
    out = []
    with tempfile.TemporaryDirectory(prefix="okg-materialized-") as tmp:
        for name in a.names:
            nq = Q.get_query(name)
            bindings = Q.bind_params(nq, {})
            res = Q.run_sparql(nq.text, bindings, store=src)
            mat = materialize(res, name, Path(tmp) / name)
            mq = read_back(res.columns)
            (tq, _), (tm, n_mat), _ = in_turns(src, (nq.text, bindings), (mq, {}), a.rounds, second_store=mat)
            mq_quads = sum(1 for _ in mat.quads_for_pattern(None, None, None, None))
            out.append((name, len(res.rows), len(res.columns), statistics.median(tq), n_mat, mq_quads,
                        statistics.median(tm)))
            print(f"{name}: query {out[-1][3]:.0f} ms, rows stored whole {out[-1][6]:.0f} ms", file=sys.stderr)
            del mat
    now = datetime.now(timezone.utc)
    lines = [
        "# Materialized floors: tables read from rows stored whole",
        "",
        f"- date: {now:%Y-%m-%d %H:%M} UTC",
        f"- machine: {describe('pyoxigraph')}",
        f"- command: `python bench/materialized_floor.py --store {a.store} {' '.join(a.names)} --rounds {a.rounds}`",
        f"- rows taken from: {n_reports} reports, {n_quads:,} quads",
        "- each query's rows written into a fresh on-disk store, one node per row and one literal per non-empty "
        "column, one named graph per source file; read back with every column read whole and joined by hash; "
        "timed in turns with the query on the full store, median of --rounds, through "
        "`ofsted_kg.query.run_sparql` (row conversion included)",
        "",
        f"| query | rows | columns | query median ms | rows stored whole: quads | read median ms | read within {TARGET:g} ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, nr, nc, qms, n_mat, quads, mms in out:
        assert n_mat == nr, (name, n_mat, nr)
        lines.append(f"| {name} | {nr} | {nc} | {qms:.1f} | {quads:,} | {mms:.1f} | "
                     f"{'yes' if mms < TARGET else '**no**'} |")
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
