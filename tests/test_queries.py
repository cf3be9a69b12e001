"""The named questions of queries/*.rq, the query API and the query/sparql commands.

The fixture graph is tests/fixtures/queries/reports.json: invented reports (model.Report dicts) mapped
with rdf_map into an in-memory store with the ontology and reference graphs, as a build does. It has
Kent (SLAC 2010, SIF 2014 stored twice: .pdf and .txt), Medway (SLAC 2011, ILACS 2022) and an
authority outside the reference list (Atlantis, ILACS 2019). Every expected row below was worked out
by hand from that file; rows are compared as multisets, list cells ('a; b') as sets.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, shared_path
from ofsted_kg import query as Q
from ofsted_kg import store as S
from ofsted_kg.model import Report
from ofsted_kg.rdf_map import map_report

FX = FIXTURES / "queries"
MINE = ["agency-co-mentions", "agency-profile", "authority-timeline", "grade-changes", "grade-distribution",
        "inadequate-judgements", "inspectors", "judgement-evidence", "latest-grades",
        "partners-in-outstanding-partnership", "recommendations-by-grade", "recommendations-by-timescale",
        "recommendations-to-agency", "recurring-agencies", "reports-per-year", "search", "shared-partners",
        "statistical-neighbours"]
ISSUE_PARAMS = {  # names fixed by issue 4: scripts and users call them
    "partners-in-outstanding-partnership": {"area", "grade", "min_reports"},
    "authority-timeline": {"authority"},
    "recurring-agencies": {"min_authorities"},
    "agency-profile": {"agency"},
    "recommendations-by-timescale": {"timescale"},
    "recommendations-to-agency": {"agency", "agency_type"},
    "search": {"text"},
    "judgement-evidence": {"authority", "area", "date"},
    "statistical-neighbours": {"authority"},
}
LIST_SEP = ("; ", " | ")


def _reports() -> list[Report]:
    return [Report.from_dict(d) for d in json.loads((FX / "reports.json").read_text(encoding="utf-8"))]


def fixture_store(extra_trig: Path | None = None) -> ox.Store:
    st = ox.Store()
    S.load_static(st)
    for r in _reports():
        m = map_report(r)
        S.replace_graph(st, m.iri, m.ntriples())
    if extra_trig:
        st.load(path=str(extra_trig), format=ox.RdfFormat.TRIG)
    return st


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return fixture_store()


def _norm(v):
    if isinstance(v, str):
        for sep in LIST_SEP:
            if sep in v:
                return frozenset(v.split(sep))
    return v


def bag(rows: list[dict]) -> Counter:
    return Counter(tuple(sorted((k, _norm(v)) for k, v in r.items())) for r in rows)


def check(store, name, params, expected, columns):
    res = Q.run(name, params, store=store)
    assert res.columns == columns
    assert bag(res.rows) == bag([dict(zip(columns, e)) for e in expected])
    return res


# ------------------------------------------------------------------------------------------- library

def test_every_query_has_a_header_and_its_params_in_select():
    qs = {q.name: q for q in Q.list_queries()}
    for name in MINE + [n for n in qs if n.endswith("-violation")]:
        q = qs[name]
        assert q.title and q.description, name
        text = q.text
        select = text[text.index("SELECT"):text.index("WHERE")]
        for p in q.params:
            assert f"?{p.name}" in select, f"{name}: parameter {p.name} must be in the SELECT clause"
    for name, params in ISSUE_PARAMS.items():
        assert params <= {p.name for p in qs[name].params}, name


def test_bench_floors_read_only_what_their_query_reads(store):
    """bench/query_floor.py says a query cannot be faster than its floor (bench/floors/NAME.rq): true only
    while the floor reads nothing its query does not. Each floor names an existing query, uses only
    predicates that query's text uses, and runs on the fixture store (with rows where its query has rows)."""
    import re

    floors = sorted((Path(__file__).resolve().parent.parent / "bench" / "floors").glob("*.rq"))
    assert floors
    prefixes = {"okg": "https://w3id.org/ofsted-kg/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#",
                "dcterms": "http://purl.org/dc/terms/"}

    def predicates(text: str) -> set[str]:
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "PREFIX")))
        return {prefixes[p] + local for p, local in re.findall(r"\b(okg|skos|dcterms):([A-Za-z]+)\b", body)}

    for path in floors:
        text = path.read_text(encoding="utf-8")
        name = re.search(r"^# floor of: (\S+)", text, re.M).group(1)
        query = Q.get_query(name)
        extra = predicates(text) - predicates(query.text)
        assert not extra, f"{path.name} reads {sorted(extra)}, which {name} does not"
        floor_rows = Q.run_sparql(text, {}, store=store).rows
        if Q.run(name, {}, store=store).rows:  # (the fixture has no recommendation themes)
            assert floor_rows, path.name


