"""The embedded store: a pyoxigraph (Oxigraph/RocksDB) database on disk.

Default location: ``$OFSTED_KG_STORE`` if set, else ``./ofsted-kg-store`` (relative to the current
directory). Only one process can open an on-disk store at a time.

Graphs:

- one named graph per report, named by the report's IRI (``…/id/report/<file-name slug>``);
  :func:`replace_graph` swaps a report's graph in one transaction (DROP + INSERT in one SPARQL update),
  so readers never see half a report;
- ``…/graph/ontology`` and ``…/graph/reference``: the ontology and the reference authorities,
  rewritten by every build (same files, same triples);
- ``…/graph/build-log``: the time and counts of the latest build, replaced by each build, so report
  graphs never carry a timestamp.
"""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from .iris import GRAPH_BUILD_LOG, GRAPH_ONTOLOGY, GRAPH_REFERENCE, OKG
from .resources import resource_dir

ENV_VAR = "OFSTED_KG_STORE"
DEFAULT_DIR = "ofsted-kg-store"
STATIC_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_REFERENCE, GRAPH_BUILD_LOG)


class StoreError(Exception):
    """The store cannot be opened or written (exit code 4)."""


def default_location() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def open_store(path: str | Path | None = None, *, create: bool = True, read_only: bool = False) -> ox.Store:
    """Open (or create) the on-disk store; ``path=None`` means the default location."""
    p = Path(path) if path is not None else default_location()
    if not create and not p.exists():
        raise StoreError(f"{p}: no store here (build one with 'ofsted-kg build PATH... --store {p}')")
    try:
        if read_only:
            return ox.Store.read_only(str(p))
        p.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(p))
    except OSError as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        if "lock" in msg.lower():
            msg = "the store is in use by another process (" + msg + ")"
        raise StoreError(f"{p}: cannot open store: {msg}") from None


def replace_graph(store: ox.Store, graph: str, ntriples: str) -> None:
    """Replace named graph ``graph`` by the N-Triples text ``ntriples`` (no blank nodes), atomically.

    A new graph is added in one transaction (``Store.load``); a stored one is changed by one SPARQL
    update that deletes the triples it no longer has and inserts the new ones (so an unchanged rebuild
    writes nothing, and parsing is limited to the difference: a whole DROP + INSERT DATA cost ~10x more)."""
    g = ox.NamedNode(graph)
    old = {f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None, g)}
    if not old:
        if ntriples.strip():
            store.load(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=g)
        return
    new = {line for line in ntriples.splitlines() if line.strip()}
    removed, added = old - new, new - old
    if not removed and not added:
        return
    ops = []
    if removed:
        ops.append(f"DELETE DATA {{ GRAPH <{graph}> {{\n" + "\n".join(sorted(removed)) + "\n} }")
    if added:
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(sorted(added)) + "\n} }")
    store.update(" ;\n".join(ops))


def _file_ntriples(path: Path) -> str:
    return ox.serialize(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE),
                        format=ox.RdfFormat.N_TRIPLES).decode("utf-8")


def ontology_ntriples() -> str:
    return _file_ntriples(resource_dir("ontology") / "ofsted-kg.ttl")


def reference_ntriples() -> str:
    return _file_ntriples(resource_dir("reference") / "authorities.ttl")


def load_static(store: ox.Store) -> None:
    """Write the ontology and reference graphs (the same triples every time)."""
    replace_graph(store, GRAPH_ONTOLOGY, ontology_ntriples())
    replace_graph(store, GRAPH_REFERENCE, reference_ntriples())


def report_graphs(store: ox.Store) -> list[str]:
    """Names of the report graphs (every named graph but the static ones), sorted."""
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in STATIC_GRAPHS)


