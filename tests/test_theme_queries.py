"""The recommendation-theme questions (queries/theme-*.rq) on the invented fixture of
tests/fixtures/tables (see its README.md). Every expected row was worked out by hand from
reports.json; rows are compared whole, as multisets. The Rutland SIF inspection is stored twice
(.pdf with three recommendations, .txt with two and fewer themes): it counts once, with the larger
count of its copies."""
from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from ofsted_kg import query as Q
from tables_fixture import fill, labels

THEME, AREA, GRADE, AGENCY_TYPE = labels("theme"), labels("area"), labels("grade"), labels("agency-type")
RANK = {"outstanding": 1, "good": 2, "adequate": 3, "requires-improvement": 3, "inadequate": 4}


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return fill(ox.Store())


def bag(rows) -> Counter:
    return Counter(tuple(sorted(r.items())) for r in rows)


def run(store, name, params=None):
    return Q.run(name, params or {}, store=store)


def test_every_theme_query_has_a_header_and_its_params_in_select():
    qs = {q.name: q for q in Q.list_queries() if q.name.startswith("theme-")}
    assert set(qs) == {"theme-frequency", "theme-frequency-by-grade", "theme-frequency-by-year",
                       "theme-agency-types", "theme-asked-again"}
    for q in qs.values():
        assert q.title and q.description, q.name
        select = q.text[q.text.index("SELECT"):q.text.index("WHERE")]
        for p in q.params:
            assert f"?{p.name}" in select and not p.required, (q.name, p.name)


def test_theme_frequency_per_framework(store):
    def row(fw, theme, n, primary, inspections, percent):
        return {"framework": fw, "theme": theme, "theme_label": THEME[theme], "recommendations": n,
                "as_primary": primary, "inspections": inspections, "percent_of_recommendations": percent}

    res = run(store, "theme-frequency")
    assert res.columns == ["framework", "theme", "theme_label", "recommendations", "as_primary", "inspections",
                           "percent_of_recommendations"]
    expected = [
        # SLAC: 3 recommendations
        row("slac", "casework", 2, 1, 1, 66.7), row("slac", "multi-agency-working", 1, 1, 1, 33.3),
        row("slac", "workforce", 1, 1, 1, 33.3),
        # SIF: the .pdf copy (3 recommendations) wins over the .txt copy (2); never summed
        row("sif", "casework", 2, 1, 1, 66.7), row("sif", "management-oversight", 1, 0, 1, 33.3),
        row("sif", "care-leavers", 1, 1, 1, 33.3), row("sif", "performance-and-quality-assurance", 1, 1, 1, 33.3),
        row("sif", "workforce", 1, 0, 1, 33.3),
        # ILACS: Rutland 2 + Torbay 2 + Nowhere 1 = 5 recommendations
        row("ilacs", "management-oversight", 1, 1, 1, 20.0), row("ilacs", "casework", 1, 0, 1, 20.0),
        row("ilacs", "missing-exploitation-and-abuse", 1, 1, 1, 20.0), row("ilacs", "workforce", 1, 1, 1, 20.0),
        row("ilacs", "accommodation-and-sufficiency", 1, 1, 1, 20.0),
        row("ilacs", "voice-and-participation", 1, 1, 1, 20.0),
    ]
    assert bag(res.rows) == bag(expected)
    # most frequent first within a framework
    sif = [r["recommendations"] for r in res.rows if r["framework"] == "sif"]
    assert sif == sorted(sif, reverse=True)
    assert bag(run(store, "theme-frequency", {"in_framework": "SIF"}).rows) == bag(
        [r for r in expected if r["framework"] == "sif"])


def test_theme_frequency_per_headline_grade(store):
    def row(fw, area, grade, theme, n, inspections, graded):
        return {"framework": fw, "area": area, "area_label": AREA[area], "grade": grade, "grade_label": GRADE[grade],
                "grade_rank": RANK[grade], "theme": theme, "theme_label": THEME[theme], "recommendations": n,
                "inspections": inspections, "inspections_with_grade": graded}

    slac = []
    for area, grade in (("slac.safeguarding.overall-effectiveness", "adequate"),
                        ("slac.looked-after.overall-effectiveness", "good")):
        slac += [row("slac", area, grade, "casework", 2, 1, 1), row("slac", area, grade, "multi-agency-working", 1, 1, 1),
                 row("slac", area, grade, "workforce", 1, 1, 1)]
    oe_sif, oe_ilacs = "sif.overall-effectiveness", "ilacs.overall-effectiveness"
    expected = slac + [
        row("sif", oe_sif, "requires-improvement", "casework", 2, 1, 1),
        row("sif", oe_sif, "requires-improvement", "management-oversight", 1, 1, 1),
        row("sif", oe_sif, "requires-improvement", "care-leavers", 1, 1, 1),
        row("sif", oe_sif, "requires-improvement", "performance-and-quality-assurance", 1, 1, 1),
        row("sif", oe_sif, "requires-improvement", "workforce", 1, 1, 1),
        row("ilacs", oe_ilacs, "good", "management-oversight", 1, 1, 1),
        row("ilacs", oe_ilacs, "good", "casework", 1, 1, 1),
        row("ilacs", oe_ilacs, "good", "missing-exploitation-and-abuse", 1, 1, 1),
        row("ilacs", oe_ilacs, "inadequate", "workforce", 1, 1, 1),
        row("ilacs", oe_ilacs, "inadequate", "accommodation-and-sufficiency", 1, 1, 1),
        # Nowhere has no overall effectiveness judgement: not here
    ]
    assert bag(run(store, "theme-frequency-by-grade").rows) == bag(expected)
    assert bag(run(store, "theme-frequency-by-grade", {"in_framework": "ilacs"}).rows) == bag(
        [r for r in expected if r["framework"] == "ilacs"])


