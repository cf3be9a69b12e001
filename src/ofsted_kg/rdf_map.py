"""Parsed report -> RDF: the triples of one report's named graph.

One report gives one graph, named by the report's IRI (see :mod:`ofsted_kg.iris` for every IRI
rule). Everything in it is a pure function of the parsed report, so mapping the same report twice
gives the same triples. The graph holds:

- the report (``okg:InspectionReport``): source file name, SHA-256, parser and mapping versions,
  authority names as printed, published date, warnings, its numbered paragraphs and agency mentions;
- the inspection (``okg:Inspection``): framework, inspected authority, dates, type, lead inspector,
  judgements and recommendations;
- judgements, recommendations and agency mentions, each pointing with ``okg:evidence`` to the
  paragraph (``okg:Paragraph`` with number and text) it was read from, when the report has it;
- agencies (``okg:Agency``) with name, aliases and type;
- a recommendation's themes: ``okg:theme`` for each, ``okg:primaryTheme`` for the first (most
  important), and ranked ``okg:ThemeAssignment`` nodes ``#recommendation-<n>-theme-<rank>``
  (``okg:assignedTheme``, ``okg:themeRank``) that keep their order.

The authority is linked to the reference list (src/ofsted_kg/data/reference/authorities.ttl);
an authority not found there still goes in, under ``…/id/authority/unmatched/<slug>``, with a warning.

Codes outside the contract (an unknown judgement area, say) are mapped as they are, to a concept
IRI the ontology does not define: it is the SHACL shapes' job to reject them, not this module's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from . import PARSER_VERSION
from .iris import (ID, OKG, agency_iri, code_segment, concept, inspector_iri, report_iri, slug,
                   unmatched_authority_iri)
from .model import Report
from .resources import resource_dir

MAPPING_VERSION = "2"
"""Bump when the mapping changes what it writes: stored graphs with another version are rebuilt."""

AGENCY_TYPES = ("police", "nhs-trust", "primary-care-trust", "clinical-commissioning-group", "safeguarding-board",
                "childrens-trust", "local-authority", "voluntary", "probation", "inspectorate", "government",
                "education", "other", "safeguarding-partnership", "integrated-care-board")
PER_AREA_TYPES = ("safeguarding-board", "safeguarding-partnership", "childrens-trust", "local-authority")
"""Agency types that every area has one of: unless the name says whose, the agency is minted per authority."""

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
_DATE = ox.NamedNode(XSD + "date")
_INT = ox.NamedNode(XSD + "integer")
_BOOL = ox.NamedNode(XSD + "boolean")


def _p(local: str) -> ox.NamedNode:
    return ox.NamedNode(OKG + local)


@dataclass
class Mapped:
    """The triples of one report's graph and what the mapping noticed on the way."""

    iri: str
    triples: list[ox.Triple]
    warnings: list[str] = field(default_factory=list)

    def ntriples(self) -> str:
        """The graph as sorted N-Triples (a canonical text: same report, same bytes)."""
        return "".join(sorted(str(t) + " .\n" for t in self.triples))


# --- authority matching -------------------------------------------------------------------

_DROP = {"council", "county", "city", "borough", "metropolitan", "district", "london", "royal", "of", "the",
         "unitary", "authority", "mbc", "cc"}


def name_key(name: str) -> str:
    """Comparison key of an authority name: 'London Borough of Hammersmith & Fulham' -> 'hammersmith and fulham'."""
    t = name.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = [w for w in re.split(r"[^a-z0-9]+", t) if w and w not in _DROP]
    return " ".join(words)


@lru_cache(maxsize=1)
def reference_index() -> dict[str, str]:
    """Name key -> authority IRI for every label of the reference list (ambiguous keys left out)."""
    store = ox.Store()
    store.load(path=str(resource_dir("reference") / "authorities.ttl"), format=ox.RdfFormat.TURTLE)
    index: dict[str, set[str]] = {}
    q = f"""SELECT ?a ?l WHERE {{ ?a a <{OKG}LocalAuthority> ; <{SKOS}prefLabel>|<{SKOS}altLabel> ?l }}"""
    for row in store.query(q):
        index.setdefault(name_key(row["l"].value), set()).add(row["a"].value)
    return {k: next(iter(v)) for k, v in index.items() if len(v) == 1 and k}


