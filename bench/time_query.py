"""Median latency of one named query (or a .rq file) on one store, for tuning a query before and after.

    python bench/time_query.py STORE NAME_OR_FILE.rq [k=v ...] [--rounds 5] [--memory]

Opens STORE read-only (or copies it into an in-memory store with --memory), runs the query once to
warm up, then --rounds times through ``ofsted_kg.query.run_sparql``; prints median and min ms and the
row count. bench/query_bench.py times every named query on two stores; this times one, quickly.
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store")
    ap.add_argument("query", help="a query name (queries/NAME.rq) or a .rq file")
    ap.add_argument("params", nargs="*", metavar="K=V")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--memory", action="store_true", help="query an in-memory copy of the store")
    a = ap.parse_args()
    st = Q.open_store(a.store, in_memory=a.memory)
    nq = Q.parse_header(Path(a.query)) if a.query.endswith(".rq") else Q.get_query(a.query)
    text = nq.text
    bindings = Q.bind_params(nq, dict(p.split("=", 1) for p in a.params))
    res = Q.run_sparql(text, bindings, store=st)
    times = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        res = Q.run_sparql(text, bindings, store=st)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"{a.query}: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, {len(res.rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
