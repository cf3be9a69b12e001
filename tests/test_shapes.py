"""Every SHACL shape, Brick style: tests/fixtures/shapes/<Shape>/pass.ttl gives no result from the shape,
fail.ttl gives exactly the expected number of results with the expected message (expected.txt)."""
from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib.namespace import RDF, SH

from ofsted_kg.resources import resource_dir
from ofsted_kg.validate import shapes_graph

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPE_FILES = ("report", "reference", "store")
OKGSH = "https://w3id.org/ofsted-kg/shapes#"


def _shapes() -> dict[str, str]:
    """Shape local name -> the shapes file that defines it."""
    out = {}
    for name in SHAPE_FILES:
        for s in shapes_graph(name).subjects(RDF.type, SH.NodeShape):
            out[str(s)[len(OKGSH):]] = name
    return out


SHAPES = _shapes()


def test_every_shape_has_a_fixture_folder_and_every_folder_a_shape():
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert set(SHAPES) == folders


def test_shape_files_are_the_packaged_ones():
    assert {p.stem for p in resource_dir("shapes").glob("*.ttl")} == set(SHAPE_FILES)


def _results_of(shape: str, data: Path) -> list[tuple[str, str]]:
    sg = shapes_graph(SHAPES[shape])
    me = rdflib.URIRef(OKGSH + shape)
    mine = {me, *sg.objects(me, SH.property)}
    g = rdflib.Graph()
    g.parse(data, format="turtle")
    _, results, _ = validate(g, shacl_graph=sg, inference="none", allow_warnings=True)
    out = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(r, SH.sourceShape) in mine or any(
                results.value(r, SH.sourceShape) == o for o in mine):
            out.append((str(results.value(r, SH.focusNode)), str(results.value(r, SH.resultMessage))))
    return out


def _expected(shape: str) -> tuple[str, int]:
    lines = dict(line.split(": ", 1) for line in (FIXTURES / shape / "expected.txt").read_text().splitlines() if line)
    return lines["message"], int(lines["count"])


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shape_accepts_passing_fragment(shape):
    assert _results_of(shape, FIXTURES / shape / "pass.ttl") == []


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shape_rejects_failing_fragment_with_expected_message(shape):
    message, count = _expected(shape)
    results = _results_of(shape, FIXTURES / shape / "fail.ttl")
    assert len(results) == count, results
    assert all(message in m for _, m in results), results


def test_reference_data_conforms():
    from ofsted_kg.validate import validate_reference

    result = validate_reference()
    assert result.conforms, result.text()


def test_violations_are_readable_lines_without_full_iris():
    from ofsted_kg.validate import run_shapes

    g = rdflib.Graph()
    g.parse(FIXTURES / "GradeFrameworkShape" / "fail.ttl", format="turtle")
    result = run_shapes(g, "report", "example.txt", base="https://w3id.org/ofsted-kg/id/report/example.txt")
    assert not result.conforms
    assert "#inspection: grade grade:adequate is not used by framework fw:sif (judgement #j1)" in result.violations
    assert "https://" not in result.text().replace("https://w3id.org/ofsted-kg/id/report/other.txt", "")


def test_cached_sparql_translation_keeps_each_focus_node_apart():
    """Regression: validate.py caches rdflib's translation of SHACL-SPARQL queries; the cached query
    must still be evaluated per focus node ($this), so only the inspection that breaks a rule is named."""
    from ofsted_kg.validate import run_shapes

    g = rdflib.Graph()
    g.parse(FIXTURES / "AreaFrameworkShape" / "pass.ttl", format="turtle")
    g.parse(data="""@prefix okg: <https://w3id.org/ofsted-kg/ontology#> .
        <urn:x:other> a okg:Inspection ; okg:framework <https://w3id.org/ofsted-kg/concept/framework/sif> ;
          okg:inspectedAuthority <https://w3id.org/ofsted-kg/id/authority/hampshire> ; okg:hasJudgement <urn:x:j> .
        <urn:x:j> a okg:Judgement ; okg:area <https://w3id.org/ofsted-kg/concept/area/ilacs.help-and-protection> ;
          okg:grade <https://w3id.org/ofsted-kg/concept/grade/good> .""", format="turtle")
    for _ in range(2):  # the second run uses the cached translation
        result = run_shapes(g, "report", "x")
        assert result.violations == ["urn:x:other: judgement area area:ilacs.help-and-protection is not an area of "
                                     "framework fw:sif (value urn:x:j)"]
