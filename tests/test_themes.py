"""Recommendation themes: term lists as data, deterministic scoring, explanations, CLI.

Every recommendation text here is invented for the tests (no real report's wording).
"""
from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import shared_path
from ofsted_kg import themes
from ofsted_kg.cli import main
from ofsted_kg.model import Authority, Recommendation, Report

# One invented item per code: the code must come first.
FIRST = [
    ("casework", "Ensure that child in need plans are specific and are reviewed at every core group."),
    ("management-oversight", "Ensure that team managers record the rationale for their decisions in supervision."),
    ("performance-and-quality-assurance", "Strengthen the audit programme and the use of performance data."),
    ("multi-agency-working", "Work with partner agencies so that thresholds are understood and applied consistently."),
    ("workforce", "Reduce caseloads and improve the recruitment and retention of social workers."),
    ("voice-and-participation", "Make sure that children know how to make a complaint and can get an advocate."),
    ("health", "Ensure that initial health assessments for children in care are completed on time."),
    ("education", "Improve the quality of personal education plans and the attendance of children in care at school."),
    ("accommodation-and-sufficiency", "Increase the sufficiency of local placements for older children."),
    ("care-leavers", "Ensure that care leavers know about the local offer and have a personal adviser."),
    ("missing-exploitation-and-abuse", "Ensure that every child who goes missing is offered a return home interview."),
    ("governance-and-leadership", "Ensure that elected members and the corporate parenting board scrutinise the service."),
    ("equality-and-diversity", "Ensure that assessments consider each child's ethnicity, religion and first language."),
    ("disabled-children", "Review the provision of short breaks and specialist equipment for disabled children."),
]


@pytest.fixture
def theme_copy(tmp_path):
    """A user's editable copy of the packaged theme data."""
    d = tmp_path / "themes"
    shutil.copytree(themes.resource_dir("themes"), d)
    return d


# ------------------------------------------------------------------ the data


def test_scheme_has_every_code_with_label_and_definition():
    sch = themes.scheme()
    codes = [t.code for t in sch]
    assert len(codes) == len(set(codes)) == 14
    assert all(t.label and t.definition for t in sch)
    ts = themes.default()
    for code in codes:  # every code can be reached by some term
        assert any(t.code == code and t.weight > 0 for t in ts.terms), code


def test_scheme_matches_the_shared_spec():
    spec = shared_path("spec", "themes.md").read_text(encoding="utf-8")
    want = re.findall(r"^\| `([a-z-]+)` \|", spec, re.M)
    assert [t.code for t in themes.scheme()] == want


@pytest.mark.parametrize("code,text", FIRST, ids=[c for c, _ in FIRST])
def test_each_theme_is_found_first(code, text):
    assert themes.assign(text)[0] == code


def test_every_text_gets_a_theme_and_unknown_wording_falls_back():
    assert themes.assign("Xyzzy plugh.") == ["casework"]
    assert themes.assign("") == ["casework"]
    assert themes.explain("Xyzzy plugh.") == []


def test_codes_are_ordered_and_limited():
    text = ("Ensure that care leavers have pathway plans, suitable accommodation, health assessments, "
            "a place in education and an advocate.")
    got = themes.assign(text)
    assert 1 <= len(got) <= themes.default().max_codes
    assert len(got) == len(set(got))
    scores = {c: s for c, s, _ in themes.explain(text)}
    assert [scores[c] for c in got] == sorted((scores[c] for c in got), reverse=True)


def test_same_text_same_answer():
    text = FIRST[3][1]
    assert themes.assign(text) == themes.assign(text) == themes.load().assign(text)
    assert themes.explain(text) == themes.explain(text)


# ------------------------------------------------------------------ matching rules


def test_explain_names_the_matched_words():
    ev = {code: terms for code, _score, terms in themes.explain(FIRST[1][1])}
    assert "team managers" in ev["management-oversight"]
    assert "supervision" in ev["management-oversight"]


def test_longest_term_wins_the_words():
    # "education, employment or training" is about care leavers, not about staff training
    ev = dict((c, t) for c, _s, t in themes.explain("Increase the number of young people in education, employment or training."))
    assert "care-leavers" in ev
    assert "workforce" not in ev
    assert "education" not in ev


