"""The ``network`` command: the agency network as an interactive page, GraphML, GEXF, JSON and PNG."""
from __future__ import annotations

import sys

from .cli import EXIT_OK, EXIT_STORE, UsageError, add_source_args


def _formats(text: str) -> list[str]:
    from .network import FORMATS

    out = []
    for f in (x.strip().lower() for x in text.split(",")):
        if f not in FORMATS:
            raise UsageError(f"--format: unknown format {f!r} (choose from {', '.join(FORMATS)})")
        if f not in out:
            out.append(f)
    return out


def _cmd_network(args) -> int:
    from . import network as N

    formats = _formats(args.format)
    for opt, value in (("--min-reports", args.min_reports), ("--max-nodes", args.max_nodes)):
        if value is not None and value < 0:
            raise UsageError(f"{opt} {value}: must be 0 or more")
    filters = N.Filters(authorities=args.authority or [], framework=args.framework,
                        min_reports=args.min_reports or 1, grade=args.grade, agency_types=args.agency_type or [])
    try:
        if args.endpoint:
            rows = N.run_queries(endpoint=args.endpoint)
        else:
            from .store import StoreError, open_store

            try:
                store = open_store(args.store, create=False, read_only=True)
            except StoreError as e:
                print(f"ofsted-kg: {e}", file=sys.stderr)
                return EXIT_STORE
            rows = N.run_queries(store)
    except N.SourceError as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_STORE
    try:
        G = N.build_graph(rows, filters, with_analysis=False)  # analysed once, after pruning
    except N.NetworkError as e:
        raise UsageError(str(e)) from None
    G, pruned = N.prune(G, args.max_nodes, filters.min_reports)
    if pruned:
        print(f"ofsted-kg network: {pruned.nodes_before} nodes is more than --max-nodes {pruned.max_nodes}: pruning "
              f"by --min-reports, keeping agencies named in at least {pruned.min_reports} reports "
              f"({pruned.nodes_after} nodes); give --min-reports N to choose the cut yourself, or --max-nodes 0 "
              f"to keep every node", file=sys.stderr)
    if G.number_of_nodes() == 0:
        print("ofsted-kg network: no inspection matches the filters: the network is empty", file=sys.stderr)
    try:
        written = N.export(G, args.out, formats)
    except OSError as e:
        print(f"ofsted-kg: cannot write to {args.out}: {e}", file=sys.stderr)
        return EXIT_STORE
    kinds = {k: 0 for k in N.EDGE_KINDS}
    for _, _, k in G.edges(keys=True):
        kinds[k] += 1
    authorities = sum(1 for _, d in G.nodes(data=True) if d["type"] == "authority")
    print(f"network: {authorities} authorities, {G.number_of_nodes() - authorities} agencies, "
          + ", ".join(f"{n} {k} edges" for k, n in kinds.items()) + "; wrote "
          + ", ".join(str(p) for p in written), file=sys.stderr)
    return EXIT_OK


def register(sub) -> None:
    from .network import DEFAULT_MAX_NODES, FORMATS

    p = sub.add_parser(
        "network", help="the agency network: interactive page, GraphML, GEXF, JSON, PNG",
        description="Build the network of authorities and the agencies their reports name, by SPARQL over the "
                    "embedded store or a SPARQL endpoint (queries/network-*.rq), and write it to --out DIR as "
                    "agency-network.{html,graphml,gexf,json,png}. Edges: authority-agency (the authority's reports "
                    "name the agency; weight = reports), agency-agency (named in the same paragraph; weight = "
                    "paragraphs), addressee (a recommendation asks the agency to act). Nodes carry degree, "
                    "betweenness and community. The page (agency-network.html) works offline: its JavaScript "
                    "(vis-network, from the pyvis package) is inlined. GraphML opens in Cytoscape and yEd, GEXF in "
                    "Gephi. Exit 0 ok, 4 store or endpoint unusable, 64 usage (a filter matching nothing known).")
    add_source_args(p)
    p.add_argument("--out", metavar="DIR", required=True, help="folder to write the files to (created if needed)")
    p.add_argument("--format", default=",".join(FORMATS), metavar="LIST",
                   help=f"comma-separated formats among {','.join(FORMATS)} (default: all)")
    p.add_argument("--authority", action="append", metavar="A",
                   help="only these authorities' inspections (name, official name or IRI slug; repeatable)")
    p.add_argument("--framework", metavar="F", help="only inspections of this framework (slac, lac2012, sif, ilacs)")
    p.add_argument("--grade", metavar="G",
                   help="only authorities whose latest headline grade is G (outstanding, good, "
                        "requires-improvement, adequate, inadequate)")
    p.add_argument("--agency-type", action="append", metavar="T",
                   help="only agencies of this type (police, nhs-trust, voluntary, ...; repeatable)")
    p.add_argument("--min-reports", type=int, default=None, metavar="N",
                   help="only agencies named in at least N inspections (default 1)")
    p.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES, metavar="N",
                   help=f"above N nodes, prune by raising --min-reports (default {DEFAULT_MAX_NODES}; 0: no limit)")
    p.set_defaults(func=_cmd_network)