def match_authority(name: str | None, official_name: str | None = None) -> str | None:
    index = reference_index()
    for n in (name, official_name):
        if n and name_key(n) in index:
            return index[name_key(n)]
    return None


# --- the mapping ---------------------------------------------------------------------------

def map_report(report: Report) -> Mapped:
    """The triples of ``report``'s named graph (see the module docstring for what it holds)."""
    R = report_iri(report.source)
    out: list[ox.Triple] = []
    warnings: list[str] = []
    nodes: dict[str, ox.NamedNode] = {}

    def node(iri: str) -> ox.NamedNode:
        n = nodes.get(iri)
        if n is None:
            n = nodes[iri] = ox.NamedNode(iri)
        return n

    def add(s: str, p: str, o) -> None:
        out.append(ox.Triple(node(s), _p(p) if ":" not in p else ox.NamedNode(p), o))

    def typ(s: str, cls: str) -> None:
        out.append(ox.Triple(node(s), RDF_TYPE, ox.NamedNode(OKG + cls)))

    def text(s: str, p: str, value: str | None) -> None:
        if value is not None and value != "":
            add(s, p, ox.Literal(value))

    def date(s: str, p: str, value: str | None) -> None:
        if value:
            add(s, p, ox.Literal(value, datatype=_DATE))

    def integer(s: str, p: str, value: int) -> None:
        add(s, p, ox.Literal(str(int(value)), datatype=_INT))

    I = R + "#inspection"
    typ(R, "InspectionReport")
    text(R, "sourceFile", report.source)
    text(R, "sha256", report.sha256)
    text(R, "parserVersion", PARSER_VERSION)
    text(R, "mappingVersion", MAPPING_VERSION)
    parser = f"{ID}software/ofsted-kg-parser/{PARSER_VERSION}"
    add(R, PROV + "wasAttributedTo", node(parser))
    typ(parser, "Parser")
    add(parser, SKOS + "prefLabel", ox.Literal(f"ofsted-kg parser {PARSER_VERSION}"))
    add(R, "reportOf", node(I))
    date(R, DCT + "issued", report.inspection.published_date)

    # authority
    auth = report.authority
    text(R, "authorityName", auth.name)
    text(R, "authorityOfficialName", auth.official_name)
    A = match_authority(auth.name, auth.official_name)
    add(R, "referenceMatched", ox.Literal("true" if A else "false", datatype=_BOOL))
    if A is None:
        label = auth.name or auth.official_name or ""
        A = unmatched_authority_iri(label)
        if label:
            add(A, SKOS + "prefLabel", ox.Literal(label))
        warnings.append(f"authority {label!r} is not in the reference list of local authorities")
    typ(A, "LocalAuthority")

    # inspection
    typ(I, "Inspection")
    add(I, "framework", node(concept("framework", report.framework)))
    add(I, "inspectedAuthority", node(A))
    date(I, "startDate", report.inspection.start_date)
    date(I, "endDate", report.inspection.end_date)
    text(I, "inspectionType", report.inspection_type)
    if report.inspection.lead_inspector:
        P = inspector_iri(report.inspection.lead_inspector)
        typ(P, "Inspector")
        add(P, SKOS + "prefLabel", ox.Literal(report.inspection.lead_inspector))
        add(I, "leadInspector", node(P))

    # paragraphs: the first paragraph with a number is '#paragraph-N'; repeats get '-2', '-3', ...
    para_iri: dict[int, str] = {}
    seen: dict[int, int] = {}
    for p in report.paragraphs:
        k = seen[p.number] = seen.get(p.number, 0) + 1
        iri = f"{R}#paragraph-{p.number}" + (f"-{k}" if k > 1 else "")
        para_iri.setdefault(p.number, iri)
        typ(iri, "Paragraph")
        add(R, "hasParagraph", node(iri))
        integer(iri, "paragraphNumber", p.number)
        text(iri, "text", p.text)
        text(iri, "heading", p.heading)

    def evidence(s: str, number: int | None, what: str) -> None:
        if number is None:
            return
        if number in para_iri:
            add(s, "evidence", node(para_iri[number]))
            if seen[number] > 1:
                warnings.append(f"{what}: {seen[number]} paragraphs are numbered {number}; linked to the first")
        elif report.paragraphs:
            warnings.append(f"{what}: paragraph {number} is not among the report's numbered paragraphs")

    # judgements
    used: dict[str, int] = {}
    for j in report.judgements:
        k = used[j.area] = used.get(j.area, 0) + 1
        J = f"{R}#judgement-{code_segment(j.area)}" + (f"-{k}" if k > 1 else "")
        typ(J, "Judgement")
        add(I, "hasJudgement", node(J))
        add(J, "area", node(concept("area", j.area)))
        add(J, "grade", node(concept("grade", j.grade)))
        text(J, "evidenceKind", j.evidence)
        evidence(J, j.paragraph, f"judgement {j.area}")

    # agencies and their mentions
    own = slug(auth.name) if auth.name else None
    by_name: dict[str, str] = {}

    def agency_node(name: str, type_code: str | None) -> str:
        scoped = type_code in PER_AREA_TYPES and not (own and own in slug(name))
        return agency_iri(name, A if scoped else None)

    mention_keys: dict[str, int] = {}
    for ag in report.agencies:
        tcode = ag.type
        if tcode not in AGENCY_TYPES:
            warnings.append(f"agency {ag.name!r}: type {ag.type!r} is not one of the agency types; mapped to 'other'")
            tcode = "other"
        G = agency_node(ag.name, tcode)
        for n in [ag.name, *ag.aliases]:
            by_name.setdefault(n.lower(), G)
        typ(G, "Agency")
        add(G, SKOS + "prefLabel", ox.Literal(ag.name))
        for alias in ag.aliases:
            if alias != ag.name:
                add(G, SKOS + "altLabel", ox.Literal(alias))
        add(G, "agencyType", node(concept("agency-type", tcode)))
        if G.startswith(A + "/"):
            add(G, "agencyOf", node(A))
        key = G.rsplit("/", 1)[1]
        k = mention_keys[key] = mention_keys.get(key, 0) + 1
        M = f"{R}#mention-{key}" + (f"-{k}" if k > 1 else "")
        typ(M, "AgencyMention")
        add(R, "hasMention", node(M))
        add(M, "agency", node(G))
        integer(M, "mentionCount", ag.mentions)
        for n in sorted(set(ag.paragraphs)):
            evidence(M, n, f"agency {ag.name!r}")

    # recommendations
    own_names = {n.lower() for n in (auth.name, auth.official_name) if n}
    for i, rec in enumerate(report.recommendations, 1):
        C = f"{R}#recommendation-{i}"
        typ(C, "Recommendation")
        add(I, "hasRecommendation", node(C))
        integer(C, "position", i)
        text(C, "text", rec.text)
        if rec.timescale:
            add(C, "timescale", node(concept("timescale", rec.timescale)))
        if rec.section:
            add(C, "section", node(concept("section", rec.section)))
        for rank, t in enumerate(rec.themes, 1):
            # every theme by okg:theme; their order (most important first) by ranked assignments
            T = node(concept("theme", t))
            add(C, "theme", T)
            if rank == 1:
                add(C, "primaryTheme", T)
            TA = f"{C}-theme-{rank}"
            typ(TA, "ThemeAssignment")
            add(C, "themeAssignment", node(TA))
            add(TA, "assignedTheme", T)
            integer(TA, "themeRank", rank)
        for who in rec.addressees:
            if who.lower() in own_names:
                add(C, "addressedTo", node(A))
                continue
            G = by_name.get(who.lower())
            if G is None:
                G = agency_node(who, None)
                typ(G, "Agency")
                add(G, SKOS + "prefLabel", ox.Literal(who))
                warnings.append(f"recommendation {i}: addressee {who!r} is not among the report's agencies")
            add(C, "addressedTo", node(G))
        evidence(C, rec.paragraph, f"recommendation {i}")

    for w in [*report.warnings, *warnings]:
        text(R, "parserWarning", w)
    # a node reached twice gives the same triple twice: keep one
    out = list(dict.fromkeys(out))
    return Mapped(R, out, warnings)
