"""``ofsted-kg load`` (push the graph into a triple store) and ``ofsted-kg serve`` (SPARQL endpoint + query page)."""
from __future__ import annotations

import sys
from pathlib import Path

from .cli import EXIT_OK, EXIT_STORE, UsageError, add_source_args


def _default_store() -> Path:
    from .store import default_location

    return default_location()


def _cmd_load(args) -> int:
    from .load import LoadError, Policy, Target, load, open_source, progress_to_stderr

    if args.store and args.source:
        raise UsageError("give either --store DIR or a SOURCE, not both")
    if args.non_atomic and not args.graph_store:
        raise UsageError("--non-atomic needs --graph-store URL (an Oxigraph server's /store)")
    if args.jobs < 1 or args.batch < 1 or args.retries < 0 or args.timeout <= 0:
        raise UsageError("--jobs and --batch must be >= 1, --retries >= 0, --timeout > 0")
    from .load import check_url

    for opt, url in (("--endpoint", args.endpoint), ("--graph-store", args.graph_store), ("--update", args.update)):
        if url:
            try:
                check_url(url, opt)
            except LoadError as e:
                raise UsageError(str(e)) from None
    source_path = Path(args.store or args.source) if (args.store or args.source) else _default_store()
    target = Target(endpoint=args.endpoint, graph_store=args.graph_store, update=args.update,
                    non_atomic=args.non_atomic)
    quiet = args.quiet

    def progress(msg: str) -> None:
        if not quiet:
            progress_to_stderr(msg)

    try:
        src = open_source(source_path)
        if src.default_graph_triples:
            progress_to_stderr(f"{source_path}: {src.default_graph_triples} triples in the default graph not "
                               "loaded (only named graphs are pushed)")
        if not src.graphs:
            progress_to_stderr(f"{source_path}: no named graphs to load")
            return EXIT_OK
        report = load(src, target, jobs=args.jobs, batch=args.batch, auth=args.auth,
                      policy=Policy(timeout=args.timeout, retries=args.retries, backoff=args.backoff,
                                    deadline=args.deadline),
                      progress=progress)
    except LoadError as e:
        print(f"ofsted-kg load: {e}", file=sys.stderr)
        return EXIT_STORE
    for g, reason in report.failed:
        print(f"ofsted-kg load: <{g}> not loaded: {reason}", file=sys.stderr)
    for g, want, got in report.mismatches:
        print(f"ofsted-kg load: <{g}>: the server holds {got} triples, the source {want}", file=sys.stderr)
    rate = report.triples / report.seconds if report.seconds > 0 else 0.0
    loaded = report.graphs - len({g for g, _ in report.failed})
    print(f"loaded {loaded}/{report.graphs} graphs, {report.triples} triples by {report.method} in "
          f"{report.seconds:.1f} s ({rate:,.0f} triples/s); "
          + ("counts on the server match the source" if report.ok else
             f"{len(report.failed)} graph(s) failed, {len(report.mismatches)} count mismatch(es)"))
    return EXIT_OK if report.ok else EXIT_STORE


def _cmd_serve(args) -> int:
    from .serve import ServeError, serve

    if not (0 < args.port < 65536):
        raise UsageError("--port must be between 1 and 65535")
    store = Path(args.store) if args.store else _default_store()
    try:
        status = serve(store, host=args.host, port=args.port, writable=args.writable, timeout=args.timeout,
                       announce=lambda m: print(f"ofsted-kg serve: {m}", file=sys.stderr, flush=True))
    except (ServeError, OSError) as e:
        print(f"ofsted-kg serve: {e}", file=sys.stderr)
        return EXIT_STORE
    if status not in (0, -15):
        print(f"ofsted-kg serve: the Oxigraph server stopped with status {status}", file=sys.stderr)
        return EXIT_STORE
    return EXIT_OK


LOAD_HELP = """\
Endpoint URL patterns (see README):
  Oxigraph  --endpoint http://HOST:7878/query --graph-store http://HOST:7878/store [--update http://HOST:7878/update]
  Fuseki    --endpoint http://HOST:3030/DS/query --graph-store http://HOST:3030/DS/data [--update http://HOST:3030/DS/update]
  GraphDB   --endpoint http://HOST:7200/repositories/REPO
            --graph-store http://HOST:7200/repositories/REPO/rdf-graphs/service
            [--update http://HOST:7200/repositories/REPO/statements]
  Virtuoso  --endpoint http://HOST:8890/sparql --graph-store http://HOST:8890/sparql-graph-crud-auth
            [--update http://HOST:8890/sparql-auth]   (digest authentication)
Credentials: environment variables OFSTED_KG_USER and OFSTED_KG_PASSWORD (never on the command line).
Exit codes: 0 loaded and verified; 4 the endpoint could not be used, a graph failed, or a count differs;
64 wrong command line.
"""


