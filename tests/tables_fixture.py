"""The invented reports of tests/fixtures/tables/reports.json mapped into a store as a build does
(ontology and reference graphs, one named graph per report), for the theme query and export tests."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from ofsted_kg import store as S
from ofsted_kg.model import Report
from ofsted_kg.rdf_map import map_report
from ofsted_kg.resources import resource_dir

FX = Path(__file__).resolve().parent / "fixtures" / "tables"


def reports() -> list[Report]:
    return [Report.from_dict(d) for d in json.loads((FX / "reports.json").read_text(encoding="utf-8"))]


def fill(st: ox.Store) -> ox.Store:
    S.load_static(st)
    for r in reports():
        m = map_report(r)
        S.replace_graph(st, m.iri, m.ntriples())
    return st


def labels(scheme: str) -> dict[str, str]:
    """Code -> label of the ontology's concepts of one scheme ('theme', 'area', 'grade', 'agency-type', ...)."""
    g = ox.Store()
    g.load(path=str(resource_dir("ontology") / "ofsted-kg.ttl"), format=ox.RdfFormat.TURTLE)
    base = f"https://w3id.org/ofsted-kg/concept/{scheme}/"
    out = {}
    for row in g.query("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"):
        if row["s"].value.startswith(base) and row["s"].value != base:
            out[row["s"].value[len(base):]] = row["l"].value
    return out
