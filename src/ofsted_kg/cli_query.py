"""``ofsted-kg query`` (named questions from queries/*.rq) and ``ofsted-kg sparql`` (ad-hoc SPARQL).

Both run on the embedded store (``--store DIR``, default: the build's store) or on a SPARQL endpoint
(``--endpoint URL``; credentials from OFSTED_KG_USER / OFSTED_KG_PASSWORD) and print the rows as a
table that fits the terminal, or as CSV, TSV or JSON for pipes and spreadsheets.
Exit codes: 0 ok, 4 store or endpoint unusable, 64 unknown query, missing or bad parameter, bad SPARQL.
"""
from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

FORMATS = ("table", "csv", "tsv", "json")


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return " ".join(str(v).split())


def format_table(columns: list[str], rows: list[dict], width: int | None = None) -> str:
    """Rows as an aligned text table no wider than ``width`` (long cells are cut with '…')."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    if not columns:
        return ""
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[k]) for row in cells]) for k, c in enumerate(columns)]
    sep = 2
    budget = max(width - sep * (len(columns) - 1), len(columns) * 3)
    # shrink the widest columns until the table fits: first down to their header (at most 12), then to 3
    for floors in ([max(3, min(len(c), 12)) for c in columns], [3] * len(columns)):
        while sum(widths) > budget:
            k = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
            if widths[k] <= floors[k]:
                break
            widths[k] -= 1

    def fit(s: str, w: int) -> str:
        return s if len(s) <= w else s[: max(w - 1, 0)] + "…"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in cells:
        lines.append("  ".join(fit(v, w).ljust(w) for v, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def write_rows(result, fmt: str, out=None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        json.dump(result.rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt in ("csv", "tsv"):
        w = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(result.columns)
        for r in result.rows:
            w.writerow([_cell(r.get(c)) if not isinstance(r.get(c), (int, float)) or isinstance(r.get(c), bool)
                        else r.get(c) for c in result.columns])
    else:
        if result.columns:
            out.write(format_table(result.columns, result.rows) + "\n")
        out.write(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})\n")


def _parse_params(items: list[str] | None) -> dict[str, str]:
    from .cli import UsageError

    out: dict[str, str] = {}
    for it in items or []:
        if "=" not in it:
            raise UsageError(f"--param wants NAME=VALUE, got {it!r}")
        k, v = it.split("=", 1)
        k = k.strip()
        if not k:
            raise UsageError(f"--param wants NAME=VALUE, got {it!r}")
        if k in out:
            raise UsageError(f"--param {k} given twice")
        out[k] = v
    return out


def _target(args):
    return {"endpoint": args.endpoint} if args.endpoint else {"store": args.store}


def _list(out=None) -> None:
    from . import query as Q

    out = out or sys.stdout
    for q in Q.list_queries():
        kind = "  (check: must return no rows)" if q.is_check else ""
        out.write(f"{q.name}{kind}\n    {q.title}\n")
        for p in q.params:
            d = "required" if p.required else f"default {p.default!r}"
            out.write(f"    --param {p.name}=...  ({p.type}, {d}) {p.description}\n")


def _run(fn, args) -> int:
    from . import query as Q
    from .cli import EXIT_OK, EXIT_STORE, EXIT_USAGE

    try:
        result = fn()
    except Q.QueryError as e:
        print(f"ofsted-kg {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Q.EndpointError as e:
        print(f"ofsted-kg {args.command}: {e}", file=sys.stderr)
        return EXIT_STORE
    write_rows(result, args.format)
    return EXIT_OK


def _cmd_query(args) -> int:
    from . import query as Q
    from .cli import EXIT_OK, UsageError

    if args.list:
        if args.name:
            raise UsageError("give either --list or a query NAME")
        _list()
        return EXIT_OK
    if not args.name:
        names = ", ".join(q.name for q in Q.list_queries())
        raise UsageError(f"give a query NAME (or --list); the queries are: {names}")
    params = _parse_params(args.param)
    target = _target(args)
    return _run(lambda: Q.run(args.name, params, timeout=args.timeout, **target), args)


def _cmd_sparql(args) -> int:
    from . import query as Q
    from .cli import UsageError

    text = args.query
    if text == "-":
        text = sys.stdin.read()
    elif "\n" not in text and len(text) < 4096 and Path(text).is_file():
        try:
            text = Path(text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"{args.query}: cannot read: {e}") from None
    elif text.endswith(".rq") and not Path(text).exists():
        raise UsageError(f"{text}: no such file")
    params = _parse_params(args.param)
    types = {}
    for k in list(params):
        if ":" in k:  # NAME:TYPE=VALUE
            name, t = k.split(":", 1)
            if t not in Q.TYPES:
                raise UsageError(f"--param {k}: unknown type {t!r} (types: {', '.join(Q.TYPES)})")
            params[name] = params.pop(k)
            types[name] = t
    target = _target(args)
    return _run(lambda: Q.run_sparql(text, params, types=types, timeout=args.timeout, **target), args)


def _common(p) -> None:
    from .cli import add_source_args

    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a parameter value (repeat for several); bound as a typed value, never pasted into the query")
    p.add_argument("--format", choices=FORMATS, default="table",
                   help="table (default, fits the terminal), csv, tsv or json")
    add_source_args(p)
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for an endpoint (default 120)")


def register(sub) -> None:
    q = sub.add_parser(
        "query", help="run a named question (queries/*.rq) on the store or an endpoint",
        description="Run one of the named SPARQL questions shipped in queries/ (see --list for their names, "
                    "what they answer and their parameters). Parameters are bound as typed values. Exit 0 ok, "
                    "4 store or endpoint unusable, 64 unknown query or missing/bad parameter.")
    q.add_argument("name", nargs="?", metavar="NAME", help="the query's name (its file name without .rq)")
    q.add_argument("--list", action="store_true", help="list the queries with their titles and parameters")
    _common(q)
    q.set_defaults(func=_cmd_query)

    s = sub.add_parser(
        "sparql", help="run an ad-hoc SPARQL SELECT/ASK query (text, FILE.rq or - for stdin)",
        description="Run an ad-hoc SPARQL SELECT or ASK query on the store (the default graph is the union of "
                    "all graphs) or an endpoint. --param NAME=VALUE binds ?NAME to a string, NAME:TYPE=VALUE to "
                    "a typed value (integer, decimal, boolean, date, iri); a bound variable must be in the "
                    "SELECT clause. Exit 0 ok, 4 store or endpoint unusable, 64 bad query or parameter.")
    s.add_argument("query", metavar="QUERY", help="the query text, a .rq file, or - to read it from stdin")
    _common(s)
    s.set_defaults(func=_cmd_sparql)