def stored_versions(store: ox.Store) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Report graph -> (SHA-256, parser version, mapping version) as stored."""
    q = f"""SELECT ?g ?h ?pv ?mv WHERE {{ GRAPH ?g {{ ?g a <{OKG}InspectionReport> .
        OPTIONAL {{ ?g <{OKG}sha256> ?h }} OPTIONAL {{ ?g <{OKG}parserVersion> ?pv }}
        OPTIONAL {{ ?g <{OKG}mappingVersion> ?mv }} }} }}"""
    out = {}
    for row in store.query(q):
        out[row["g"].value] = tuple(row[v].value if row[v] is not None else None for v in ("h", "pv", "mv"))
    return out


def graph_ntriples(store: ox.Store, graph: str) -> str:
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    return "".join(sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads))


def write_build_log(store: ox.Store, when: str, reports: int, stored: int, unchanged: int, invalid: int,
                    rejected: int, software: str) -> None:
    b = "https://w3id.org/ofsted-kg/id/build/latest"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    prov = "http://www.w3.org/ns/prov#"
    lines = [f'<{b}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{OKG}Build> .',
             f'<{b}> <{prov}endedAtTime> "{when}"^^<{xsd}dateTime> .',
             f'<{b}> <{OKG}reportCount> "{reports}"^^<{xsd}integer> .',
             f'<{b}> <{OKG}parserVersion> {ox.Literal(software)} .',
             f'<{b}> <http://www.w3.org/2000/01/rdf-schema#comment> '
             f'{ox.Literal(f"stored {stored}, unchanged {unchanged}, failed validation {invalid}, rejected {rejected}")} .']
    replace_graph(store, GRAPH_BUILD_LOG, "\n".join(lines))


def stats(store: ox.Store) -> dict:
    """Counts of what the store holds."""
    def one(q: str) -> int:
        rows = list(store.query(q, use_default_graph_as_union=True))
        return int(rows[0][0].value) if rows and rows[0][0] is not None else 0

    p = f"PREFIX okg: <{OKG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    per_fw = {}
    for row in store.query(p + """SELECT ?fw (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?r {
            ?r a okg:InspectionReport ; okg:reportOf/okg:framework ?fw } } GROUP BY ?fw ORDER BY ?fw"""):
        per_fw[row["fw"].value.rsplit("/", 1)[1]] = int(row["n"].value)
    built = list(store.query(f"SELECT ?t WHERE {{ GRAPH <{GRAPH_BUILD_LOG}> {{ ?b <http://www.w3.org/ns/prov#endedAtTime> ?t }} }}"))
    return {
        "reports": sum(per_fw.values()),
        "reports_per_framework": per_fw,
        "triples": len(store),
        "report_triples": one(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{GRAPH_ONTOLOGY}>, <{GRAPH_REFERENCE}>, <{GRAPH_BUILD_LOG}>)) }}"),
        "authorities_inspected": one(p + "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?i okg:inspectedAuthority ?a }"),
        "authorities_unmatched": one(p + "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?i okg:inspectedAuthority ?a FILTER(CONTAINS(STR(?a), '/unmatched/')) }"),
        "agencies": one(p + "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?m okg:agency ?g }"),
        "inspectors": one(p + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?i okg:leadInspector ?x }"),
        "judgements": one(p + "SELECT (COUNT(DISTINCT ?j) AS ?n) WHERE { ?i okg:hasJudgement ?j }"),
        "recommendations": one(p + "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?i okg:hasRecommendation ?r }"),
        "paragraphs": one(p + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?r okg:hasParagraph ?x }"),
        "last_build": built[0]["t"].value if built else None,
    }


FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS,
           "trig": ox.RdfFormat.TRIG}


def export(store: ox.Store, out: str | Path, fmt: str) -> None:
    """Write the store to a file: nq/trig keep the named graphs; ttl/nt/jsonld hold their union
    (jsonld with the shipped context ontology/context.jsonld: no remote context is fetched)."""
    from .iris import PREFIXES

    out = Path(out)
    if fmt in ("nq", "trig"):
        store.dump(str(out), format=FORMATS[fmt], **({"prefixes": PREFIXES} if fmt == "trig" else {}))
        return
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    if fmt in ("ttl", "nt"):
        ox.serialize(triples, str(out), format=FORMATS[fmt],
                     **({"prefixes": PREFIXES} if fmt == "ttl" else {}))
        return
    if fmt == "jsonld":
        import json

        import rdflib

        nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        g = rdflib.Graph()
        g.parse(data=nt, format="nt")
        ctx = json.loads((resource_dir("ontology") / "context.jsonld").read_text())["@context"]
        out.write_text(g.serialize(format="json-ld", context=ctx, auto_compact=True), encoding="utf-8")
        return
    raise ValueError(f"unknown format {fmt!r}")
