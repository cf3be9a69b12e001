"""Median latency of one named query (or a .rq file) on one store, for tuning a query before and after.

    python bench/time_query.py STORE NAME_OR_FILE.rq [k=v ...] [--rounds 5] [--memory] [--against OTHER.rq]

Opens STORE read-only (or copies it into an in-memory store with --memory), runs the query once to
warm up, then --rounds times through ``ofsted_kg.query.run_sparql``; prints median and min ms and the
row count. bench/query_bench.py times every named query on two stores; this times one, quickly.

With --against OTHER (a name or a .rq file): the two are timed in turns (odd rounds OTHER first) and the
median of the per-round ratios OTHER/QUERY is printed with its range. This machine's speed drifts by up to
~30% over minutes, so two medians timed minutes apart can disagree about a 10% change; a drift falls on
both halves of a round alike. Compare the rows too before keeping a rewrite: the ratio says nothing of them.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ofsted_kg import query as Q  # noqa: E402


def load(name_or_file: str) -> Q.NamedQuery:
    return Q.parse_header(Path(name_or_file)) if name_or_file.endswith(".rq") else Q.get_query(name_or_file)


def timed(st, text: str, bindings: dict) -> tuple[float, int]:
    """(ms, rows) of one run through ``run_sparql``."""
    t0 = time.perf_counter()
    n = len(Q.run_sparql(text, bindings, store=st).rows)
    return (time.perf_counter() - t0) * 1000, n


def in_turns(st, first: tuple[str, dict], second: tuple[str, dict], rounds: int, second_store=None):
    """Two queries (text, bindings) timed in turns after a warm-up each, the second first in odd rounds:
    ((ms list, rows) of the first, (ms list, rows) of the second, per-round ratios second/first). The second
    runs on ``second_store`` when given (else on ``st`` too). Also used by bench/query_floor.py and
    bench/materialized_floor.py."""
    st2 = st if second_store is None else second_store
    n1, n2 = timed(st, *first)[1], timed(st2, *second)[1]
    t1, t2, ratios = [], [], []
    for k in range(rounds):
        if k % 2:
            y, x = timed(st2, *second)[0], timed(st, *first)[0]
        else:
            x, y = timed(st, *first)[0], timed(st2, *second)[0]
        t1.append(x)
        t2.append(y)
        ratios.append(y / x)
    return (t1, n1), (t2, n2), ratios


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("query", help="a query name (queries/NAME.rq) or a .rq file")
    ap.add_argument("params", nargs="*", metavar="K=V")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--memory", action="store_true", help="query an in-memory copy of the store")
    ap.add_argument("--against", metavar="OTHER", help="another version (name or .rq file), timed in turns")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    st = Q.open_store(a.store, in_memory=a.memory)
    nq = load(a.query)
    bindings = Q.bind_params(nq, dict(p.split("=", 1) for p in a.params))

    if not a.against:
        timed(st, nq.text, bindings)
        runs = [timed(st, nq.text, bindings) for _ in range(a.rounds)]
        times = [t for t, _ in runs]
        print(f"{a.query}: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, {runs[-1][1]} rows")
        return 0
    (t1, n1), (t2, n2), ratios = in_turns(st, (nq.text, bindings), (load(a.against).text, bindings), a.rounds)
    print(f"{a.query}: median {statistics.median(t1):.1f} ms ({n1} rows); {a.against}: median "
          f"{statistics.median(t2):.1f} ms ({n2} rows); ratio {a.against}/{a.query}: median "
          f"{statistics.median(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}, {a.rounds} rounds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
