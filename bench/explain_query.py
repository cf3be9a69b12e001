"""Where a named query spends its time: Oxigraph's evaluation plan with rows and seconds per operator.

    python bench/explain_query.py NAME --store DIR [--param k=v ...] [--min 0.01]

Runs ``oxigraph query --explain --stats`` (the `oxigraph` CLI from PyPI) on a copy-free read of the
store (the store must not be open in another process) with the query's parameters written in as
VALUES (as for a remote endpoint) and prints the plan one operator per line, indented, with its
result count and duration; operators faster than --min seconds are folded. For developers tuning
queries/*.rq: pyoxigraph evaluates joins in the order written and FILTER EXISTS once per row.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ofsted_kg import query as Q  # noqa: E402

NODE = re.compile(r'name: "((?:[^"\\]|\\.)*)",\s*number of results: (\d+),\s*duration in seconds: ([0-9.e-]+)')


def condense(text: str, min_s: float) -> list[str]:
    out = []
    depth = 0
    # walk the Debug-printed tree: 'Node {' opens, '}' closes
    for m in re.finditer(r'Node \{|\}|name: "(?:[^"\\]|\\.)*",\s*number of results: \d+,\s*duration in seconds: [0-9.e-]+', text):
        tok = m.group(0)
        if tok == "Node {":
            depth += 1
        elif tok == "}":
            depth = max(0, depth - 1)
        else:
            n = NODE.match(tok)
            name, rows, secs = n.group(1).replace('\\"', '"'), int(n.group(2)), float(n.group(3))
            if secs >= min_s:
                short = name if len(name) <= 150 else name[:147] + "..."
                out.append(f"{'  ' * (depth - 1)}{secs:7.3f}s {rows:>8} {short}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("name")
    ap.add_argument("--store", required=True)
    ap.add_argument("--param", action="append", default=[], metavar="K=V")
    ap.add_argument("--min", type=float, default=0.005, help="fold operators faster than this (seconds)")
    a = ap.parse_args()
    q = Q.get_query(a.name)
    given = dict(p.split("=", 1) for p in a.param)
    text = Q.with_values(q.text, Q.bind_params(q, given))
    with tempfile.NamedTemporaryFile("w", suffix=".rq", delete=False) as f:
        f.write(text)
    p = subprocess.run(["oxigraph", "query", "--location", a.store, "--query-file", f.name, "--union-default-graph",
                        "--results-format", "csv", "--explain", "--stats"], capture_output=True, text=True)
    Path(f.name).unlink()
    if p.returncode != 0 and "Node" not in p.stderr:
        print(p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "oxigraph failed", file=sys.stderr)
        return 1
    print("\n".join(condense(p.stderr, a.min)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
