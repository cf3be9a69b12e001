"""The IRIs of the knowledge graph: namespaces and the rules that mint instance IRIs.

Base IRI: ``https://w3id.org/ofsted-kg/`` (documented in ontology/README.md).

- ``…/ontology#Term``                    classes and properties (prefix ``okg:``)
- ``…/concept/<scheme>/<code>``           SKOS concepts: framework, area, line, grade, timescale,
                                          section, agency-type, theme, region
- ``…/id/authority/<slug>``               local authorities (slug of the reference name); authorities
                                          not in the reference list: ``…/id/authority/unmatched/<slug>``
- ``…/id/report/<slug of file name>``     a report; also the name of the graph holding it; its parts are
                                          fragments: ``#inspection``, ``#judgement-<area>``,
                                          ``#recommendation-<n>``, ``#paragraph-<n>``, ``#mention-<key>``
- ``…/id/agency/<slug>``                  agencies, shared across reports; per-area agencies (safeguarding
                                          boards, children's trusts, councils) whose name does not say which
                                          area: ``…/id/authority/<slug>/agency/<slug>``
- ``…/id/inspector/<slug>``               inspectors
- ``…/graph/ontology``, ``…/graph/reference``, ``…/graph/build-log``   the non-report graphs

Every IRI is a pure function of the parsed report (never of time or order of processing), so
building twice gives the same graph.
"""
from __future__ import annotations

import re
import unicodedata

BASE = "https://w3id.org/ofsted-kg/"
OKG = BASE + "ontology#"
ONTOLOGY = BASE + "ontology"
CONCEPT = BASE + "concept/"
ID = BASE + "id/"
GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_REFERENCE = BASE + "graph/reference"
GRAPH_BUILD_LOG = BASE + "graph/build-log"
BUILD_LATEST = ID + "build/latest"

PREFIXES = {
    "okg": OKG,
    "fw": CONCEPT + "framework/",
    "area": CONCEPT + "area/",
    "line": CONCEPT + "line/",
    "grade": CONCEPT + "grade/",
    "timescale": CONCEPT + "timescale/",
    "section": CONCEPT + "section/",
    "agencytype": CONCEPT + "agency-type/",
    "theme": CONCEPT + "theme/",
    "region": CONCEPT + "region/",
    "authority": ID + "authority/",
    "report": ID + "report/",
    "agency": ID + "agency/",
    "inspector": ID + "inspector/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


def slug(text: str) -> str:
    """Lower-case ASCII words joined by '-': 'Hammersmith & Fulham' -> 'hammersmith-and-fulham'."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    t = t.lower().replace("&", " and ").replace("'", "")
    t = re.sub(r"[^a-z0-9]+", "-", t).strip("-")
    return t or "unnamed"


def file_slug(name: str) -> str:
    """A file name made safe for an IRI path segment; keeps case-insensitive uniqueness of usual names."""
    t = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    t = re.sub(r"[^a-z0-9._-]+", "-", t).strip("-")
    return t or "unnamed"


def code_segment(code: str) -> str:
    """A code as an IRI segment: schema codes are kept as they are; anything else is made IRI-safe."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", code) or "unnamed"


def concept(scheme: str, code: str) -> str:
    return f"{CONCEPT}{scheme}/{code_segment(code)}"


def authority_iri(reference_name: str) -> str:
    return f"{ID}authority/{slug(reference_name)}"


def unmatched_authority_iri(name: str) -> str:
    return f"{ID}authority/unmatched/{slug(name)}"


def region_iri(ons_code: str) -> str:
    return f"{CONCEPT}region/{ons_code}"


def report_iri(source: str) -> str:
    return f"{ID}report/{file_slug(source)}"


def agency_iri(name: str, authority: str | None = None) -> str:
    if authority:
        return f"{authority}/agency/{slug(name)}"
    return f"{ID}agency/{slug(name)}"


def inspector_iri(name: str) -> str:
    return f"{ID}inspector/{slug(name)}"
