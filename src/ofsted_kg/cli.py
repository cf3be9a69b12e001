"""The ofsted-kg command line: a thin layer over the library modules.

Exit codes (documented in README.md):
  0   everything asked for was done
  1   an unexpected internal error (a bug: please report it)
  2   some input files were rejected (each named on stderr as ``FILE: reason``); the others were processed
  3   some reports failed SHACL validation and were not stored (``build``), or the store does not conform (``validate``)
  4   a store, endpoint or server could not be used (connection, authentication, HTTP error)
  64  the command line itself is wrong (unknown option, missing parameter, unknown query name)
"""
from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_OK, EXIT_INTERNAL, EXIT_REJECTED, EXIT_INVALID, EXIT_STORE, EXIT_USAGE = 0, 1, 2, 3, 4, 64


class UsageError(Exception):
    pass


STORE_HELP = "the store folder (default: $OFSTED_KG_STORE, else ./ofsted-kg-store)"
ENDPOINT_HELP = ("a SPARQL endpoint to read instead of the store (credentials from OFSTED_KG_USER / "
                 "OFSTED_KG_PASSWORD)")


def add_source_args(p, *, endpoint: bool = True) -> None:
    """The ``--store DIR`` option of a command, and ``--endpoint URL`` (the two exclusive) where it can
    read a SPARQL endpoint instead: one wording for every command."""
    g = p.add_mutually_exclusive_group() if endpoint else p
    g.add_argument("--store", metavar="DIR", default=None, help=STORE_HELP)
    if endpoint:
        g.add_argument("--endpoint", metavar="URL", default=None, help=ENDPOINT_HELP)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default exit code 2 would collide with "rejected"
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _cmd_extract(args) -> int:
    from .extract import extract_paths

    outcomes = extract_paths(args.paths, jobs=args.jobs)
    fmt = args.format
    rejected = 0
    reports = []
    for o in outcomes:
        if o.error:
            rejected += 1
            print(f"{o.path}: {o.error}", file=sys.stderr)
            continue
        d = o.report.to_dict(with_paragraphs=not args.no_paragraphs)
        if fmt == "jsonl":
            print(json.dumps(d, ensure_ascii=False), flush=False)
        else:
            reports.append(d)
    if fmt == "json":
        if len(reports) == 1:
            print(json.dumps(reports[0], ensure_ascii=False, indent=2))
        elif reports:
            print(json.dumps(reports, ensure_ascii=False, indent=2))
    sys.stdout.flush()
    return EXIT_REJECTED if rejected else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ofsted-kg", description=__doc__.split("\n\n")[0],
                epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    e = sub.add_parser(
        "extract", help="parse reports (PDF, text, markdown) into the extract JSON",
        description="Parse Ofsted children's services inspection reports (PDF, .txt, .md; directories are "
                    "walked recursively) into the JSON contract of extract.schema.json: framework, authority, "
                    "dates, lead inspector, graded judgements, recommendations with timescale, section and "
                    "addressees, named agencies and numbered paragraphs. The format is decided by the file's "
                    "bytes, not its name. One JSON object is printed for one file (an array for several with "
                    "--format json); --format jsonl prints one line per report. Exit 0 when every input "
                    "parsed, 2 when some were rejected (each as 'FILE: reason' on stderr); the others are "
                    "printed all the same.")
    e.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    e.add_argument("--format", choices=["json", "jsonl"], default=None,
                   help="json (default for one file) or jsonl (default for several)")
    e.add_argument("--no-paragraphs", action="store_true", help="leave the numbered paragraphs out of the output")
    e.add_argument("--jobs", type=int, default=1, help="parallel worker processes (default 1)")
    e.set_defaults(func=_cmd_extract)

    from . import cli_more  # commands of later stages register themselves here

    cli_more.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "format", "x") is None and args.command == "extract":
        from .read import iter_inputs

        args.format = "json" if len(iter_inputs(args.paths)) <= 1 else "jsonl"
    try:
        return args.func(args)
    except UsageError as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("ofsted-kg: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - last resort: one line, no traceback unless asked
        if os.environ.get("OFSTED_KG_DEBUG"):
            raise
        print(f"ofsted-kg: internal error: {type(e).__name__}: {e} (set OFSTED_KG_DEBUG=1 for a traceback)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