def test_header_parsing(tmp_path):
    p = tmp_path / "x.rq"
    p.write_text('# title: T\n# description: D\n# param: a (integer, 3) the a\n# param: b (string, required) bee\n'
                 '# param: c (string, "") sea\nSELECT ?a ?b ?c WHERE {}\n')
    q = Q.parse_header(p)
    assert (q.title, q.description) == ("T", "D")
    assert [(x.name, x.type, x.default, x.required) for x in q.params] == [
        ("a", "integer", "3", False), ("b", "string", None, True), ("c", "string", "", False)]
    p.write_text("# param: a (float, 1) bad type\nSELECT ?a WHERE {}\n")
    with pytest.raises(Q.QueryError):
        Q.parse_header(p)


def test_unknown_query_and_missing_or_bad_params_name_what_exists(store):
    with pytest.raises(Q.UnknownQuery) as e:
        Q.run("no-such-question", store=store)
    assert "authority-timeline" in str(e.value)
    with pytest.raises(Q.ParamError, match="needs authority"):
        Q.run("authority-timeline", {}, store=store)
    with pytest.raises(Q.ParamError, match="has no parameter colour"):
        Q.run("authority-timeline", {"authority": "Kent", "colour": "red"}, store=store)
    with pytest.raises(Q.ParamError, match="not an integer"):
        Q.run("recurring-agencies", {"min_authorities": "2; DROP ALL"}, store=store)
    with pytest.raises(Q.UnknownQuery):
        Q.get_query("../queries/search")


# ----------------------------------------------------------------------------- canned queries (fixture)

def test_partners_in_outstanding_partnership(store):
    cols = ["kind", "agency", "agency_type", "inspections", "authorities", "authority_names"]
    km = "Kent; Medway"
    check(store, "partners-in-outstanding-partnership", {}, [
        ("agency", "Kent Police", "police", 2, 2, km),
        ("agency", "Coastal NHS Trust", "nhs-trust", 2, 2, km),
        ("agency type", "", "police", 2, 2, km),
        ("agency type", "", "nhs-trust", 2, 2, km),
        ("agency type", "", "safeguarding-board", 2, 2, km),   # each authority's own board: same type
    ], cols)
    # the SIF review of the LSCB matches the partnership-working line too
    check(store, "partners-in-outstanding-partnership", {"grade": "good", "min_reports": 1}, [
        ("agency", "Kent Police", "police", 1, 1, "Kent"),
        ("agency", "Harbour Voice", "voluntary", 1, 1, "Kent"),
        ("agency type", "", "police", 1, 1, "Kent"),
        ("agency type", "", "voluntary", 1, 1, "Kent"),
    ], cols)
    res = Q.run("partners-in-outstanding-partnership", {"include_inspectorates": "true", "min_reports": 1}, store=store)
    assert ("Ofsted", "inspectorate") in {(r["agency"], r["agency_type"]) for r in res.rows}


def test_grade_distribution(store):
    cols = ["framework", "area", "grade", "inspections"]
    check(store, "grade-distribution", {}, [
        ("ilacs", "ilacs.children-in-care-and-care-leavers", "good", 2),
        ("ilacs", "ilacs.help-and-protection", "outstanding", 1),
        ("ilacs", "ilacs.help-and-protection", "inadequate", 1),
        ("ilacs", "ilacs.impact-of-leaders", "good", 1),
        ("ilacs", "ilacs.impact-of-leaders", "requires-improvement", 1),
        ("ilacs", "ilacs.overall-effectiveness", "good", 1),
        ("ilacs", "ilacs.overall-effectiveness", "inadequate", 1),
        ("sif", "sif.help-and-protection", "requires-improvement", 1),   # stored twice, counted once
        ("sif", "sif.lscb-effectiveness", "good", 1),
        ("sif", "sif.overall-effectiveness", "requires-improvement", 1),
        ("slac", "slac.looked-after.overall-effectiveness", "good", 2),
        ("slac", "slac.looked-after.staying-safe", "inadequate", 1),
        ("slac", "slac.safeguarding.overall-effectiveness", "good", 1),
        ("slac", "slac.safeguarding.overall-effectiveness", "adequate", 1),
        ("slac", "slac.safeguarding.partnership-working", "outstanding", 2),
    ], cols)
    res = Q.run("grade-distribution", {"in_framework": "sif"}, store=store)
    assert {r["framework"] for r in res.rows} == {"sif"} and len(res.rows) == 3


