"""``ofsted-kg export --tables DIR [--xlsx FILE]``: the graph as CSV tables and an XLSX workbook
(registered from cli_more; the work is in :mod:`ofsted_kg.export`)."""
from __future__ import annotations

import gc
import sys

from .cli import EXIT_INTERNAL, EXIT_OK, EXIT_STORE, EXIT_USAGE, UsageError, add_source_args


def _cmd_export(args) -> int:
    from . import export
    from .query import EndpointError, QueryError

    if not args.tables and not args.xlsx:
        raise UsageError("export: give --tables DIR and/or --xlsx FILE")
    try:
        counts = export.export_tables(args.tables, args.xlsx, store=args.store, endpoint=args.endpoint,
                                      timeout=args.timeout)
    except export.XlsxUnavailable as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_USAGE
    except EndpointError as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_STORE
    except QueryError as e:
        print(f"ofsted-kg: a table query failed: {e}", file=sys.stderr)
        return EXIT_INTERNAL
    except OSError as e:
        print(f"ofsted-kg: cannot write {e.filename or args.tables or args.xlsx}: {e.strerror or e}", file=sys.stderr)
        return EXIT_STORE
    finally:
        gc.collect()  # release the store's lock (pyoxigraph frees it with the Store object)
    if not args.quiet:
        where = " and ".join(x for x in (f"{args.tables}/" if args.tables else "", args.xlsx or "") if x)
        print(f"wrote {where}: " + ", ".join(f"{name} {n}" for name, n in counts.items()) + " rows",
              file=sys.stderr)
    return EXIT_OK


def register(sub) -> None:
    e = sub.add_parser(
        "export", help="write the graph as tidy CSV tables and/or one XLSX workbook",
        description="Write the store (or a SPARQL endpoint) as tables for spreadsheets: inspections.csv (one "
                    "row per inspection report: authority codes, framework, dates, lead inspector, headline "
                    "grades), judgements.csv (one row per judgement), latest.csv (one row per authority with "
                    "its latest inspection's grades), recommendations.csv (text, timescale, section, "
                    "addressees, themes), agencies.csv and agency_mentions.csv; --xlsx writes the same as the "
                    "sheets of one workbook (needs openpyxl: pip install 'ofsted-kg[xlsx]'). UTF-8 CSV with a "
                    "header row, ISO dates, codes and labels in pairs of columns. The SPARQL behind each "
                    "table is queries/table-*.rq. Exit 0 ok, 4 store or endpoint unusable or output not "
                    "writable, 64 usage (also: --xlsx without openpyxl).")
    e.add_argument("--tables", metavar="DIR", help="folder to write the CSV files into (created if missing)")
    e.add_argument("--xlsx", metavar="FILE", help="also (or only) write the tables as sheets of this workbook")
    add_source_args(e)
    e.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for an endpoint per table (default 300)")
    e.add_argument("--quiet", action="store_true", help="no summary line")
    e.set_defaults(func=_cmd_export)
