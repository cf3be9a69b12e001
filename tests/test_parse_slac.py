"""SLAC (2009-12) and lac2012 (2012-13) layouts, and the numbered-paragraph splitter.

Fixture cases live in tests/fixtures/extract/slac-*/ and lac2012-*/: an invented report in the
real layout (input.txt or input.md, with the noise real extractions carry) and the expected
JSON beside it. Only the fields these layout parsers own are compared: agencies and
recommendation addressees/themes are filled by ofsted_kg.agencies and checked elsewhere.
Tests over ../shared (seeds with their gold file, the PDF corpus) skip when it is absent.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ofsted_kg.extract import extract_file
from ofsted_kg.parse import paragraphs
from ofsted_kg.parse.common import normalise

from conftest import FIXTURES, shared_path
from pdfmaker import make_pdf

CASES = sorted(p for p in (FIXTURES / "extract").glob("*") if p.is_dir() and p.name.startswith(("slac-", "lac2012-")))
REC_FIELDS = ("text", "timescale", "section", "paragraph")
OWNED = ("framework", "authority", "inspection", "inspection_type", "judgements", "recommendations", "warnings",
         "paragraphs")


def _input(case: Path) -> Path:
    (found,) = [p for p in case.iterdir() if p.name.startswith("input.")]
    return found


def _owned(d: dict) -> dict:
    out = {k: d.get(k) for k in OWNED}
    out["recommendations"] = [{k: r.get(k) for k in REC_FIELDS} for r in d.get("recommendations", [])]
    return out


def test_fixture_cases_exist():
    names = [c.name for c in CASES]
    assert any(n.startswith("slac-") for n in names) and any(n.startswith("lac2012-") for n in names)
    assert {".txt", ".md"} <= {_input(c).suffix for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture(case: Path):
    got = extract_file(_input(case)).to_dict()
    want = json.loads((case / "expected.json").read_text())
    assert got["source"] == want["source"]
    g, w = _owned(got), _owned(want)
    for key in OWNED:
        assert g[key] == w[key], f"{case.name}: {key} differs"


@pytest.mark.parametrize("case", [c for c in CASES if "pdf" in c.name], ids=lambda c: c.name)
def test_fixture_as_real_pdf(case: Path, tmp_path: Path):
    """The PDF-text fixtures (pages split by form feeds, running headers, page numbers) made into
    real PDFs, one PDF page per page: read by pypdfium2, they must parse the same."""
    pages = [p.split("\n") for p in _input(case).read_text().split("\f")]
    pdf = tmp_path / "input.pdf"
    pdf.write_bytes(make_pdf(pages))
    got = _owned(extract_file(pdf).to_dict())
    want = _owned(json.loads((case / "expected.json").read_text()))
    for key in OWNED:
        assert got[key] == want[key], f"{case.name} as PDF: {key} differs"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_output_matches_schema(case: Path, extract_schema: dict):
    import jsonschema

    jsonschema.validate(extract_file(_input(case)).to_dict(), extract_schema)


# ------------------------------------------------------------------ the paragraph splitter

def _numbers(text: str) -> list[int]:
    return [p.number for p in paragraphs.numbered_paragraphs(normalise(text))]


def test_paragraphs_bulleted_numbers_and_headings():
    text = ("About it\n\n- 1. First paragraph text.\n- 2. Second one:\n - a list item\n - another\n\n"
            "Next heading\n\nGrade 2 (good)\n\n3. Third paragraph.\n")
    ps = paragraphs.numbered_paragraphs(text)
    assert [(p.number, p.heading) for p in ps] == [(1, "About it"), (2, "About it"), (3, "Next heading")]
    assert ps[1].text == "Second one:\n- a list item\n- another"


def test_paragraphs_number_slipped_into_the_first_line_is_left_out_of_the_text():
    text = "Heading\n\n1. One.\n\nOther heading\n\nGrade 3 (adequate)\n\nThe area is adequate. Good 2. work is done.\n\n3. Three.\n"
    ps = paragraphs.numbered_paragraphs(text)
    assert [p.number for p in ps] == [1, 2, 3]
    assert ps[1].text == "The area is adequate. Good work is done."
    assert ps[1].heading == "Other heading"


def test_paragraphs_mistyped_number_takes_the_missing_place():
    text = "H\n\n" + "".join(f"{n}. Paragraph {n}.\n" for n in range(1, 6)) + "- 16. Mistyped six.\n" + \
        "".join(f"{n}. Paragraph {n}.\n" for n in range(7, 20))
    ps = paragraphs.numbered_paragraphs(text)
    assert [p.number for p in ps] == list(range(1, 20))
    assert ps[5].text == "Mistyped six."


def test_paragraphs_number_run_onto_the_end_of_the_line_before():
    text = "H\n\n1. The first paragraph ends here. 2.\nThe second paragraph starts on this line.\n3. Third.\n"
    ps = paragraphs.numbered_paragraphs(text)
    assert [(p.number, p.text) for p in ps] == [
        (1, "The first paragraph ends here."), (2, "The second paragraph starts on this line."), (3, "Third.")]


def test_paragraphs_number_inside_a_running_line_keeps_the_text_before_it():
    text = "H\n\n1. The first paragraph runs on and\nends in this line 2. The second starts mid-line.\n3. Third.\n"
    ps = paragraphs.numbered_paragraphs(text)
    assert [(p.number, p.text) for p in ps] == [
        (1, "The first paragraph runs on and ends in this line"), (2, "The second starts mid-line."), (3, "Third.")]


def test_paragraphs_lost_number_is_filled_from_an_orphan_after_a_heading():
    text = "H\n\n1. One.\n\nArea\n\nGrade 1 (outstanding)\n\nThe area is outstanding.\n\n3. Three.\n"
    assert _numbers(text) == [1, 2, 3]


def test_paragraphs_sentence_numbers_are_not_paragraphs():
    text = "H\n\n1. Children aged 4. Then more text at Key Stage 2. And so on.\n2. Next.\n"
    ps = paragraphs.numbered_paragraphs(text)
    assert [p.number for p in ps] == [1, 2]
    assert ps[0].text.startswith("Children aged 4. Then")


def test_paragraphs_pdf_furniture_does_not_split_a_paragraph():
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa " \
            "quebec romeo sierra tango uniform victor whisky xray yankee zulu".split()
    pages, n = [], 1
    for page in range(1, 7):
        lines = [f"Invented Council Inspection report {page}"] if page > 1 else ["Title page"]
        if page > 1:
            lines.append(f"and the {words[n - 1]} paragraph ends here.")
        for _ in range(3):
            lines += [f"{n}. The {words[n]} paragraph begins on this line and", f"carries on with {words[n]} here."]
            n += 1
        lines += [f"{n}. The {words[n]} paragraph runs over the page", str(page)]
        pages.append("\n".join(lines))
        n += 1
    text = "\f".join(pages) + f"\nand the {words[n - 1]} paragraph ends here."
    ps = paragraphs.numbered_paragraphs(text)
    assert [p.number for p in ps] == list(range(1, n))
    assert ps[3].text == "The echo paragraph runs over the page and the echo paragraph ends here."
    assert all("Invented Council" not in p.text for p in ps)


def test_paragraph_at_and_first_paragraph_after():
    text = "H\n\n1. One.\n\nK\n\n2. Two and\n- an item\n"
    spans = paragraphs.split(text)
    assert paragraphs.paragraph_at(spans, text.index("an item")) == 2
    assert paragraphs.first_paragraph_after(spans, text.index("K")) == 2
    assert paragraphs.paragraph_at(spans, 0) is None


# ------------------------------------------------------------------ over ../shared

def _gold_slac() -> list[tuple[str, dict]]:
    gold = shared_path("eval", "seeds.gold.json")
    reports = json.loads(gold.read_text())["reports"]
    return [(name, g) for name, g in reports.items() if g.get("framework") in ("slac", "lac2012")]


def test_seeds_against_gold(seeds_dir: Path, extract_schema: dict):
    import jsonschema

    from ofsted_kg.parse.common import authority_names

    checked = 0
    for name, gold in _gold_slac():
        d = extract_file(seeds_dir / name).to_dict()
        jsonschema.validate(d, extract_schema)
        assert d["framework"] == gold["framework"], name
        assert authority_names(d["authority"]["name"])[0] == authority_names(gold["authority"])[0], name
        for k in ("start_date", "end_date", "published_date", "lead_inspector"):
            assert d["inspection"][k] == gold[k], f"{name}: {k}"
        got = {j["area"]: j["grade"] for j in d["judgements"]}
        assert got == gold["judgements"], name
        recs = d["recommendations"]
        assert len(recs) == len(gold["recommendations"]), name
        for r, g in zip(recs, gold["recommendations"]):
            assert " ".join(r["text"].split()[:8]).lower() == g["starts_with"].lower(), name
            assert (r["section"], r["timescale"]) == (g["section"], g["timescale"]), f"{name}: {g['starts_with']}"
        checked += 1
    assert checked >= 1


def test_lac2012_pdfs_in_corpus_are_consistent(pdf_dir: Path, extract_schema: dict):
    """Every 2012-13 looked after children report in the corpus: framework, dates, lead
    inspector, the five graded areas, and grades that agree wherever the report states them
    (no disagreement warnings); every recommendation with a timescale."""
    seen = 0
    for pdf in sorted(pdf_dir.glob("*.pdf")):
        if not pdf.read_bytes()[:1024].lstrip().startswith(b"%PDF"):
            continue
        d = extract_file(pdf).to_dict()
        if d["framework"] != "lac2012":
            continue
        seen += 1
        import jsonschema

        jsonschema.validate(d, extract_schema)
        insp = d["inspection"]
        assert insp["start_date"] and insp["end_date"] and insp["start_date"] <= insp["end_date"], pdf.name
        assert insp["published_date"] and insp["published_date"] >= insp["end_date"], pdf.name
        assert insp["lead_inspector"] and "HMI" not in insp["lead_inspector"], pdf.name
        assert {j["area"] for j in d["judgements"]} == {
            "lac2012.overall-effectiveness", "lac2012.capacity-to-improve", "lac2012.outcomes",
            "lac2012.quality-of-provision", "lac2012.leadership-and-management"}, pdf.name
        assert all(j["evidence"] == "record-of-main-findings" for j in d["judgements"]), pdf.name
        assert d["warnings"] == [], pdf.name
        assert d["recommendations"] and all(r["timescale"] and r["section"] == "looked-after"
                                            for r in d["recommendations"]), pdf.name
    if not seen:
        pytest.skip("no 2012-13 looked after children report in ../shared/corpus/pdf")


# ------------------------------------------------------------------ the bundled invented examples

EXAMPLES = sorted(p for p in (FIXTURES.parent.parent / "examples" / "reports").glob("*")
                  if p.name.startswith(("slac-", "lac2012-")))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_parse_whole(path: Path):
    d = extract_file(path).to_dict()
    assert path.read_text().startswith("INVENTED SAMPLE REPORT")
    assert d["framework"] == path.name.split("-")[0]
    assert d["authority"]["name"] and d["inspection"]["lead_inspector"]
    assert all(d["inspection"][k] for k in ("start_date", "end_date", "published_date"))
    assert len(d["judgements"]) == (22 if d["framework"] == "slac" else 5)
    assert d["recommendations"] and all(r["timescale"] for r in d["recommendations"])
    assert d["warnings"] == []


def test_regression_title_phrase_in_a_line_before_the_title_block():
    """A line above the title naming the layout ('... inspection of safeguarding and looked after
    children services ...') was taken for the title, and the authority came out empty."""
    from ofsted_kg.model import Authority, Report
    from ofsted_kg.parse import slac

    text = ("A note about an inspection of safeguarding and looked after children services report.\n\n"
            "Inspection of safeguarding and looked after children services\n\nWestmere City Council\n\n"
            "Inspection dates: 1 – 12 March 2010\n\nReporting inspector: Jo Bright HMI\n\nPublished: 1 May 2010\n")
    report = Report(source="x", framework="slac", authority=Authority(name=""))
    slac.read_title_block(text, report, slac.TITLE)
    assert (report.authority.name, report.authority.official_name) == ("Westmere", "Westmere City Council")
    assert report.inspection.start_date == "2010-03-01" and report.inspection.lead_inspector == "Jo Bright"


def test_record_table_two_safe_rows_do_not_start_the_looked_after_part():
    """Older tables grade 'are safe' and 'feel safe' on two rows; the repeat of a
    safeguarding-only area must not be read as the start of the looked after part."""
    from ofsted_kg.parse import slac

    table = ("Record of main findings\nSafeguarding services\nOverall effectiveness Good\n"
             "Capacity for improvement Good\nChildren and young people are safe: effectiveness of services in\n"
             "taking reasonable steps to ensure that children and young people are safe Good\n"
             "Children and young people feel safe Good\nQuality of provision Adequate\n"
             "Services for looked after children\nOverall effectiveness Adequate\nQuality of provision Good\n")
    rows, _ = slac.record_table(table, slac.SLAC_AREAS, slac.PARTS)
    assert [(r.part, r.area, r.grade) for r in rows] == [
        ("safeguarding", "overall-effectiveness", "good"), ("safeguarding", "capacity-for-improvement", "good"),
        ("safeguarding", "safe-and-feel-safe", "good"), ("safeguarding", "safe-and-feel-safe", "good"),
        ("safeguarding", "quality-of-provision", "adequate"), ("looked-after", "overall-effectiveness", "adequate"),
        ("looked-after", "quality-of-provision", "good")]


@pytest.mark.parametrize("line,code", [
    ("Within three months:", "within-3-months"), ("**Within six months:**", "within-6-months"),
    ("Immediately", "immediately"), ("Within 3 months of the date of this report:", "within-3-months"),
    ("In the longer term:", None), ("Within one month:", None),
    ("within three months ensure that plans are clear.", False), ("Quality of provision", False)])
def test_timescale_headings(line, code):
    from ofsted_kg.parse.slac import timescale_of

    assert timescale_of(line) == code


def test_record_table_grade_formats():
    from ofsted_kg.parse import slac

    table = ("Record of main findings:\n| Judgement | Grade |\nSafeguarding services\n"
             "Overall effectiveness Good (Grade 2)\n| Capacity for improvement | Grade 1 (outstanding) |\n"
             "Quality of provision\nadequate\nThe contribution of health agencies to keeping children and young\n"
             "people safe **Inadequate**\n")
    rows, at = slac.record_table(table, slac.SLAC_AREAS, slac.PARTS)
    assert at == 0
    assert [(r.area, r.grade) for r in rows] == [
        ("overall-effectiveness", "good"), ("capacity-for-improvement", "outstanding"),
        ("quality-of-provision", "adequate"), ("health-contribution", "inadequate")]


def test_regression_short_unbulleted_item_naming_its_addressee_is_no_heading():
    """' PSCB to review thresholds' (no bullet, no full stop) read as a heading ended the list
    and the item was lost."""
    from ofsted_kg.parse import parse_text

    text = ("Inspection of safeguarding and looked after children services\n\nExampleshire\n\n"
            "Inspection dates: 1 - 12 March 2010\n\nAreas for improvement\n\n12. To make services better "
            "the council and its partners are asked to act as follows.\n\nWithin three months:\n\n"
            "- the council to review its plans.\n\n PSCB to review thresholds\n\n"
            "Safeguarding outcomes for children and young people\n\nChildren and young people are safe and feel safe"
            "\n\nGrade 2 (good)\n\n13. The contribution of the partnership is good.\n")
    recs = parse_text(text, "x.txt").recommendations
    assert [(r.text, r.timescale, r.section, r.paragraph) for r in recs] == [
        ("the council to review its plans.", "within-3-months", "safeguarding", 12),
        ("PSCB to review thresholds", "within-3-months", "safeguarding", 12)]


def test_title_block_label_variants():
    from ofsted_kg.model import Authority, Report
    from ofsted_kg.parse import slac

    report = Report(source="x", framework="slac", authority=Authority(name=""))
    slac.read_title_block("Inspection of safeguarding and looked after children services\nLondon Borough of Testham\n"
                          "Inspection dates 1 – 12 March 2010\nLead inspector: Ann Lee HMI\n"
                          "Publication date: 30 April 2010\n", report, slac.TITLE)
    assert (report.authority.name, report.authority.official_name) == ("Testham", "London Borough of Testham")
    assert (report.inspection.start_date, report.inspection.end_date, report.inspection.published_date,
            report.inspection.lead_inspector) == ("2010-03-01", "2010-03-12", "2010-04-30", "Ann Lee")


def test_regression_running_line_naming_the_looked_after_part_does_not_start_it():
    """A wrapped body line starting 'services for looked after children ...' was taken for the
    part heading, and the safeguarding recommendations after it came out as looked-after."""
    from ofsted_kg.parse import parse_text

    text = ("Inspection of safeguarding and looked after children services\n\nExampleshire\n\n"
            "Inspection dates: 1 - 12 March 2010\n\nSafeguarding services\n\nOverall effectiveness\n\n"
            "Grade 2 (good)\n\n1. The overall effectiveness of safeguarding is good. The council's\n"
            "services for looked after children and those in need work well together.\n\n"
            "Capacity for improvement\n\nGrade 2 (good)\n\n2. Capacity for improvement is good.\n\n"
            "Areas for improvement\n\n3. To make services better, the council is asked to act as follows.\n\n"
            "Within three months:\n\n- review the threshold document.\n\n"
            "Services for looked after children\n\nOverall effectiveness\n\nGrade 3 (adequate)\n\n"
            "4. The overall effectiveness of services for looked after children is adequate.\n\n"
            "Capacity for improvement\n\nGrade 3 (adequate)\n\n5. Capacity for improvement is adequate.\n\n"
            "Areas for improvement\n\n6. To make services better, the council is asked to act as follows.\n\n"
            "Immediately:\n\n- ensure that every child has a care plan.\n")
    report = parse_text(text, "x.txt")
    assert [(r.section, r.timescale, r.paragraph) for r in report.recommendations] == [
        ("safeguarding", "within-3-months", 3), ("looked-after", "immediately", 6)]
    assert {j.area: j.paragraph for j in report.judgements} == {
        "slac.safeguarding.overall-effectiveness": 1, "slac.safeguarding.capacity-for-improvement": 2,
        "slac.looked-after.overall-effectiveness": 4, "slac.looked-after.capacity-for-improvement": 5}