def test_theme_frequency_per_year(store):
    def row(year, theme, n, percent):
        return {"year": year, "theme": theme, "theme_label": THEME[theme], "recommendations": n, "inspections": 1,
                "percent_of_recommendations": percent}

    ilacs = [row("2019", "management-oversight", 1, 50.0), row("2019", "casework", 1, 50.0),
             row("2019", "missing-exploitation-and-abuse", 1, 50.0),
             row("2023", "workforce", 1, 50.0), row("2023", "accommodation-and-sufficiency", 1, 50.0),
             row("", "voice-and-participation", 1, 100.0)]  # no start date: the empty year
    expected = ilacs + [
        row("2010", "casework", 2, 66.7), row("2010", "multi-agency-working", 1, 33.3), row("2010", "workforce", 1, 33.3),
        row("2014", "casework", 2, 66.7), row("2014", "management-oversight", 1, 33.3),
        row("2014", "care-leavers", 1, 33.3), row("2014", "performance-and-quality-assurance", 1, 33.3),
        row("2014", "workforce", 1, 33.3),
    ]
    assert bag(run(store, "theme-frequency-by-year").rows) == bag(expected)
    assert bag(run(store, "theme-frequency-by-year", {"in_framework": "ilacs"}).rows) == bag(ilacs)


def test_theme_frequency_by_year_shares_use_only_the_asked_framework():
    # a SIF and an ILACS inspection in one year: with in_framework=ilacs the share is of ILACS's recommendations
    from ofsted_kg import store as S
    from ofsted_kg.model import Authority, Inspection, Recommendation, Report
    from ofsted_kg.rdf_map import map_report

    st = ox.Store()
    S.load_static(st)
    for src, fw, name, n in (("a.pdf", "sif", "Rutland", 3), ("b.pdf", "ilacs", "Torbay", 1)):
        r = Report(src, fw, Authority(name), Inspection(start_date="2018-05-01"),
                   recommendations=[Recommendation(f"Item {i}.", themes=["casework"]) for i in range(n)])
        m = map_report(r)
        S.replace_graph(st, m.iri, m.ntriples())
    rows = run(st, "theme-frequency-by-year", {"in_framework": "ilacs"}).rows
    assert [(r["year"], r["recommendations"], r["percent_of_recommendations"]) for r in rows] == [("2018", 1, 100.0)]
    rows = run(st, "theme-frequency-by-year").rows
    assert [(r["year"], r["recommendations"], r["percent_of_recommendations"]) for r in rows] == [("2018", 4, 100.0)]


def test_themes_per_addressed_agency_type(store):
    def row(t, theme):
        return {"addressee_type": t, "addressee_type_label": AGENCY_TYPE[t], "theme": theme,
                "theme_label": THEME[theme], "recommendations": 1, "inspections": 1, "percent_of_recommendations": 100.0}

    expected = [row("police", "multi-agency-working"), row("police", "casework"),
                row("safeguarding-board", "performance-and-quality-assurance"), row("safeguarding-board", "workforce"),
                # 'Torbay Council should ...': the inspected council itself
                row("local-authority", "accommodation-and-sufficiency")]
    assert bag(run(store, "theme-agency-types").rows) == bag(expected)
    assert bag(run(store, "theme-agency-types", {"agency_type": "police"}).rows) == bag(expected[:2])
    assert run(store, "theme-agency-types", {"agency_type": "health"}).rows == []