def test_authority_timeline_counts_an_inspection_stored_twice_once(store):
    cols = ["authority_name", "framework", "start_date", "end_date", "inspection_type", "headline_grades", "reports"]
    exp = [
        ("Kent", "slac", "2010-03-01", "2010-03-12", None,
         "slac.safeguarding.overall-effectiveness: good; slac.looked-after.overall-effectiveness: good", "kent_slac_2010.txt"),
        ("Kent", "sif", "2014-05-06", "2014-05-29", None, "sif.overall-effectiveness: requires-improvement",
         "kent_sif_2014.pdf; kent_sif_2014.txt"),
    ]
    res = check(store, "authority-timeline", {"authority": "Kent"}, exp, cols)
    assert [r["start_date"] for r in res.rows] == ["2010-03-01", "2014-05-06"]  # oldest first
    for spelling in ("kent county council", "KENT", "kent", "Kent County Council"):
        assert Q.run("authority-timeline", {"authority": spelling}, store=store).rows == res.rows
    atl = Q.run("authority-timeline", {"authority": "Atlantis"}, store=store).rows
    assert [(r["framework"], r["headline_grades"]) for r in atl] == [("ilacs", "ilacs.overall-effectiveness: inadequate")]


def test_grade_changes(store):
    cols = ["authority", "from_framework", "from_date", "from_grade", "to_framework", "to_date", "to_grade", "direction"]
    check(store, "grade-changes", {}, [
        ("Kent", "slac", "2010-03-01", "good", "sif", "2014-05-06", "requires-improvement", "declined"),
        ("Medway", "slac", "2011-01-10", "adequate", "ilacs", "2022-02-07", "good", "improved"),  # worst of SLAC's two
    ], cols)
    check(store, "grade-changes", {"line": "help-and-protection"}, [
        ("Kent", "slac", "2010-03-01", "good", "sif", "2014-05-06", "requires-improvement", "declined"),
        ("Medway", "slac", "2011-01-10", "adequate", "ilacs", "2022-02-07", "outstanding", "improved"),
    ], cols)


def test_inadequate_judgements(store):
    cols = ["authority", "framework", "start_date", "inadequate_areas", "areas", "reports"]
    check(store, "inadequate-judgements", {}, [
        ("Atlantis", "ilacs", "2019-06-03", 2, "ilacs.overall-effectiveness; ilacs.help-and-protection",
         "atlantis_ilacs_2019.txt"),
        ("Kent", "slac", "2010-03-01", 1, "slac.looked-after.staying-safe", "kent_slac_2010.txt"),
    ], cols)


def test_recurring_agencies_keep_per_area_boards_apart(store):
    cols = ["agency", "agency_type", "authorities", "inspections", "authority_names"]
    check(store, "recurring-agencies", {}, [
        ("Kent Police", "police", 2, 3, "Kent; Medway"),
        ("Coastal NHS Trust", "nhs-trust", 2, 2, "Kent; Medway"),
        ("Harbour Voice", "voluntary", 2, 2, "Kent; Medway"),
    ], cols)
    check(store, "recurring-agencies", {"min_authorities": 3, "include_inspectorates": True}, [], cols)
    check(store, "recurring-agencies", {"min_authorities": 2, "include_inspectorates": True}, [
        ("Kent Police", "police", 2, 3, "Kent; Medway"),
        ("Coastal NHS Trust", "nhs-trust", 2, 2, "Kent; Medway"),
        ("Harbour Voice", "voluntary", 2, 2, "Kent; Medway"),
        ("Ofsted", "inspectorate", 2, 2, "Kent; Atlantis"),
    ], cols)


def test_shared_partners(store):
    cols = ["authority_1", "authority_2", "shared", "agencies"]
    check(store, "shared-partners", {}, [("Kent", "Medway", 3, "Coastal NHS Trust; Harbour Voice; Kent Police")], cols)
    check(store, "shared-partners", {"min_shared": 4}, [], cols)
    check(store, "shared-partners", {"include_inspectorates": "true"}, [
        ("Kent", "Medway", 3, "Coastal NHS Trust; Harbour Voice; Kent Police"),
        ("Atlantis", "Kent", 1, "Ofsted")], cols)


