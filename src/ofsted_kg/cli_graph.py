"""Commands of the graph stage: ``build``, ``validate``, ``stats`` (registered from cli_more)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .cli import EXIT_INVALID, EXIT_OK, EXIT_REJECTED, EXIT_STORE, STORE_HELP, UsageError, add_source_args

EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld")
_EXT_FORMATS = {".ttl": "ttl", ".nt": "nt", ".nq": "nq", ".trig": "trig", ".jsonld": "jsonld", ".json": "jsonld"}


def _releasing_store(cmd):
    """Run ``cmd`` and then collect garbage: pyoxigraph releases an on-disk store's lock only when the
    Store object is freed, and reference cycles (closures over it) would otherwise keep it locked for
    the rest of the process (the next command in the same process, e.g. in tests, could not open it)."""
    import functools
    import gc

    @functools.wraps(cmd)
    def run(args) -> int:
        try:
            return cmd(args)
        finally:
            gc.collect()

    return run


def _print_block(text: str) -> None:
    print(text, file=sys.stderr)
    print(file=sys.stderr)


def _shacl_engine(cmd):
    """Run ``cmd`` with ``--shacl ENGINE`` in force: set as $OFSTED_KG_SHACL for the command (so the
    parallel workers see it too) and put back afterwards; an unknown or missing engine is a usage error."""
    import functools

    @functools.wraps(cmd)
    def run(args) -> int:
        from .validate import ENGINE_ENV, EngineError, engine_name

        if not getattr(args, "shacl", None):
            return cmd(args)
        try:
            engine = engine_name(args.shacl)
        except EngineError as e:
            raise UsageError(f"--shacl: {e}") from None
        before = os.environ.get(ENGINE_ENV)
        os.environ[ENGINE_ENV] = engine
        try:
            return cmd(args)
        finally:
            if before is None:
                os.environ.pop(ENGINE_ENV, None)
            else:
                os.environ[ENGINE_ENV] = before
    return run


def _add_shacl_arg(p) -> None:
    from .validate import ENGINES

    p.add_argument("--shacl", choices=ENGINES, default=None,
                   help="SHACL engine (default: $OFSTED_KG_SHACL, else pyshacl-turbo when installed, else pyshacl; "
                        "both give the same verdicts)")


@_shacl_engine
@_releasing_store
def _cmd_build(args) -> int:
    import pyoxigraph as ox

    from .build import build
    from .store import StoreError, export, open_store

    fmt = args.format
    if args.out and not fmt:
        fmt = _EXT_FORMATS.get(Path(args.out).suffix.lower())
        if not fmt:
            raise UsageError(f"--format is needed: cannot tell the format of {args.out} from its extension "
                             f"(one of {', '.join(EXPORT_FORMATS)})")
    if fmt and not args.out:
        raise UsageError("--format needs --out FILE")
    try:
        if args.out and args.store is None and not os.environ.get("OFSTED_KG_STORE"):
            store = ox.Store()  # --out alone: build in memory, write the file only
        else:
            store = open_store(args.store)
    except StoreError as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_STORE

    def invalid(w):
        _print_block(f"{w.path}: failed validation, not stored\n" + "\n".join(
            "  " + v for v in w.validation.violations))

    def rejected(path, reason):
        print(f"{path}: {reason}", file=sys.stderr)

    summary = build(args.paths, store, jobs=args.jobs, force=args.force,
                    progress=True if args.progress else (False if args.quiet else None),
                    on_invalid=invalid, on_rejected=rejected)
    if args.verbose:
        for path, msg in summary.mapping_warnings:
            print(f"{path}: warning: {msg}", file=sys.stderr)
    if args.out:
        try:
            export(store, args.out, fmt)
        except OSError as e:
            print(f"ofsted-kg: cannot write {args.out}: {e}", file=sys.stderr)
            return EXIT_STORE
    unmatched = sum(1 for _, m in summary.mapping_warnings if "not in the reference list" in m)
    if not args.quiet:
        print(f"stored {len(summary.stored)}, unchanged {len(summary.unchanged)}, failed validation "
              f"{len(summary.invalid)}, rejected {len(summary.rejected)}"
              + (f"; {unmatched} authority name(s) not in the reference list" if unmatched else "")
              + (f"; wrote {args.out}" if args.out else ""), file=sys.stderr)
    if summary.invalid:
        return EXIT_INVALID
    if summary.rejected:
        return EXIT_REJECTED
    return EXIT_OK


@_shacl_engine
@_releasing_store
def _cmd_validate(args) -> int:
    from .store import StoreError, open_store
    from .validate import RdfFileError, engine_name, validate_file, validate_store

    try:
        if args.file:
            try:
                results = validate_file(args.file, jobs=args.jobs)
            except RdfFileError as e:
                print(e, file=sys.stderr)
                return EXIT_REJECTED
        else:
            store = open_store(args.store, create=False)
            results = validate_store(store, jobs=args.jobs)
    except StoreError as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_STORE
    bad = [r for r in results if not r.conforms]
    for r in results:
        if not r.conforms or r.warnings:
            _print_block(r.text())
    total = len(results)
    print(f"{total - len(bad)} of {total} graph(s) conform" + ("" if not bad else f"; {len(bad)} do not")
          + f" (SHACL engine: {engine_name()})", file=sys.stderr)
    return EXIT_INVALID if bad else EXIT_OK


@_releasing_store
def _cmd_stats(args) -> int:
    from .store import StoreError, open_store, stats

    try:
        store = open_store(args.store, create=False)
    except StoreError as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_STORE
    s = stats(store)
    if args.json:
        print(json.dumps(s, indent=2))
        return EXIT_OK
    print(f"{'reports':<24}{s['reports']}")
    for fw, n in s["reports_per_framework"].items():
        print(f"  {fw:<22}{n}")
    for k in ("authorities_inspected", "authorities_unmatched", "agencies", "inspectors", "judgements",
              "recommendations", "paragraphs", "report_triples", "triples"):
        print(f"{k.replace('_', ' '):<24}{s[k]}")
    print(f"{'last build':<24}{s['last_build'] or '-'}")
    return EXIT_OK


def register(sub) -> None:
    b = sub.add_parser(
        "build", help="parse, map to RDF, validate with SHACL and store reports",
        description="Parse report files (directories are walked), map each to RDF in its own named graph, "
                    "validate it against shapes/report.ttl and store it in the embedded store (pyoxigraph on "
                    "disk). A file whose SHA-256 and parser version match what is stored is skipped. A report "
                    "that fails validation is not stored (its violations are printed); the others still go in. "
                    "Exit 0 ok, 2 some inputs rejected, 3 some reports failed validation, 4 store unusable.")
    b.add_argument("paths", nargs="+", metavar="PATH", help="report files or directories")
    add_source_args(b, endpoint=False)
    b.add_argument("--out", metavar="FILE", help="also write the store's graphs to FILE (with --out and no "
                   "--store/$OFSTED_KG_STORE the build is kept in memory and only FILE is written)")
    b.add_argument("--format", choices=EXPORT_FORMATS, default=None,
                   help="format of --out (default: from its extension); nq and trig keep the named graphs")
    b.add_argument("--jobs", type=int, default=1, help="parallel worker processes (default 1)")
    b.add_argument("--force", action="store_true", help="rebuild files even when unchanged")
    b.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is no terminal")
    b.add_argument("--quiet", action="store_true", help="no progress bar, no summary line")
    b.add_argument("--verbose", action="store_true", help="also print the mapping's warnings")
    _add_shacl_arg(b)
    b.set_defaults(func=_cmd_build)

    v = sub.add_parser(
        "validate", help="run the SHACL shapes over the store or a file",
        description="Validate every report graph of the store (or of an RDF FILE: .trig, .nq, .ttl, .nt, "
                    ".jsonld) against shapes/report.ttl, the reference graph against shapes/reference.ttl and "
                    "the whole against the cross-report shapes/store.ttl. Exit 0 when everything conforms, 3 "
                    "when not, 4 when the store cannot be opened.")
    g = v.add_mutually_exclusive_group()
    g.add_argument("--store", metavar="DIR", default=None, help=STORE_HELP)
    g.add_argument("file", nargs="?", metavar="FILE", default=None, help="an RDF file to validate instead")
    v.add_argument("--jobs", type=int, default=1, help="parallel worker processes (default 1)")
    _add_shacl_arg(v)
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("stats", help="what the store holds",
                       description="Print counts of the store: reports per framework, triples, authorities, "
                                   "agencies, inspectors, judgements, recommendations, the last build's time.")
    add_source_args(s, endpoint=False)
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=_cmd_stats)
