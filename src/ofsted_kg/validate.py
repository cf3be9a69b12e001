"""SHACL validation of report graphs, the reference graph and the whole store (pyshacl).

Shapes live in the top-level ``shapes/`` folder:

- ``report.ttl``     one report's named graph (run on every graph before it is stored);
- ``reference.ttl``  the reference graph of local authorities and regions;
- ``store.ttl``      cross-report rules, run on a summary of the whole store (reports, inspections,
                     agencies of every report graph plus the reference authorities' names).

Results come back as :class:`Result` with one readable line per problem; ``sh:Warning`` results are
listed but do not make a graph non-conforming.

Engines: ``pyshacl-turbo`` (a Rust SHACL engine with pySHACL's API and report vocabulary; the default
when installed) or ``pyshacl`` (the reference). Choose with the ``engine`` argument or the environment
variable ``OFSTED_KG_SHACL=pyshacl|pyshacl-turbo``. Both give the same results (focus node, path, value,
severity, message) on every shape fixture (tests/test_shape_engines.py). The turbo engine validates a
report graph as an in-memory pyoxigraph store with the shapes compiled once per process: about 10x less
CPU than pyshacl on the corpus (bench/results/build.md).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

import rdflib
from rdflib.namespace import SH

from .iris import BASE, GRAPH_REFERENCE, OKG, PREFIXES
from .resources import resource_dir


@dataclass
class Result:
    """Outcome of validating one graph: ``conforms`` and readable problem lines."""

    label: str
    conforms: bool
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = f"{self.label}: " + ("conforms" if self.conforms else f"{len(self.violations)} violation(s)")
        if self.warnings:
            head += f", {len(self.warnings)} warning(s)"
        return "\n".join([head, *("  " + v for v in self.violations), *("  warning: " + w for w in self.warnings)])


def _cache_sparql_translation() -> None:
    """Let rdflib reuse parsed SPARQL: pyshacl hands every SPARQL constraint over as text on every run,
    and parsing it (pyparsing) took half of each report's validation time. The translated query is
    what rdflib's own prepareQuery returns for reuse; the cache is keyed by text, base and namespaces."""
    from rdflib.plugins.sparql import processor

    if getattr(processor.SPARQLProcessor.query, "_okg_cached", False):
        return
    original = processor.SPARQLProcessor.query
    cache: dict = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            q = cache.get(key)
            if q is None:
                q = cache[key] = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
            return processor.evalQuery(self.graph, q, initBindings, base)
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    query._okg_cached = True
    processor.SPARQLProcessor.query = query


_cache_sparql_translation()

_IRI = re.compile(r"https?://[^\s,()<>]+")