def test_agency_profile(store):
    cols = ["agency_name", "authority", "framework", "start_date", "mentions", "headline_grades", "recommendations",
            "recommendations_to_agency"]
    exp = [
        ("Kent Police", "Kent", "slac", "2010-03-01", 2,
         "slac.safeguarding.overall-effectiveness: good; slac.looked-after.overall-effectiveness: good", 1,
         "Kent Police and the council to agree joint visits"),
        ("Kent Police", "Kent", "sif", "2014-05-06", 1, "sif.overall-effectiveness: requires-improvement", 0, ""),
        ("Kent Police", "Medway", "slac", "2011-01-10", 1,
         "slac.safeguarding.overall-effectiveness: adequate; slac.looked-after.overall-effectiveness: good", 0, ""),
    ]
    check(store, "agency-profile", {"agency": "kent police"}, exp, cols)
    check(store, "agency-profile", {"agency": "The Invented Constabulary"}, exp, cols)  # another name
    check(store, "agency-profile", {"agency": "kent-police"}, exp, cols)  # IRI slug


def test_recommendations_by_timescale(store):
    cols = ["authority", "framework", "start_date", "position", "when", "section", "text"]
    check(store, "recommendations-by-timescale", {}, [
        ("Kent", "slac", "2010-03-01", 1, "immediately", "safeguarding", "Kent Police and the council to agree joint visits"),
        ("Kent", "sif", "2014-05-06", 1, "immediately", None, "Make sure every invented plan is reviewed"),  # once
        ("Medway", "slac", "2011-01-10", 1, "immediately", "looked-after",
         "Coastal NHS Trust to speed up invented health assessments"),
    ], cols)
    check(store, "recommendations-by-timescale", {"timescale": "within-3-months"}, [
        ("Kent", "slac", "2010-03-01", 2, "within-3-months", "looked-after", "Improve supervision of invented casework"),
    ], cols)


def test_recommendations_to_agency(store):
    cols = ["authority", "framework", "start_date", "position", "addressee", "addressee_type", "when", "text"]
    coastal = ("Medway", "slac", "2011-01-10", 1, "Coastal NHS Trust", "nhs-trust", "immediately",
               "Coastal NHS Trust to speed up invented health assessments")
    police = ("Kent", "slac", "2010-03-01", 1, "Kent Police", "police", "immediately",
              "Kent Police and the council to agree joint visits")
    council = ("Kent", "slac", "2010-03-01", 2, "Kent", "local-authority", "within-3-months",
               "Improve supervision of invented casework")
    check(store, "recommendations-to-agency", {"agency_type": "health"}, [coastal], cols)
    check(store, "recommendations-to-agency", {"agency_type": "police"}, [police], cols)
    check(store, "recommendations-to-agency", {"agency": "KENT POLICE"}, [police], cols)
    check(store, "recommendations-to-agency", {"agency_type": "local-authority"}, [council], cols)
    check(store, "recommendations-to-agency", {}, [coastal, police, council], cols)


def test_search(store):
    cols = ["authority", "framework", "start_date", "kind", "number", "found"]
    check(store, "search", {"text": "MISSING FROM HOME"}, [
        ("Medway", "slac", "2011-01-10", "paragraph", 2, "Coastal NHS Trust and Harbour Voice reach children missing from home."),
        ("Kent", "slac", "2010-03-01", "paragraph", 2,
         "Kent Police, Coastal NHS Trust and the Local Safeguarding Children Board work well together on missing from home cases."),
    ], cols)
    check(store, "search", {"text": "every invented plan"}, [  # stored twice, found once
        ("Kent", "sif", "2014-05-06", "recommendation", 1, "Make sure every invented plan is reviewed")], cols)


def test_judgement_evidence(store):
    cols = ["authority_name", "framework", "start_date", "area_code", "grade", "evidence_kind", "paragraph", "heading", "text"]
    check(store, "judgement-evidence", {"authority": "kent", "area": "help-and-protection"}, [
        ("Kent", "slac", "2010-03-01", "slac.safeguarding.overall-effectiveness", "good", "record-of-main-findings", 1,
         "Overall effectiveness", "Ofsted found invented safeguarding practice to be good overall."),
        ("Kent", "sif", "2014-05-06", "sif.help-and-protection", "requires-improvement", "summary-table", 1, "Summary",
         "Kent Police and Harbour Voice support invented families who need help."),
    ], cols)
    res = Q.run("judgement-evidence", {"authority": "Kent", "date": "2014"}, store=store)
    assert sorted(r["area_code"] for r in res.rows) == ["sif.help-and-protection", "sif.lscb-effectiveness",
                                                        "sif.overall-effectiveness"]
    assert {r["paragraph"] for r in res.rows if r["area_code"] == "sif.lscb-effectiveness"} == {None}