def test_capitals_only_terms():
    assert "disabled-children" in themes.assign("Improve support for children with SEND.")
    assert "disabled-children" not in dict((c, s) for c, s, _ in themes.explain("Send the minutes to every agency."))


def test_hyphens_apostrophes_and_line_breaks_match_like_spaces():
    for variant in ("multi-agency", "multi agency", "multiagency", "multi\u2011agency", "multi-\nagency"):
        assert themes.assign(f"Improve {variant} working.")[0] == "multi-agency-working", variant
    assert themes.assign("Improve children\u2019s plans.") == themes.assign("Improve childrens plans.")


def test_the_aim_counts_less_than_the_thing_to_fix():
    # supervision is what is to improve; caseloads only the reason
    got = themes.assign("Improve the regularity of supervision so that managers know when caseloads rise.")
    assert got[0] == "management-oversight"


def test_a_leading_addressee_is_not_the_thing_to_fix():
    text = "Exampleshire Council and Exampleshire Police to ensure that strategy discussions are timely."
    ev = {c: s for c, s, _ in themes.explain(text)}
    assert themes.assign(text)[0] == "casework"
    # without the addressee rule "to ensure" would halve the strategy discussions' weight
    assert ev["casework"] == 3.0


def test_references_are_dropped_before_scoring():
    plain = themes.explain("Improve the quality of care plans.")
    with_refs = themes.explain("Improve the quality of care plans (paragraph 12). (Outcome 2, national framework)")
    assert plain == with_refs


def test_ignored_phrases_take_their_words_out_of_play():
    # the authority's own "plans are in place" is no child's plan
    ev = dict((c, t) for c, _s, t in themes.explain("Ensure plans are in place to recruit more foster carers."))
    assert "casework" not in ev
    assert "accommodation-and-sufficiency" in ev


# ------------------------------------------------------------------ users adjust the data


def test_an_edited_term_list_changes_the_result(theme_copy):
    text = "Improve the quality of kinship assessments."
    before = themes.load(theme_copy).assign(text)
    with open(theme_copy / "terms.csv", "a", encoding="utf-8") as f:
        f.write("accommodation-and-sufficiency,9,kinship\n")
    after = themes.load(theme_copy).assign(text)
    assert before[0] == "casework"
    assert after[0] == "accommodation-and-sufficiency"


def test_settings_are_read_from_the_data(theme_copy):
    toml = theme_copy / "themes.toml"
    toml.write_text(toml.read_text().replace("max_codes = 3", "max_codes = 1"))
    ts = themes.load(theme_copy)
    assert len(ts.assign(FIRST[12][1])) == 1