@lru_cache(maxsize=None)
def shapes_graph(name: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(resource_dir("shapes") / f"{name}.ttl", format="turtle")
    return g


def short(term, base: str | None = None) -> str:
    """An IRI as a short readable name: relative to ``base`` (the report), else a prefixed name."""
    s = str(term)
    if base and s.startswith(base):
        return s[len(base):] or "<report>"
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if s.startswith(ns) and p not in ("rdf", "rdfs", "xsd", "owl"):
            return f"{p}:{s[len(ns):]}"
    if isinstance(term, rdflib.Literal):
        return repr(str(term)) if len(s) < 60 else repr(s[:57] + "...")
    return s.replace(BASE, "") if isinstance(term, rdflib.URIRef) else s


ENGINE_ENV = "OFSTED_KG_SHACL"
ENGINES = ("pyshacl-turbo", "pyshacl")


class EngineError(ValueError):
    """An unknown or unavailable SHACL engine was asked for."""


@lru_cache(maxsize=None)
def _turbo_available() -> bool:
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return False
    return True


def engine_name(engine: str | None = None) -> str:
    """The SHACL engine to use: ``engine``, else ``$OFSTED_KG_SHACL``, else pyshacl-turbo when installed,
    else pyshacl."""
    e = (engine or os.environ.get(ENGINE_ENV) or "").strip().lower()
    if not e:
        return "pyshacl-turbo" if _turbo_available() else "pyshacl"
    if e in ("turbo", "pyshacl_turbo"):
        e = "pyshacl-turbo"
    if e not in ENGINES:
        raise EngineError(f"unknown SHACL engine {e!r} (use one of {', '.join(ENGINES)})")
    if e == "pyshacl-turbo" and not _turbo_available():
        raise EngineError("SHACL engine pyshacl-turbo is not installed (pip install pyshacl-turbo)")
    return e


@lru_cache(maxsize=None)
def compiled_shapes(name: str):
    """The shapes file ``name`` compiled by pyshacl-turbo (once per process)."""
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(shapes_graph(name))


def _report_graph(data, shapes: str, engine: str):
    """(conforms, report graph) of ``data`` (an rdflib graph or a pyoxigraph store) under ``shapes``."""
    import pyoxigraph as ox

    if engine == "pyshacl-turbo":
        conforms, results, _ = compiled_shapes(shapes).validate(data, allow_warnings=True)
        return conforms, results
    from pyshacl import validate as shacl

    if isinstance(data, ox.Store):
        data = rdflib_graph(q.triple for q in data)
    conforms, results, _ = shacl(data, shacl_graph=shapes_graph(shapes), inference="none",
                                 allow_warnings=True, abort_on_first=False, inplace=True)
    return conforms, results


def run_shapes(data, shapes: str, label: str, base: str | None = None, engine: str | None = None) -> Result:
    """Validate ``data`` (an rdflib graph or an in-memory pyoxigraph store of one graph) with the shapes
    file ``shapes``; ``engine`` as in :func:`engine_name`."""
    _, results = _report_graph(data, shapes, engine_name(engine))
    violations, warns = [], []
    for r in results.subjects(SH.resultSeverity, None):
        sev = results.value(r, SH.resultSeverity)
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        value = results.value(r, SH.value)
        msgs = sorted(str(m) for m in results.objects(r, SH.resultMessage))
        msg = msgs[0] if msgs else "constraint not met"
        msg = _IRI.sub(lambda m: short(rdflib.URIRef(m.group(0)), base), msg)
        line = f"{short(focus, base)}"
        if path is not None and isinstance(path, rdflib.URIRef):
            line += f" {short(path)}"
        line += f": {msg}"
        if value is not None and short(value, base) not in msg:
            line += f" (value {short(value, base)})"
        (warns if sev == SH.Warning else violations).append(line)
    return Result(label, conforms=not violations, violations=sorted(set(violations)), warnings=sorted(set(warns)))


def ox_store(triples=None, ntriples: str | None = None):
    """An in-memory pyoxigraph store holding ``triples`` (pyoxigraph triples) or ``ntriples`` (text)."""
    import pyoxigraph as ox

    st = ox.Store()
    if ntriples:
        st.load(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    if triples is not None:  # serialising and loading is ~2x quicker than making Quad objects in Python
        st.load(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    return st


def rdflib_graph(triples) -> rdflib.Graph:
    """An rdflib graph of pyoxigraph triples (quicker than writing and parsing N-Triples)."""
    import pyoxigraph as ox

    g = rdflib.Graph()
    terms: dict = {}

    def conv(t):
        r = terms.get(t)
        if r is None:
            if isinstance(t, ox.NamedNode):
                r = rdflib.URIRef(t.value)
            elif isinstance(t, ox.Literal):
                if t.language:
                    r = rdflib.Literal(t.value, lang=t.language)
                elif t.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
                    r = rdflib.Literal(t.value)
                else:
                    r = rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
            else:
                r = rdflib.BNode(t.value)
            terms[t] = r
        return r

    add = g.add
    for t in triples:
        add((conv(t.subject), conv(t.predicate), conv(t.object)))
    return g


def validate_triples(triples, label: str, base: str | None = None, engine: str | None = None) -> Result:
    """Validate one report graph given as pyoxigraph triples."""
    if engine_name(engine) == "pyshacl":
        return run_shapes(rdflib_graph(triples), "report", label, base, engine="pyshacl")
    return run_shapes(ox_store(triples), "report", label, base, engine="pyshacl-turbo")


def validate_ntriples(nt: str, label: str, base: str | None = None, engine: str | None = None) -> Result:
    """Validate one report graph given as N-Triples text."""
    if engine_name(engine) == "pyshacl":
        g = rdflib.Graph()
        g.parse(data=nt, format="nt")
        return run_shapes(g, "report", label, base, engine="pyshacl")
    return run_shapes(ox_store(ntriples=nt), "report", label, base, engine="pyshacl-turbo")


def validate_report_graph(g: rdflib.Graph, label: str, base: str | None = None, engine: str | None = None) -> Result:
    return run_shapes(g, "report", label, base, engine=engine)


def validate_reference(g: rdflib.Graph | None = None, engine: str | None = None) -> Result:
    if g is None:
        g = rdflib.Graph()
        g.parse(resource_dir("reference") / "authorities.ttl", format="turtle")
    return run_shapes(g, "reference", "reference data", engine=engine)


_SUMMARY_CORE = "?r a okg:InspectionReport ; okg:reportOf ?i . ?i okg:inspectedAuthority ?a ; okg:framework ?fw ."
_SUMMARY_PREFIXES = f"PREFIX okg: <{OKG}>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
# One CONSTRUCT per optional fact instead of one query with OPTIONALs: the same triples (a template
# triple is only made where its variables are bound), but Oxigraph answers the union graph ~30x quicker.
SUMMARY_QUERIES = tuple(_SUMMARY_PREFIXES + q for q in (
    f"CONSTRUCT {{ {_SUMMARY_CORE} }} WHERE {{ {_SUMMARY_CORE} }}",
    f"CONSTRUCT {{ ?r okg:sha256 ?h }} WHERE {{ {_SUMMARY_CORE} ?r okg:sha256 ?h }}",
    f"CONSTRUCT {{ ?i okg:startDate ?start }} WHERE {{ {_SUMMARY_CORE} ?i okg:startDate ?start }}",
    f"CONSTRUCT {{ ?a skos:prefLabel ?al }} WHERE {{ {_SUMMARY_CORE} ?a skos:prefLabel ?al }}",
    "CONSTRUCT { ?g a okg:Agency } WHERE { ?g a okg:Agency }",
    "CONSTRUCT { ?g skos:prefLabel ?gl } WHERE { ?g a okg:Agency ; skos:prefLabel ?gl }",
    "CONSTRUCT { ?g okg:agencyType ?gt } WHERE { ?g a okg:Agency ; okg:agencyType ?gt }",
))


def summary_graph_nt(store) -> str:
    """The facts the cross-report shapes need, from every graph of a pyoxigraph store, as N-Triples
    (reports with digest, inspections with authority, framework and start date, the authorities' names,
    agencies with their names and types)."""
    import pyoxigraph as ox

    return "".join(ox.serialize(store.query(q, use_default_graph_as_union=True),
                                format=ox.RdfFormat.N_TRIPLES).decode("utf-8") for q in SUMMARY_QUERIES)


def validate_cross_report(store, engine: str | None = None) -> Result:
    return run_shapes(ox_store(ntriples=summary_graph_nt(store)), "store", "whole store (cross-report rules)",
                      engine=engine)


def _validate_graph_job(args: tuple[str, str, str]) -> Result:
    graph, nt, engine = args
    from .iris import ID

    label = graph.rsplit("/", 1)[1] if graph.startswith(ID + "report/") else graph
    return validate_ntriples(nt, label, base=graph, engine=engine)


def validate_store(store, jobs: int = 1, engine: str | None = None) -> list[Result]:
    """Every report graph, the reference graph and the cross-report rules of a pyoxigraph store."""
    import pyoxigraph as ox

    from .store import report_graphs

    def graph_ntriples(g: str) -> str:  # unsorted: quicker than store.graph_ntriples, same triples
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")

    engine = engine_name(engine)
    results: list[Result] = []
    work = [(g, graph_ntriples(g), engine) for g in report_graphs(store)]
    if jobs > 1 and len(work) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results.extend(pool.map(_validate_graph_job, work, chunksize=max(1, len(work) // (4 * jobs))))
    else:
        results.extend(_validate_graph_job(w) for w in work)
    ref_nt = graph_ntriples(GRAPH_REFERENCE)
    if ref_nt:
        results.append(run_shapes(ox_store(ntriples=ref_nt), "reference", "reference data", engine=engine))
    results.append(validate_cross_report(store, engine=engine))
    return results


class RdfFileError(Exception):
    """An RDF file given to validate cannot be read (exit code 2: input rejected)."""


_FILE_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG"}


def validate_file(path: str, jobs: int = 1, engine: str | None = None) -> list[Result]:
    """Validate an RDF file: its named graphs as report graphs (a file without named graphs is one
    report graph), then the cross-report rules over all of it."""
    from pathlib import Path

    import pyoxigraph as ox

    p = Path(path)
    store = ox.Store()
    try:
        if p.suffix.lower() in (".jsonld", ".json"):
            ds = rdflib.Dataset()
            ds.parse(p, format="json-ld")
            store.load(ds.serialize(format="nquads").encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        elif p.suffix.lower() in _FILE_FORMATS:
            store.load(path=str(p), format=getattr(ox.RdfFormat, _FILE_FORMATS[p.suffix.lower()]))
        else:
            raise RdfFileError(f"{p}: unknown RDF file type (use .ttl, .nt, .nq, .trig or .jsonld)")
    except (OSError, SyntaxError, ValueError) as e:
        raise RdfFileError(f"{p}: cannot read: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    if not list(store.named_graphs()):
        g = ox.NamedNode("https://w3id.org/ofsted-kg/graph/file")
        store.extend([ox.Quad(q.subject, q.predicate, q.object, g) for q in store])
        store.remove_graph(ox.DefaultGraph())
    return validate_store(store, jobs=jobs, engine=engine)