def test_agency_co_mentions(store):
    cols = ["agency_1", "type_1", "agency_2", "type_2", "weight", "reports", "authorities"]
    lscb = "Local Safeguarding Children Board"
    check(store, "agency-co-mentions", {}, [
        ("Coastal NHS Trust", "nhs-trust", "Kent Police", "police", 2, 2, 2),
        ("Coastal NHS Trust", "nhs-trust", lscb, "safeguarding-board", 1, 1, 1),   # Kent's board
        ("Coastal NHS Trust", "nhs-trust", lscb, "safeguarding-board", 1, 1, 1),   # Medway's board
        ("Kent Police", "police", lscb, "safeguarding-board", 1, 1, 1),
        ("Kent Police", "police", lscb, "safeguarding-board", 1, 1, 1),
        ("Harbour Voice", "voluntary", "Kent Police", "police", 1, 1, 1),          # SIF 2014 counted once
        ("Coastal NHS Trust", "nhs-trust", "Harbour Voice", "voluntary", 1, 1, 1),
    ], cols)
    check(store, "agency-co-mentions", {"min_weight": 2}, [("Coastal NHS Trust", "nhs-trust", "Kent Police", "police", 2, 2, 2)], cols)


def test_latest_grades(store):
    cols = ["authority", "region_name", "framework", "start_date", "overall_effectiveness", "help_and_protection",
            "children_in_care", "care_leavers", "leadership"]
    kent = ("Kent", "South East", "sif", "2014-05-06", "requires-improvement", "requires-improvement", "", "", "")
    medway = ("Medway", "South East", "ilacs", "2022-02-07", "good", "outstanding", "good", "good", "good")
    check(store, "latest-grades", {}, [
        ("Atlantis", "", "ilacs", "2019-06-03", "inadequate", "inadequate", "good", "good", "requires-improvement"),
        kent, medway], cols)
    check(store, "latest-grades", {"region": "south east"}, [kent, medway], cols)
    check(store, "latest-grades", {"region": "London"}, [], cols)


def test_statistical_neighbours(store):
    ref = ox.NamedNode("https://w3id.org/ofsted-kg/graph/reference")
    okg = "https://w3id.org/ofsted-kg/ontology#"
    kent = ox.NamedNode("https://w3id.org/ofsted-kg/id/authority/kent")
    label = {}
    for q in store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), None, ref):
        label[q.subject.value] = q.object.value
    neighbours = [q.object.value for q in store.quads_for_pattern(kent, ox.NamedNode(okg + "statisticalNeighbour"), None, ref)]
    assert len(neighbours) == 10
    exp = [("authority", "Kent", "sif", "2014-05-06", "requires-improvement", "requires-improvement")]
    for n in neighbours:
        if n.endswith("/medway"):
            exp.append(("neighbour", "Medway", "ilacs", "2022-02-07", "good", "outstanding"))
        else:
            exp.append(("neighbour", label[n], "", "", "", ""))
    cols = ["role", "authority_name", "framework", "start_date", "overall_effectiveness", "help_and_protection"]
    check(store, "statistical-neighbours", {"authority": "Kent"}, exp, cols)


def test_inspectors(store):
    cols = ["lead_inspector", "authority", "framework", "start_date", "headline_grades"]
    ann = [("Ann Example", "Kent", "slac", "2010-03-01",
            "slac.safeguarding.overall-effectiveness: good; slac.looked-after.overall-effectiveness: good"),
           ("Ann Example", "Kent", "sif", "2014-05-06", "sif.overall-effectiveness: requires-improvement")]
    check(store, "inspectors", {}, ann + [
        ("Bo Sample", "Medway", "slac", "2011-01-10",
         "slac.safeguarding.overall-effectiveness: adequate; slac.looked-after.overall-effectiveness: good"),
        ("Bo Sample", "Medway", "ilacs", "2022-02-07", "ilacs.overall-effectiveness: good"),
        ("Cy Invented", "Atlantis", "ilacs", "2019-06-03", "ilacs.overall-effectiveness: inadequate"),
    ], cols)
    check(store, "inspectors", {"inspector": "example"}, ann, cols)


