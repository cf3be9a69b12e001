"""Report -> RDF mapping, Morph-KGC style: one folder per case in tests/fixtures/rdf/<case>/ with the
parsed report (input.json), the expected named graph (expected.trig, compared by isomorphism) and the
warnings the mapping must give (expected-warnings.txt)."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from ofsted_kg.model import Report
from ofsted_kg.rdf_map import map_report, match_authority, name_key
from ofsted_kg.validate import validate_triples

CASES = sorted(p for p in (Path(__file__).parent / "fixtures" / "rdf").iterdir() if p.is_dir())


def _load(case: Path) -> Report:
    return Report.from_dict(json.loads((case / "input.json").read_text(encoding="utf-8")))


def _graph(nt: str) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=nt, format="nt")
    return g


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_mapping_matches_expected_graph(case):
    mapped = map_report(_load(case))
    expected = rdflib.Dataset()
    expected.parse(case / "expected.trig", format="trig")
    names = [g.identifier for g in expected.graphs() if len(g)]
    assert [str(n) for n in names] == [mapped.iri], "one named graph, named by the report IRI"
    got = _graph(mapped.ntriples())
    want = expected.graph(names[0])
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(f"graphs differ\nonly in mapping:\n{only_got.serialize(format='nt')}\n"
                    f"only in expected:\n{only_want.serialize(format='nt')}")
    expected_warnings = (case / "expected-warnings.txt").read_text(encoding="utf-8").splitlines()
    assert mapped.warnings == expected_warnings


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_case_conforms_to_the_shapes(case):
    mapped = map_report(_load(case))
    result = validate_triples(mapped.triples, case.name, mapped.iri)
    assert result.conforms, result.text()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_mapping_twice_gives_the_same_bytes(case):
    assert map_report(_load(case)).ntriples() == map_report(_load(case)).ntriples()


def test_ntriples_load_into_pyoxigraph_unchanged():
    mapped = map_report(_load(CASES[0]))
    store = ox.Store()
    store.load(mapped.ntriples().encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(mapped.iri))
    assert len(store) == len(mapped.triples)


def test_evidence_points_to_paragraph_number_and_text():
    mapped = map_report(_load(Path(__file__).parent / "fixtures" / "rdf" / "slac-full"))
    g = _graph(mapped.ntriples())
    rows = list(g.query("""PREFIX okg: <https://w3id.org/ofsted-kg/ontology#>
        SELECT ?n ?text WHERE { ?j a okg:Judgement ; okg:area ?a ; okg:evidence ?p . ?p okg:paragraphNumber ?n ; okg:text ?text
        FILTER(STRENDS(STR(?a), "partnership-working")) }"""))
    assert [(int(n), str(t)[:20]) for n, t in rows] == [(12, "Partnership working ")]


def test_per_area_board_is_minted_under_its_authority():
    mapped = map_report(_load(Path(__file__).parent / "fixtures" / "rdf" / "slac-full"))
    agencies = {str(t.object.value) for t in mapped.triples if t.predicate.value.endswith("#agency")}
    assert "https://w3id.org/ofsted-kg/id/authority/wiltshire/agency/local-safeguarding-children-board" in agencies
    assert "https://w3id.org/ofsted-kg/id/agency/wiltshire-police" in agencies


@pytest.mark.parametrize("name,official,expected", [
    ("Hammersmith and Fulham", None, "hammersmith-and-fulham"),
    ("", "London Borough of Hammersmith & Fulham", "hammersmith-and-fulham"),
    ("Bristol", None, "bristol-city-of"),
    ("County Durham", None, "durham"),
    ("Kingston upon Hull", "Kingston upon Hull City Council", "kingston-upon-hull-city-of"),
    ("Kingston upon Thames", None, "kingston-upon-thames"),
    ("St. Helens", None, "st-helens"),
    ("Nowhere Invented", None, None),
])
def test_authority_matching(name, official, expected):
    got = match_authority(name, official)
    assert (got.rsplit("/", 1)[1] if got else None) == expected


def test_name_key_drops_council_words_only():
    assert name_key("Royal Borough of Kingston upon Thames") == "kingston upon thames"
    assert name_key("Isle of Wight Council") == name_key("Isle of Wight")
