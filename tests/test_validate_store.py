"""Cross-report validation over a store: the summary graph (several CONSTRUCTs, see validate.py) holds
what one query with OPTIONALs over the union graph gives, and the store rules fire on it."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from ofsted_kg.validate import summary_graph_nt, validate_cross_report, validate_store

OKG = "https://w3id.org/ofsted-kg/ontology#"
R = "https://w3id.org/ofsted-kg/id/report/"

# The summary as a single query (what the CONSTRUCTs replace): the reference for the same triples.
ONE_QUERY = f"""
PREFIX okg: <{OKG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT {{
  ?r a okg:InspectionReport ; okg:sha256 ?h ; okg:reportOf ?i .
  ?i okg:inspectedAuthority ?a ; okg:framework ?fw ; okg:startDate ?start .
  ?a skos:prefLabel ?al .
  ?g a okg:Agency ; skos:prefLabel ?gl ; okg:agencyType ?gt .
}} WHERE {{
  {{ ?r a okg:InspectionReport ; okg:reportOf ?i . OPTIONAL {{ ?r okg:sha256 ?h }}
     ?i okg:inspectedAuthority ?a ; okg:framework ?fw . OPTIONAL {{ ?i okg:startDate ?start }}
     OPTIONAL {{ ?a skos:prefLabel ?al }} }}
  UNION {{ ?g a okg:Agency . OPTIONAL {{ ?g skos:prefLabel ?gl }} OPTIONAL {{ ?g okg:agencyType ?gt }} }}
}}"""


def _report(name: str, sha: str | None, start: str | None, agency_name: str, authority: str = "hampshire") -> str:
    g = f"{R}{name}"
    lines = [f"<{g}> a <{OKG}InspectionReport> ; <{OKG}reportOf> <{g}#inspection> .",
             f"<{g}#inspection> a <{OKG}Inspection> ; <{OKG}framework> <https://w3id.org/ofsted-kg/concept/framework/sif> ;"
             f" <{OKG}inspectedAuthority> <https://w3id.org/ofsted-kg/id/authority/{authority}> .",
             f"<https://w3id.org/ofsted-kg/id/agency/police-x> a <{OKG}Agency> ;"
             f" <http://www.w3.org/2004/02/skos/core#prefLabel> \"{agency_name}\" .",
             f"<https://w3id.org/ofsted-kg/id/authority/{authority}> <http://www.w3.org/2004/02/skos/core#prefLabel> \"{authority.title()}\" ."]
    if sha:
        lines.append(f"<{g}> <{OKG}sha256> \"{sha}\" .")
    if start:
        lines.append(f"<{g}#inspection> <{OKG}startDate> \"{start}\"^^<http://www.w3.org/2001/XMLSchema#date> .")
    return "\n".join(lines)


@pytest.fixture
def store():
    st = ox.Store()
    for name, sha, start, agency in (("a.txt", "a" * 64, "2014-01-01", "X Police"),
                                     ("b.pdf", "a" * 64, "2014-01-01", "Police X"),
                                     ("c.txt", None, None, "X Police")):
        st.load(_report(name, sha, start, agency).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(R + name))
    st.load(_report("d.txt", "d" * 64, "2015-01-01", "X Police", "unmatched/nowhere").replace(
        ' <http://www.w3.org/2004/02/skos/core#prefLabel> "Unmatched/Nowhere" .', ' <urn:x:nothing> "x" .').encode(),
        format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(R + "d.txt"))
    return st


def test_summary_holds_the_triples_of_the_single_query(store):
    got = {q.triple for q in ox.parse(summary_graph_nt(store).encode(), format=ox.RdfFormat.N_TRIPLES)}
    want = set(store.query(ONE_QUERY, use_default_graph_as_union=True))
    assert got == want and len(want) > 20


@pytest.mark.parametrize("engine", ["pyshacl", "pyshacl-turbo"])
def test_store_rules_fire_on_the_summary(store, engine):
    r = validate_cross_report(store, engine=engine)
    assert not r.conforms
    text = r.text()
    assert "report:a.txt: report report:a.txt has the same SHA-256 as report:b.pdf" in text
    assert "describe the same inspection (2014-01-01)" in text
    assert "reports name this agency differently" in text
    assert "inspected authority has no name" in text
    assert "report:c.txt" not in text


def test_validate_store_reports_every_graph_and_the_store_rules(store):
    results = validate_store(store)
    assert [r.label for r in results] == ["a.txt", "b.pdf", "c.txt", "d.txt", "whole store (cross-report rules)"]