def test_reports_per_year_and_recommendations_by_grade(store):
    check(store, "reports-per-year", {}, [
        ("slac", "2010", 1, 1), ("slac", "2011", 1, 1), ("sif", "2014", 1, 2), ("ilacs", "2019", 1, 1),
        ("ilacs", "2022", 1, 1)], ["framework", "year", "inspections", "reports"])
    check(store, "recommendations-by-grade", {}, [
        ("ilacs", "ilacs.overall-effectiveness", "good", 1, 1, 1.0),
        ("ilacs", "ilacs.overall-effectiveness", "inadequate", 1, 1, 1.0),
        ("sif", "sif.overall-effectiveness", "requires-improvement", 1, 1, 1.0),   # stored twice, counted once
        ("slac", "slac.looked-after.overall-effectiveness", "good", 2, 3, 1.5),
        ("slac", "slac.safeguarding.overall-effectiveness", "good", 1, 2, 2.0),
        ("slac", "slac.safeguarding.overall-effectiveness", "adequate", 1, 1, 1.0),
    ], ["framework", "area", "grade", "inspections", "recommendations", "per_inspection"])


# --------------------------------------------------------------------------------------- data checks

VIOLATIONS = sorted(q.name for q in Q.list_queries() if q.is_check)
DEFECT = {  # check -> a report graph of defects.trig it must name
    "judgement-area-framework-violation": "defect-sif.txt",
    "grade-scale-violation": "defect-sif.txt",
    "inspection-dates-violation": "defect-sif.txt",
    "evidence-outside-report-violation": "defect-sif.txt",
    "duplicate-judgement-violation": "kent",
    "per-area-agency-violation": "defect-agencies.txt",
    "report-structure-violation": "report/stray",
}


@pytest.mark.parametrize("name", VIOLATIONS)
def test_violation_query_is_empty_on_the_fixture_build(store, name):
    assert Q.run(name, store=store).rows == []


@pytest.mark.parametrize("name", sorted(DEFECT))
def test_violation_query_finds_its_defect(name):
    st = fixture_store(FX / "defects.trig")
    rows = Q.run(name, store=st).rows
    assert rows, f"{name} found nothing in defects.trig"
    assert any(DEFECT[name] in " ".join(str(v) for v in r.values()) for r in rows), rows


def test_per_area_check_names_both_kinds_of_shared_board():
    rows = Q.run("per-area-agency-violation", store=fixture_store(FX / "defects.trig")).rows
    assert {r["problem"] for r in rows} == {"per-area agency of another authority", "shared node for a board every area has"}


def test_every_violation_check_has_a_defect_case():
    assert set(VIOLATIONS) <= set(DEFECT) | {n for n in VIOLATIONS if not (Q.query_dir() / f"{n}.rq").read_text().count("okg:")}


# ---------------------------------------------------------------------------------------- injection

NASTY = ['"} ; DROP ALL ; INSERT DATA { <urn:x> <urn:y> "z" } #', "'} ; DROP ALL", '\\" ) } } ; CLEAR ALL',
         "x\" . } DROP ALL { \"", "}\n; DROP ALL\n#\"'"]


@pytest.mark.parametrize("value", NASTY)
def test_parameters_are_only_data(store, value):
    before = len(store)
    for name, param in [("search", "text"), ("authority-timeline", "authority"), ("agency-profile", "agency"),
                        ("recommendations-to-agency", "agency_type")]:
        assert Q.run(name, {param: value}, store=store).rows == []
        # the form sent to endpoints (values written in as BIND), run here on the same store without substitutions
        q = Q.get_query(name)
        text = Q.with_values(q.text, Q.bind_params(q, {param: value}))
        assert Q.run_sparql(text, store=store).rows == []
    assert len(store) == before


def test_a_value_full_of_quotes_and_braces_matches_itself_literally(store):
    value = 'He said "stop" } ; DROP ALL { x } # \'end\''
    rows = Q.run("search", {"text": value}, store=store).rows
    assert [(r["authority"], r["kind"], r["number"]) for r in rows] == [("Atlantis", "paragraph", 1)]
    rows = Q.run("search", {"text": "} ; DROP ALL"}, store=store).rows
    assert sorted(r["kind"] for r in rows) == ["paragraph", "recommendation"]
    q = Q.get_query("search")
    text = Q.with_values(q.text, Q.bind_params(q, {"text": value}))
    assert value not in text  # escaped, not pasted
    assert [(r["authority"], r["number"]) for r in Q.run_sparql(text, store=store).rows] == [("Atlantis", 1)]