def test_asked_again_pairs_consecutive_inspections_only(store):
    def row(theme, fw1, d1, n1, x1, fw2, d2, n2, x2):
        return {"authority_code": "rutland", "authority_name": "Rutland", "theme_code": theme,
                "theme_label": THEME[theme], "earlier_framework": fw1, "earlier_start_date": d1,
                "earlier_recommendations": n1, "earlier_example": x1, "later_framework": fw2, "later_start_date": d2,
                "later_recommendations": n2, "later_example": x2}

    slac, sif, ilacs = ("slac", "2010-03-01"), ("sif", "2014-05-06"), ("ilacs", "2019-06-03")
    expected = [
        row("casework", *slac, 2, "Improve the quality of assessments.", *sif, 2, "Ensure assessments are timely."),
        row("workforce", *slac, 1, "Recruit more social workers.", *sif, 1, "The board should audit its training."),
        row("casework", *sif, 2, "Ensure assessments are timely.", *ilacs, 1, "Strengthen management oversight of casework."),
        row("management-oversight", *sif, 1, "Ensure assessments are timely.", *ilacs, 1,
            "Strengthen management oversight of casework."),
        # not SLAC 2010 -> ILACS 2019 (casework in both, but SIF 2014 came between); Torbay has one inspection,
        # Nowhere no dates
    ]
    res = run(store, "theme-asked-again")
    assert bag(res.rows) == bag(expected)
    assert bag(run(store, "theme-asked-again", {"authority": "Rutland County Council", "theme": "casework"}).rows) == bag(
        [expected[0], expected[2]])
    assert bag(run(store, "theme-asked-again", {"authority": "rutland", "theme": "workforce"}).rows) == bag([expected[1]])
    assert run(store, "theme-asked-again", {"authority": "Torbay"}).rows == []


def test_asked_again_example_is_the_first_in_report_order_not_in_alphabetical_order():
    # the example of each inspection is its first recommendation with the theme as the report lists them; of two
    # copies of one inspection, the count is the larger and the example the alphabetically first of the copies'
    from ofsted_kg import store as S
    from ofsted_kg.model import Authority, Inspection, Recommendation, Report
    from ofsted_kg.rdf_map import map_report

    st = ox.Store()
    S.load_static(st)
    reports = [
        ("a.pdf", "sif", "2014-05-06", ["Zoned panels should review every plan.", "Audit plans monthly."]),
        ("b.pdf", "ilacs", "2019-06-03", ["Make plans specific.", "Agree plans with children."]),
        ("c.txt", "ilacs", "2019-06-03", ["Check plans.", "Agree plans with children.", "Review plans.", "X."]),
    ]
    for src, fw, start, texts in reports:
        r = Report(src, fw, Authority("Rutland"), Inspection(start_date=start),
                   recommendations=[Recommendation(t, themes=["casework"]) for t in texts])
        m = map_report(r)
        S.replace_graph(st, m.iri, m.ntriples())
    rows = run(st, "theme-asked-again").rows
    assert [(r["earlier_recommendations"], r["earlier_example"], r["later_recommendations"], r["later_example"])
            for r in rows] == [(2, "Zoned panels should review every plan.", 4, "Check plans.")]


def test_theme_queries_see_the_ranked_assignments(store):
    """The mapping keeps the order: okg:primaryTheme is the first theme and the ranks follow the report."""
    from tables_fixture import reports

    q = """PREFIX okg: <https://w3id.org/ofsted-kg/ontology#>
    SELECT ?src ?pos ?rank ?t WHERE { GRAPH ?r { ?r okg:sourceFile ?src ; okg:reportOf/okg:hasRecommendation ?c .
      ?c okg:position ?pos ; okg:themeAssignment ?a . ?a okg:assignedTheme ?t ; okg:themeRank ?rank } }"""
    got = {(r["src"].value, int(r["pos"].value), int(r["rank"].value)): r["t"].value.rsplit("/", 1)[1]
           for r in store.query(q, use_default_graph_as_union=True)}
    want = {(rep.source, i, k): t for rep in reports() for i, rec in enumerate(rep.recommendations, 1)
            for k, t in enumerate(rec.themes, 1)}
    assert got == want
    q = """PREFIX okg: <https://w3id.org/ofsted-kg/ontology#>
    SELECT ?c ?t WHERE { GRAPH ?r { ?c okg:primaryTheme ?t } }"""
    primary = {r["c"].value: r["t"].value.rsplit("/", 1)[1] for r in store.query(q, use_default_graph_as_union=True)}
    assert sorted(primary.values()) == sorted(rec.themes[0] for rep in reports() for rec in rep.recommendations)


@pytest.mark.parametrize("name,params", [
    ("theme-frequency", {"in_framework": "sif"}), ("theme-frequency-by-grade", {"in_framework": "ilacs"}),
    ("theme-frequency-by-year", {"in_framework": "ilacs"}), ("theme-agency-types", {"agency_type": "health"}),
    ("theme-agency-types", {"agency_type": "police"}),
    ("theme-asked-again", {"authority": "Rutland", "theme": "casework"}),
    ("theme-asked-again", {"authority": 'x"} } UNION { ?s ?p ?o', "theme": ""}),
])
def test_endpoint_form_gives_the_same_rows(store, name, params):
    """On an endpoint the parameters go in as BIND(value AS ?name): the same rows as bound on the store."""
    q = Q.get_query(name)
    b = Q.bind_params(q, params)
    a = Q.run_sparql(q.text, b, store=store)
    v = Q.run_sparql(Q.with_values(q.text, b), store=store, hide=b)
    assert a.columns == v.columns and bag(a.rows) == bag(v.rows)
