"""The two SHACL engines give the same verdicts: pyshacl (the reference) and pyshacl-turbo (the default,
see ofsted_kg.validate). For every shape fixture (passing and failing fragment) under every shapes file,
both engines report the same results: focus node, path, value, severity, message and constraint
component, for an rdflib graph and for the pyoxigraph store the build hands over."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import RDF, SH

from ofsted_kg.model import Report
from ofsted_kg.rdf_map import map_report
from ofsted_kg.validate import (ENGINE_ENV, EngineError, compiled_shapes, engine_name, rdflib_graph, run_shapes,
                                shapes_graph, validate_ntriples, validate_triples)

FIX = Path(__file__).parent / "fixtures"
SHAPE_FILES = ("report", "reference", "store")
FRAGMENTS = sorted(p for d in (FIX / "shapes").iterdir() if d.is_dir() for p in (d / "pass.ttl", d / "fail.ttl"))
KEYS = (SH.focusNode, SH.resultPath, SH.value, SH.resultSeverity, SH.resultMessage, SH.sourceConstraintComponent)


def _results(report: rdflib.Graph) -> list[tuple[str, ...]]:
    return sorted(tuple(str(report.value(r, k)) for k in KEYS) for r in report.subjects(RDF.type, SH.ValidationResult))


def _store(path: Path) -> ox.Store:
    st = ox.Store()
    st.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return st


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=[f"{p.parent.name}-{p.stem}" for p in FRAGMENTS])
def test_turbo_gives_pyshacls_results_on_every_fixture(fragment):
    """Same data to both: the parsed Turtle (with its prefixes, which show in generic messages) and the
    pyoxigraph store the build hands to turbo (no prefixes; pyshacl gets the same triples as rdflib)."""
    g = rdflib.Graph()
    g.parse(fragment, format="turtle")
    st = _store(fragment)
    for shapes in SHAPE_FILES:
        for data, same in ((g, g), (st, rdflib_graph(q.triple for q in st))):
            ref_conforms, ref_report, _ = pyshacl_validate(same, shacl_graph=shapes_graph(shapes), inference="none",
                                                           allow_warnings=True)
            conforms, report, _ = compiled_shapes(shapes).validate(data, allow_warnings=True)
            assert (conforms, _results(report)) == (ref_conforms, _results(ref_report)), (shapes, type(data).__name__)


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=[f"{p.parent.name}-{p.stem}" for p in FRAGMENTS])
def test_readable_lines_are_the_same_with_either_engine(fragment):
    g = rdflib.Graph()
    g.parse(fragment, format="turtle")
    base = "https://w3id.org/ofsted-kg/id/report/example.txt"
    for shapes in SHAPE_FILES:
        assert run_shapes(g, shapes, "x", base, engine="pyshacl-turbo") == run_shapes(g, shapes, "x", base,
                                                                                     engine="pyshacl")
        ref = run_shapes(_store(fragment), shapes, "x", base, engine="pyshacl")
        assert run_shapes(_store(fragment), shapes, "x", base, engine="pyshacl-turbo") == ref


def test_every_failing_fragment_gets_results_from_turbo():
    """Guards the comparison above against comparing empty reports only."""
    owner = {str(n).rsplit("#", 1)[1]: s for s in SHAPE_FILES for n in shapes_graph(s).subjects(RDF.type, SH.NodeShape)}
    for f in FRAGMENTS:
        if f.name == "fail.ttl":
            r = run_shapes(_store(f), owner[f.parent.name], "x", engine="pyshacl-turbo")
            assert r.violations or r.warnings, f


ILL_TYPED = """
@prefix okg: <https://w3id.org/ofsted-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:x:i> a okg:Inspection ; okg:framework <https://w3id.org/ofsted-kg/concept/framework/sif> ;
  okg:inspectedAuthority <https://w3id.org/ofsted-kg/id/authority/hampshire> ;
  okg:startDate "2014-13-45"^^xsd:date ; okg:endDate "soon"^^xsd:date .