def test_bound_values_go_first_into_the_outer_where():
    t = 'PREFIX a: <http://x/{}#> SELECT ?p (COUNT(*) AS ?n) # { not here\nWHERE { ?s ?p "{" } GROUP BY ?p'
    out = Q.with_values(t, {"p": ox.Literal('a"}b')})
    assert out.index("BIND") == out.index("WHERE {") + len("WHERE {\n  ")
    assert 'BIND("a\\"}b" AS ?p)' in out
    c = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert Q.with_values(c, {"o": ox.Literal("v")}).index("BIND") > c.index("WHERE")


@pytest.mark.parametrize("name", MINE)
def test_values_form_gives_the_same_rows_as_substitutions(store, name):
    q = Q.get_query(name)
    given = {p.name: {"authority": "Kent", "agency": "Kent Police", "text": "invented"}.get(p.name)
             for p in q.params if p.required}
    b = Q.bind_params(q, given)
    a = Q.run_sparql(q.text, b, store=store)
    v = Q.run_sparql(Q.with_values(q.text, b), store=store, hide=b)
    assert a.columns == v.columns and bag(a.rows) == bag(v.rows)


def test_remote_endpoint_gives_the_same_rows(tmp_path):
    from servers import OxigraphServer

    loc = tmp_path / "store"
    st = ox.Store(str(loc))
    mem = fixture_store()
    st.extend(mem.quads_for_pattern(None, None, None, None))
    st.flush()
    del st
    with OxigraphServer(loc, read_only=True) as srv:
        for name, params in [("authority-timeline", {"authority": "Kent"}), ("recurring-agencies", {}),
                             ("search", {"text": NASTY[0]}), ("search", {"text": "missing from home"}),
                             ("grade-changes", {}), ("latest-grades", {})]:
            remote = Q.run(name, params, endpoint=srv.query_url)
            local = Q.run(name, params, store=mem)
            assert remote.columns == local.columns and bag(remote.rows) == bag(local.rows), name
        assert len(Q.run("search", {"text": "missing from home"}, endpoint=srv.query_url).rows) == 2
        with pytest.raises(Q.QueryError):
            Q.run_sparql("SELECT nonsense", endpoint=srv.query_url)
    with pytest.raises(Q.EndpointError):
        Q.run("recurring-agencies", endpoint=srv.query_url, timeout=5)  # server stopped


# ---------------------------------------------------------------------------------------------- CLI

def _cli(*args, env=None):
    import os

    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "ofsted_kg.cli", *args], capture_output=True, text=True, env=e)


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("qstore") / "store"
    st = ox.Store(str(d))
    st.extend(fixture_store().quads_for_pattern(None, None, None, None))
    st.flush()
    del st
    return d


