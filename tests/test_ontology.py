"""The ontology: parses in rdflib and pyoxigraph, is versioned, every term has a label and a definition,
every code of the extract contract has its concept, and the cross-framework links hold together."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ofsted_kg import model
from ofsted_kg.iris import CONCEPT, OKG, ONTOLOGY
from ofsted_kg.resources import resource_dir

ONTO_FILE = resource_dir("ontology") / "ofsted-kg.ttl"
LINE = CONCEPT + "line/"


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(ONTO_FILE, format="turtle")
    return g


def test_parses_in_pyoxigraph_with_the_same_size(onto):
    store = ox.Store()
    store.load(path=str(ONTO_FILE), format=ox.RdfFormat.TURTLE)
    assert len(store) == len(onto) > 1000


def test_versioned_owl_ontology(onto):
    o = rdflib.URIRef(ONTOLOGY)
    assert (o, RDF.type, OWL.Ontology) in onto
    version_iri = onto.value(o, OWL.versionIRI)
    info = str(onto.value(o, OWL.versionInfo))
    assert version_iri is not None and str(version_iri).endswith("/" + info)


def test_every_term_has_label_and_definition(onto):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme)
    terms = {s for k in kinds for s in onto.subjects(RDF.type, k)}
    assert len(terms) > 150
    missing = [str(t) for t in terms
               if not (onto.value(t, RDFS.label) or onto.value(t, SKOS.prefLabel)) or not onto.value(t, SKOS.definition)]
    assert missing == []
    for t in terms:
        assert str(t).startswith(("https://w3id.org/ofsted-kg/",)), t


def test_terms_reuse_w3c_vocabularies(onto):
    parents = {str(o) for o in onto.objects(None, RDFS.subClassOf)}
    assert {"http://www.w3.org/ns/org#FormalOrganization", "http://www.w3.org/ns/prov#Activity",
            "http://www.w3.org/ns/prov#Entity", "http://www.w3.org/2004/02/skos/core#Concept"} <= parents


def _codes(onto, scheme: str) -> set[str]:
    ns = CONCEPT + scheme + "/"
    return {str(c)[len(ns):] for c in onto.subjects(SKOS.inScheme, rdflib.URIRef(ns))}


def test_model_codes_have_concepts(onto):
    assert set(model.FRAMEWORKS) <= _codes(onto, "framework")
    assert set(model.GRADES) <= _codes(onto, "grade")
    assert set(model.TIMESCALES) <= _codes(onto, "timescale")
    assert set(model.SECTIONS) <= _codes(onto, "section")


def test_every_schema_code_has_its_concept(onto, extract_schema):
    props = extract_schema["properties"]
    judg = props["judgements"]["items"]["properties"]
    rec = props["recommendations"]["items"]["properties"]
    assert set(props["framework"]["enum"]) == _codes(onto, "framework")
    assert set(judg["area"]["enum"]) == _codes(onto, "area")
    assert set(judg["grade"]["enum"]) == _codes(onto, "grade")
    assert {c for c in rec["timescale"]["enum"] if c} == _codes(onto, "timescale")
    assert {c for c in rec["section"]["enum"] if c} == _codes(onto, "section")
    assert set(rec["themes"]["items"]["enum"]) == _codes(onto, "theme")


def test_shapes_allow_exactly_the_ontology_areas_and_grades(onto):
    from ofsted_kg.validate import shapes_graph

    sg = shapes_graph("report")
    allowed = set()
    for lst in sg.objects(None, rdflib.URIRef("http://www.w3.org/ns/shacl#in")):
        allowed |= {str(x) for x in rdflib.collection.Collection(sg, lst)}
    for scheme in ("area", "grade", "framework", "timescale", "section", "theme", "agency-type"):
        concepts = {CONCEPT + f"{scheme}/" + c for c in _codes(onto, scheme)}
        assert concepts <= allowed, scheme
    area_ns = CONCEPT + "area/"
    assert {a for a in allowed if a.startswith(area_ns)} == {area_ns + c for c in _codes(onto, "area")}


def test_agency_types_of_the_mapping_are_concepts(onto):
    from ofsted_kg.rdf_map import AGENCY_TYPES

    assert set(AGENCY_TYPES) == _codes(onto, "agency-type")


def test_every_area_belongs_to_its_framework_and_a_line(onto):
    for code in _codes(onto, "area"):
        a = rdflib.URIRef(CONCEPT + "area/" + code)
        fw = str(onto.value(a, rdflib.URIRef(OKG + "framework")))
        assert fw == CONCEPT + "framework/" + code.split(".")[0]
        lines = [str(x) for x in onto.objects(a, SKOS.broadMatch)]
        assert lines and all(x.startswith(LINE) for x in lines), code
        assert str(onto.value(a, SKOS.prefLabel))[0].isupper()


def test_cross_framework_lines_reach_every_framework(onto):
    def frameworks_on(line: str) -> set[str]:
        q = f"""SELECT DISTINCT ?fw WHERE {{ ?a <{SKOS.broadMatch}> <{LINE}{line}> ; <{OKG}framework> ?fw }}"""
        return {str(r[0]).rsplit("/", 1)[1] for r in onto.query(q)}

    assert frameworks_on("overall-effectiveness") == {"slac", "lac2012", "sif", "ilacs"}
    assert frameworks_on("help-and-protection") == {"slac", "sif", "ilacs"}
    assert frameworks_on("children-in-care") == {"slac", "lac2012", "sif", "ilacs"}
    assert frameworks_on("leadership-and-management") == {"slac", "lac2012", "sif", "ilacs"}
    assert "slac" in frameworks_on("partnership-working") and "sif" in frameworks_on("partnership-working")
    # closeMatch only links areas of different frameworks
    for a, b in onto.subject_objects(SKOS.closeMatch):
        fa, fb = (onto.value(x, rdflib.URIRef(OKG + "framework")) for x in (a, b))
        assert fa is not None and fb is not None
        assert fa != fb or str(a).startswith(CONCEPT + "area/ilacs"), (a, b)


def test_grade_ranks_and_framework_use(onto):
    rank = {c: int(onto.value(rdflib.URIRef(CONCEPT + "grade/" + c), rdflib.URIRef(OKG + "gradeRank")))
            for c in _codes(onto, "grade")}
    assert rank == {"outstanding": 1, "good": 2, "adequate": 3, "requires-improvement": 3, "inadequate": 4}
    used = {str(o).rsplit("/", 1)[1] for o in onto.objects(rdflib.URIRef(CONCEPT + "grade/adequate"),
                                                             rdflib.URIRef(OKG + "usedInFramework"))}
    assert used == {"slac", "lac2012"}


def test_jsonld_context_is_local_and_covers_the_prefixes():
    ctx = json.loads((resource_dir("ontology") / "context.jsonld").read_text())
    assert isinstance(ctx["@context"], dict)
    assert ctx["@context"]["okg"] == OKG
    assert ctx["@context"]["evidence"] == {"@id": "okg:evidence", "@type": "@id"}


def test_reference_authorities_link_to_regions_and_neighbours():
    store = ox.Store()
    store.load(path=str(resource_dir("reference") / "authorities.ttl"), format=ox.RdfFormat.TURTLE)
    q = f"""PREFIX okg: <{OKG}> PREFIX skos: <{SKOS}>
        SELECT ?urn ?dfe ?ons ?region (COUNT(?n) AS ?neighbours) WHERE {{
          ?a skos:prefLabel "Hampshire" ; okg:ofstedURN ?urn ; okg:dfeCode ?dfe ; okg:onsCode ?ons ;
             okg:region/skos:prefLabel ?region ; okg:statisticalNeighbour ?n . }} GROUP BY ?urn ?dfe ?ons ?region"""
    rows = [[t.value for t in r] for r in store.query(q)]
    assert rows == [["80472", "850", "E10000014", "South East", "10"]]
    n = list(store.query(f"SELECT (COUNT(?a) AS ?n) WHERE {{ ?a a <{OKG}LocalAuthority> }}"))[0][0].value
    assert int(n) >= 150