def register(sub) -> None:
    import argparse

    lp = sub.add_parser(
        "load", help="push every named graph into a SPARQL store (Graph Store PUT or SPARQL Update)",
        description="Push every named graph of the store (one per report, the ontology, reference and build-log "
                    "graphs) into a triple store over HTTP: SPARQL 1.1 Graph Store Protocol PUT per graph "
                    "(--graph-store), else SPARQL 1.1 Update DROP SILENT GRAPH + INSERT DATA in batches "
                    "(--update, or --endpoint itself when neither is given). A reload replaces each graph, it "
                    "never duplicates. Connection errors and HTTP 5xx are retried with backoff. Afterwards the "
                    "triples of each graph are counted on the server and any difference is reported.",
        epilog=LOAD_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    lp.add_argument("source", nargs="?", metavar="SOURCE",
                    help="a store directory or an N-Quads (.nq) / TriG (.trig) file (default: $OFSTED_KG_STORE, "
                         "else ./ofsted-kg-store)")
    lp.add_argument("--store", metavar="DIR", help="the store directory to load from")
    lp.add_argument("--endpoint", required=True, metavar="URL", help="SPARQL query endpoint (used to check counts)")
    lp.add_argument("--graph-store", metavar="URL", help="SPARQL Graph Store Protocol endpoint (preferred)")
    lp.add_argument("--update", metavar="URL", help="SPARQL Update endpoint (used without --graph-store, "
                    "or when the Graph Store endpoint does not exist)")
    lp.add_argument("--auth", choices=["auto", "basic", "digest"], default="auto",
                    help="HTTP authentication scheme for OFSTED_KG_USER/OFSTED_KG_PASSWORD (default: as the server asks)")
    lp.add_argument("--jobs", type=int, default=4, help="parallel Graph Store requests (default 4)")
    lp.add_argument("--batch", type=int, default=1000,
                    help="at most this many triples per SPARQL Update request (default 1000; halved automatically "
                         "when the server refuses a request, as Virtuoso does with large INSERT DATA)")
    lp.add_argument("--non-atomic", action="store_true",
                    help="Oxigraph servers only: drop a batch of graphs with SPARQL Update (--update, else the "
                         "/update beside /store), then POST their N-Quads with ?no_transaction (its bulk loader): "
                         "several times faster; a batch cut off part-way stays partial until the next load (the "
                         "count check names it)")
    lp.add_argument("--timeout", type=float, default=120.0, help="seconds per HTTP request (default 120)")
    lp.add_argument("--retries", type=int, default=5, help="retries per request on connection errors and HTTP 5xx (default 5)")
    lp.add_argument("--backoff", type=float, default=0.5, help="first retry wait in seconds, doubled each time (default 0.5)")
    lp.add_argument("--deadline", type=float, default=3600.0, help="no retry starts after this many seconds (default 3600)")
    lp.add_argument("-q", "--quiet", action="store_true", help="no progress messages (errors are still printed)")
    lp.set_defaults(func=_cmd_load)

    sp = sub.add_parser(
        "serve", help="read-only SPARQL endpoint with a query page over the store (Oxigraph server)",
        description="Serve the store over HTTP with Oxigraph's server: SPARQL queries at /query (all named graphs "
                    "form the default graph), a page to write and run queries at /. Read-only (updates answered "
                    "HTTP 403) unless --writable. Binds 127.0.0.1 unless --host says otherwise. Stop with Ctrl-C. "
                    "Exit 4 when the store or the port cannot be used.")
    add_source_args(sp, endpoint=False)
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sp.add_argument("--port", type=int, default=7878, help="port (default 7878)")
    sp.add_argument("--writable", action="store_true", help="accept SPARQL updates and Graph Store writes")
    sp.add_argument("--timeout", type=float, default=None, help="seconds a query may run (default: no limit)")
    sp.set_defaults(func=_cmd_serve)