@pytest.mark.parametrize("line,reason", [
    ("no-such-code,2,foo", "unknown code 'no-such-code'"),
    ("casework,heavy,foo", "weight 'heavy' is not a number"),
    ("casework,2", "want code,weight,pattern"),
    ("casework,2,plan(s", "bad pattern"),
])
def test_malformed_term_rows_are_named(theme_copy, line, reason):
    csv_path = theme_copy / "terms.csv"
    n = len(csv_path.read_text(encoding="utf-8").splitlines()) + 1
    with open(csv_path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
    with pytest.raises(themes.ThemeDataError) as e:
        themes.load(theme_copy)
    assert f"terms.csv:{n}:" in str(e.value) and reason in str(e.value)


def test_malformed_scheme_is_named(theme_copy):
    (theme_copy / "themes.toml").write_text("[settings\n")
    with pytest.raises(themes.ThemeDataError, match="themes.toml: not valid TOML"):
        themes.load(theme_copy)


# ------------------------------------------------------------------ reports and CLI


def test_annotate_fills_every_recommendation():
    rep = Report(source="x.txt", framework="ilacs", authority=Authority(name="Examplebury"),
                 recommendations=[Recommendation(text=t) for _c, t in FIRST] + [Recommendation(text="Xyzzy.")])
    themes.annotate(rep)
    assert [r.themes[0] for r in rep.recommendations] == [c for c, _t in FIRST] + ["casework"]


# Invented: a minimal report in the ILACS layout with two improvement points.
TINY_REPORT = """Inspection of Examplebury local authority children's services
Inspection dates: 3 to 14 March 2025
Lead inspector: Alex Example, His Majesty's Inspector
Judgement Grade
Overall effectiveness Good

What needs to improve?
\u25fc The timeliness of initial health assessments for children in care.
\u25fc The quality of supervision records for team managers.

The experiences and progress of children who need help and protection: good
1. Children receive help quickly.
"""


def test_extract_output_carries_themes(tmp_path, capsys):
    p = tmp_path / "examplebury.txt"
    p.write_text(TINY_REPORT, encoding="utf-8")
    assert main(["extract", str(p), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert [r["themes"][0] for r in d["recommendations"]] == ["health", "management-oversight"]


def test_explain_themes_prints_evidence(tmp_path, capsys):
    p = tmp_path / "examplebury.txt"
    p.write_text(TINY_REPORT, encoding="utf-8")
    assert main(["explain-themes", str(p)]) == 0
    out = capsys.readouterr().out
    assert "2 recommendations" in out
    assert re.search(r"\* health\s+3\s+health assessments", out)
    assert re.search(r"\* management-oversight\s+\S+\s+supervision records; team managers", out)


def test_explain_themes_text_and_json(capsys):
    assert main(["explain-themes", "--json", "--text", FIRST[13][1]]) == 0
    rows = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert rows[0]["themes"][0] == "disabled-children"
    ev = {e["code"]: e for e in rows[0]["evidence"]}
    assert ev["disabled-children"]["assigned"] and "short breaks" in ev["disabled-children"]["terms"]


def test_explain_themes_bad_input(tmp_path, capsys, theme_copy):
    missing = tmp_path / "nope.pdf"
    assert main(["explain-themes", "--text", "Improve care plans.", str(missing)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{missing}: ")
    (theme_copy / "terms.csv").write_text("code,weight,pattern\nnot-a-code,1,x\n")
    assert main(["explain-themes", "--themes-dir", str(theme_copy), "--text", "x"]) == 64
    err = capsys.readouterr().err
    assert "terms.csv:2: unknown code" in err and "Traceback" not in err
    assert main(["explain-themes"]) == 64


# ------------------------------------------------------------------ on the shared corpus (skips without it)


def test_seed_recommendations_share_a_theme_with_the_gold(seeds_dir):
    from ofsted_kg.extract import extract_paths

    gold = json.loads(shared_path("eval", "seeds.gold.json").read_text())
    ok = n = 0
    for o in extract_paths([seeds_dir]):
        assert o.error is None, o.error
        want = gold["reports"].get(o.path.name, {}).get("recommendations", [])
        recs = list(o.report.recommendations)
        for g in want:
            key = " ".join(re.sub(r"[^a-z0-9' ]+", " ", g["starts_with"].lower().replace("\u2019", "'")).split())
            hit = next((r for r in recs if " ".join(re.sub(r"[^a-z0-9' ]+", " ", r.text.lower().replace(
                "\u2019", "'")).split()).startswith(key[:40])), None)
            if hit is None or not g.get("themes"):
                continue
            recs.remove(hit)
            n += 1
            ok += bool(set(hit.themes) & set(g["themes"]))
    assert n >= 49, f"only {n} gold recommendations found by the parsers"
    assert ok >= 49, f"themes {ok}/{n}"


def test_every_recommendation_in_the_corpus_has_a_theme(seeds_dir, pdf_dir):
    from ofsted_kg.extract import extract_paths

    codes = {t.code for t in themes.scheme()}
    total = 0
    for o in extract_paths([seeds_dir, pdf_dir]):
        if o.error:
            continue
        for r in o.report.recommendations:
            total += 1
            assert r.themes and set(r.themes) <= codes, (o.path.name, r.text[:80])
    assert total > 100


def test_ontology_theme_scheme_has_the_same_codes():
    """The SKOS scheme in the ontology and the theme data name the same codes."""
    import pyoxigraph as ox

    from ofsted_kg.resources import resource_dir

    store = ox.Store()
    store.load(path=str(resource_dir("ontology") / "ofsted-kg.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?code WHERE { ?c skos:inScheme <https://w3id.org/ofsted-kg/concept/theme/> ; skos:notation ?code }""")
    assert {r["code"].value for r in rows} == {t.code for t in themes.scheme()}
