"""How close a named query is to the cost of the data it reads: each query with a floor, timed with it.

    python bench/query_floor.py --store DIR [--rounds 9] [--target 500] [--out bench/results/query-floors.md]

A floor (``bench/floors/NAME.rq``) is the simplest query that reads the triples named query NAME builds its
rows from, with none of its work on them (no codes, labels, joins to other data, pivots or sort): NAME
cannot be faster than its floor on the same store, whatever its SPARQL. Each query and its floor are timed
in turns (query, floor, floor, query, ...) so that this machine's drift (up to ~30% over minutes) falls on
both alike; the medians are reported with the share of the query's time the floor takes, and whether the
floor alone is within the target of issue 4 on the 16x store (< 500 ms). For deciding where tuning SPARQL
can still help and where the data (or the engine) sets the limit.
"""
from __future__ import annotations

import argparse
import statistics
import sys
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

FLOORS = ROOT / "bench" / "floors"
TARGET = 500.0


def floor_of(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# floor of:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"{path}: no '# floor of: NAME' line")


def reads(path: Path) -> str:
    """The floor's '# reads:' comment, one line."""
    out, on = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# reads:"):
            on = True
            line = line.split(":", 1)[1]
        elif not line.startswith("#"):
            break
        if on:
            out.append(line.lstrip("# ").strip())
    return " ".join(out).split(". ")[0]


def paired(st: ox.Store, name: str, floor_text: str, rounds: int) -> tuple[int, float, int, float]:
    nq = Q.get_query(name)
    (tq, nq_rows), (tf, nf_rows), _ = in_turns(st, (nq.text, Q.bind_params(nq, {})), (floor_text, {}), rounds)
    return nq_rows, statistics.median(tq), nf_rows, statistics.median(tf)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="the store to time on (the 16x synthetic one)")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--target", type=float, default=TARGET, help="ms (default 500: issue 4's target on the 16x "
                    "store; 50 for the dev store)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench/results/query-floors.md")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    st = ox.Store.read_only(str(a.store))
    n_reports, n_quads = store_facts(st)
    rows = []
    for path in sorted(FLOORS.glob("*.rq")):
        name = floor_of(path)
        nr, qms, fr, fms = paired(st, name, path.read_text(encoding="utf-8"), a.rounds)
        rows.append((name, nr, qms, fr, fms, reads(path)))
        print(f"{name}: query {qms:.0f} ms ({nr} rows), floor {fms:.0f} ms ({fr} rows)", file=sys.stderr)
    now = datetime.now(timezone.utc)
    lines = [
        "# Query floors",
        "",
        f"- date: {now:%Y-%m-%d %H:%M} UTC",
        f"- machine: {describe('pyoxigraph')}",
        f"- command: `python bench/query_floor.py --store {a.store} --rounds {a.rounds} --target {a.target:g}`",
        f"- store: {n_reports} reports, {n_quads:,} quads",
        "- each query and its floor (bench/floors/NAME.rq: the simplest query reading the triples the query's rows "
        "are made of, none of the query's work on them) timed in turns, median of --rounds each, through "
        "`ofsted_kg.query.run_sparql` (row conversion included, as in bench/query_bench.py)",
        "",
        f"| query | rows | median ms | floor rows | floor median ms | floor / query | floor within {a.target:g} ms | the floor reads |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, nr, qms, fr, fms, what in rows:
        lines.append(f"| {name} | {nr} | {qms:.1f} | {fr} | {fms:.1f} | {fms / qms:.2f} | "
                     f"{'yes' if fms < a.target else '**no**'} | {what} |")
    a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