def test_cli_query_formats_and_errors(store_dir):
    r = _cli("query", "--list")
    assert r.returncode == 0 and "authority-timeline" in r.stdout and "--param authority=" in r.stdout
    r = _cli("query", "recurring-agencies", "--store", str(store_dir), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert {x["agency"] for x in json.loads(r.stdout)} == {"Kent Police", "Coastal NHS Trust", "Harbour Voice"}
    r = _cli("query", "authority-timeline", "--param", "authority=Kent", "--store", str(store_dir), "--format", "csv")
    assert r.returncode == 0 and r.stdout.splitlines()[0].startswith("authority_name,framework,start_date")
    assert len(r.stdout.splitlines()) == 3
    r = _cli("query", "authority-timeline", "--param", "authority=Kent", "--store", str(store_dir), "--format", "tsv")
    assert r.stdout.splitlines()[1].split("\t")[:3] == ["Kent", "slac", "2010-03-01"]
    r = _cli("query", "authority-timeline", "--param", "authority=Kent", "--store", str(store_dir), env={"COLUMNS": "60"})
    assert r.returncode == 0 and all(len(line) <= 60 for line in r.stdout.splitlines()), r.stdout
    r = _cli("query", "no-such", "--store", str(store_dir))
    assert r.returncode == 64 and "authority-timeline" in r.stderr and "Traceback" not in r.stderr
    r = _cli("query", "authority-timeline", "--store", str(store_dir))
    assert r.returncode == 64 and "needs authority" in r.stderr
    r = _cli("query", "recurring-agencies", "--store", str(store_dir / "nope"))
    assert r.returncode == 4 and "no store" in r.stderr


def test_cli_sparql(store_dir, tmp_path):
    q = "SELECT ?name (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?r <https://w3id.org/ofsted-kg/ontology#authorityName> ?name } } GROUP BY ?name"
    r = _cli("sparql", q, "--store", str(store_dir), "--format", "json")
    assert r.returncode == 0 and {(x["name"], x["n"]) for x in json.loads(r.stdout)} == {("Kent", 3), ("Medway", 2), ("Atlantis", 1)}
    f = tmp_path / "q.rq"
    f.write_text("SELECT ?name ?min WHERE { GRAPH ?g { ?r <https://w3id.org/ofsted-kg/ontology#authorityName> ?name } "
                 "FILTER(STRLEN(?name) >= ?min) }")
    r = _cli("sparql", str(f), "--param", "min:integer=6", "--store", str(store_dir), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()[1:]) == ["Atlantis", "Medway", "Medway"]
    r = _cli("sparql", "SELECT nonsense", "--store", str(store_dir))
    assert r.returncode == 64 and "syntax" in r.stderr.lower()


# ------------------------------------------------------------------------------- acceptance (seeds)

@pytest.fixture(scope="module")
def seeds_store():
    seeds = shared_path("corpus", "seeds")
    from ofsted_kg.build import build

    st = ox.Store()
    build([seeds], st, progress=False)
    return st


def test_seeds_acceptance(seeds_store):
    st = seeds_store
    rows = Q.rows("partners-in-outstanding-partnership", {}, store=st)
    assert all(set(r["authority_names"].split("; ")) == {"Hampshire", "Hammersmith and Fulham"} for r in rows)
    types = {r["agency_type"] for r in rows if r["kind"] == "agency type"}
    assert {"police", "nhs-trust", "safeguarding-board", "voluntary"} <= types
    inad = Q.rows("inadequate-judgements", {}, store=st)
    assert [(r["authority"], r["start_date"][:4], r["inadequate_areas"]) for r in inad] == [("Southampton", "2012", 3)]
    rec = {r["agency"]: r for r in Q.rows("recurring-agencies", {"min_authorities": 2}, store=st)}
    assert {"Hampshire Constabulary", "Solent NHS Trust", "Southern Health NHS Foundation Trust", "NHS Portsmouth"} <= set(rec)
    assert not any("local safeguarding children board" == a.lower() for a in rec)
    pairs = {(r["authority_1"], r["authority_2"]): set(r["agencies"].split("; ")) for r in Q.rows("shared-partners", {}, store=st)}
    assert {"Hampshire Constabulary", "Solent NHS Trust"} <= pairs[("Portsmouth", "Southampton")]
    assert len(Q.rows("recommendations-by-timescale", {"timescale": "immediately"}, store=st)) == 7
    for name in VIOLATIONS:
        assert Q.rows(name, store=st) == [], name


def test_result_terms_become_python_values():
    """Numbers and booleans by their datatype, everything else as text (query._py reads the datatype only
    where the text could be a number or a boolean: these pin that shortcut)."""
    x = "http://www.w3.org/2001/XMLSchema#"
    lit, iri = ox.Literal, ox.NamedNode
    cases = [
        (lit("1"), "1"), (lit("1", datatype=iri(x + "integer")), 1), (lit("-2", datatype=iri(x + "int")), -2),
        (lit("+3", datatype=iri(x + "long")), 3), (lit(".5", datatype=iri(x + "decimal")), 0.5),
        (lit("2.5", datatype=iri(x + "double")), 2.5), (lit("true", datatype=iri(x + "boolean")), True),
        (lit("0", datatype=iri(x + "boolean")), False), (lit("true"), "true"), (lit("12", language="en"), "12"),
        (lit("2013-07-12", datatype=iri(x + "date")), "2013-07-12"), (lit(""), ""), (lit("x1"), "x1"),
        (lit("1x", datatype=iri(x + "integer")), "1x"), (iri("http://example.org/1"), "http://example.org/1"),
        (None, None),
    ]
    assert [Q._py(t) for t, _ in cases] == [want for _, want in cases]
    assert Q._py(lit("INF", datatype=iri(x + "double"))) == float("inf")