<https://w3id.org/ofsted-kg/id/authority/hampshire> a okg:LocalAuthority .
<urn:x:p> a okg:Paragraph ; okg:paragraphNumber "twelve"^^xsd:integer ; okg:text "t" .
"""


def test_ill_typed_literals_fail_alike_through_the_store():
    g = rdflib.Graph()
    g.parse(data=ILL_TYPED, format="turtle")
    st = ox.Store()
    st.load(ILL_TYPED.encode(), format=ox.RdfFormat.TURTLE)
    ref = run_shapes(g, "report", "x", engine="pyshacl")
    assert len(ref.violations) == 3, ref.violations
    assert run_shapes(st, "report", "x", engine="pyshacl-turbo") == ref


REPORTS = sorted((FIX / "build-reports").glob("*.json")) + [FIX / "build-invalid" / "southampton-2014.json"]


@pytest.mark.parametrize("path", REPORTS, ids=[p.stem for p in REPORTS])
def test_mapped_reports_get_the_same_verdict(path):
    mapped = map_report(Report.from_dict(json.loads(path.read_text(encoding="utf-8"))))
    ref = validate_triples(mapped.triples, path.name, mapped.iri, engine="pyshacl")
    assert validate_triples(mapped.triples, path.name, mapped.iri, engine="pyshacl-turbo") == ref
    assert validate_ntriples(mapped.ntriples(), path.name, mapped.iri, engine="pyshacl-turbo") == ref
    assert ref.conforms == (path.parent.name == "build-reports")


@pytest.mark.parametrize("engine", ["pyshacl", "pyshacl-turbo"])
def test_each_focus_node_apart_with_repeated_runs(engine):
    """Regression (both engines cache compiled queries): a rule evaluated again on the next graph
    names only the inspection that breaks it."""
    g = rdflib.Graph()
    g.parse(FIX / "shapes" / "AreaFrameworkShape" / "pass.ttl", format="turtle")
    g.parse(data="""@prefix okg: <https://w3id.org/ofsted-kg/ontology#> .
        <urn:x:other> a okg:Inspection ; okg:framework <https://w3id.org/ofsted-kg/concept/framework/sif> ;
          okg:inspectedAuthority <https://w3id.org/ofsted-kg/id/authority/hampshire> ; okg:hasJudgement <urn:x:j> .
        <urn:x:j> a okg:Judgement ; okg:area <https://w3id.org/ofsted-kg/concept/area/ilacs.help-and-protection> ;
          okg:grade <https://w3id.org/ofsted-kg/concept/grade/good> .""", format="turtle")
    for _ in range(2):
        assert run_shapes(g, "report", "x", engine=engine).violations == [
            "urn:x:other: judgement area area:ilacs.help-and-protection is not an area of framework fw:sif "
            "(value urn:x:j)"]


def test_engine_chosen_by_argument_then_environment(monkeypatch):
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    assert engine_name() == "pyshacl-turbo"
    monkeypatch.setenv(ENGINE_ENV, "pyshacl")
    assert engine_name() == "pyshacl"
    assert engine_name("pyshacl-turbo") == "pyshacl-turbo"
    monkeypatch.setenv(ENGINE_ENV, "jena")
    with pytest.raises(EngineError, match="unknown SHACL engine 'jena'"):
        engine_name()


def test_shacl_option_picks_the_engine_for_the_command_only(tmp_path, capsys, monkeypatch):
    """`build/validate --shacl ENGINE`: the same verdicts and exit codes with either engine, the summary
    names the engine used, and the choice does not outlive the command."""
    from ofsted_kg.cli import main

    monkeypatch.setenv(ENGINE_ENV, "pyshacl-turbo")
    good = [str(p) for p in REPORTS if p.parent.name == "build-reports"]
    bad = [str(p) for p in REPORTS if p.parent.name == "build-invalid"]
    errs = {}
    for engine in ("pyshacl", "pyshacl-turbo"):
        store = tmp_path / engine
        assert main(["build", *good, *bad, "--store", str(store), "--quiet", "--shacl", engine]) == 3
        errs[engine] = capsys.readouterr().err
        assert main(["validate", "--store", str(store), "--shacl", engine]) == 0
        assert f"(SHACL engine: {engine})" in capsys.readouterr().err
        assert os.environ[ENGINE_ENV] == "pyshacl-turbo"
    assert errs["pyshacl"] == errs["pyshacl-turbo"] and bad[0].rsplit("/", 1)[1] in errs["pyshacl"]
    with pytest.raises(SystemExit) as e:
        main(["validate", "--store", str(tmp_path / "pyshacl"), "--shacl", "jena"])
    assert e.value.code == 64
