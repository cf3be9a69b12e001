"""SIF and ILACS layout parsers and PDF page-furniture removal, on invented reports.

Each folder tests/fixtures/extract/sif-*/ and ilacs-*/ holds a short invented report in one
layout variant (input.txt in PDF-text form with form feeds and page furniture, or input.md as a
markdown extraction) and the expected JSON beside it. Only the fields these parsers own are
compared (agencies, addressees and themes belong to other modules).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ofsted_kg.extract import extract_file
from ofsted_kg.parse import common, detect_framework, ilacs, pages

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
CASES = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith(("sif-", "ilacs-")))
OWNED = ["source", "framework", "authority", "inspection", "inspection_type", "judgements", "warnings"]
REC_FIELDS = ("text", "timescale", "section", "paragraph")


def _input(case: Path) -> Path:
    return next(p for p in case.iterdir() if p.name.startswith("input."))


def test_every_layout_variant_has_a_case():
    names = {c.name for c in CASES}
    for variant in ("sif-with-lscb", "sif-reinspection", "sif-lscb-review", "ilacs-2018-22", "ilacs-2023",
                    "ilacs-2026"):
        assert variant in names


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture_report(case: Path):
    got = extract_file(_input(case)).to_dict()
    want = json.loads((case / "expected.json").read_text())
    for key in OWNED:
        assert got[key] == want[key], key
    assert [{k: r[k] for k in REC_FIELDS} for r in got["recommendations"]] == want["recommendations"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture_output_matches_schema(case: Path, extract_schema):
    import jsonschema

    jsonschema.validate(extract_file(_input(case)).to_dict(), extract_schema)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fixture_framework_detected(case: Path):
    text = common.normalise(_input(case).read_text())
    assert detect_framework(text) == case.name.split("-")[0]


# --- page furniture -------------------------------------------------------------------------

def _doc(*pages_: str) -> str:
    return "\f".join(pages_)


def test_page_numbers_removed_and_paragraph_joined():
    text = _doc("1\nTitle\n3. The first part of a", "2\nsentence goes on here.\n4. Next.",
                "3\nMore text.", "4\nEnd.")
    out = pages.strip_furniture(text)
    assert "3. The first part of a\nsentence goes on here." in out
    assert not any(ln.strip().isdigit() for ln in out.splitlines())


def test_running_header_with_dates_and_page_number_removed():
    head = "Inspection of Brindle local authority children's services\n5 to 9 June 2023 {}\n"
    text = _doc("Inspection of Brindle local\nauthority children's services\nbody one",
                *(head.format(n) + text for n, text in zip(range(2, 6), ["Alpha.", "Beta.", "Gamma.", "Delta."])))
    out = pages.strip_furniture(text)
    assert "5 to 9 June" not in out
    assert out.count("Inspection of Brindle local authority children's services") == 0
    assert "Inspection of Brindle local\nauthority" in out  # the title itself stays
    assert out.splitlines()[-4:] == ["Alpha.", "Beta.", "Gamma.", "Delta."]


def test_footnote_and_its_marker_removed():
    text = _doc("1\nWhat needs to improve?1\n\u25fc An item.\n \n1 An invented footnote that runs on"
                "\nto a second line.", "2\nNext page.", "3\nx", "4\ny")
    out = pages.strip_furniture(text)
    assert "What needs to improve?\n" in out
    assert "invented footnote" not in out and "second line" not in out


def test_footnote_marker_is_not_taken_from_a_numbered_table_row():
    # regression: the marker '1' of footnote 1 was removed from '2.1 Adoption performance'
    text = _doc("1\nReview of the board1\n2.1 Adoption performance Good\n \n1 Invented footnote text.",
                "2\nx", "3\ny")
    out = pages.strip_furniture(text)
    assert "2.1 Adoption performance Good" in out
    assert "Review of the board\n" in out


def test_numbered_paragraph_at_page_foot_is_not_a_footnote():
    text = _doc("1\nHeading\n2\nA numbered line that has no marker above it.", "2\nx", "3\ny")
    out = pages.strip_furniture(text)  # no marker '2' before it: a footnote needs its marker
    assert "A numbered line that has no marker" in out


def test_text_without_page_breaks_unchanged():
    text = "Title\n1\nSome text\n2 Footnote-like line"
    assert pages.strip_furniture(text) == text


# --- names and types ------------------------------------------------------------------------

@pytest.mark.parametrize("printed,name,official", [
    ("London Borough of Hammersmith & Fulham", "Hammersmith and Fulham", "London Borough of Hammersmith and Fulham"),
    ("Hampshire County Council", "Hampshire", "Hampshire County Council"),
    ("Portsmouth City", "Portsmouth", None),
    ("Sandwell Metropolitan Borough Council", "Sandwell", "Sandwell Metropolitan Borough Council"),
    ("Surrey Safeguarding Children Board", "Surrey", None),
    ("the Isle of Wight", "Isle of Wight", None),
])
def test_authority_names(printed, name, official):
    assert common.authority_names(printed) == (name, official)


@pytest.mark.parametrize("start,end,kind", [
    ("2024-03-11", "2024-03-15", "short"),
    ("2022-11-07", "2022-11-18", "standard"),
    ("2019-06-03", "2019-06-19", None),  # longer than a standard inspection: not guessed
])
def test_ilacs_inspection_type_from_on_site_days(start, end, kind):
    assert ilacs._type_from_dates(start, end) == kind


def test_furniture_lines_are_the_lines_strip_furniture_drops():
    text = _doc("1\nTitle line\nBody of page one1\n \n1 A footnote.", "2\nBody two.", "3\nBody three.")
    offsets = pages.furniture_lines(text)
    dropped = [text[o:].split("\n", 1)[0].split("\f")[0] for o in offsets]
    assert dropped == ["1", "1 A footnote.", "2", "3"]
    kept = pages.strip_furniture(text)
    assert kept == "Title line\nBody of page one\nBody two.\nBody three."


EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "reports"
# the bundled invented sample (README's main job): every SIF/ILACS variant, all areas graded
EXAMPLE_AREAS = {
    "sif-brackenshire-2014.txt": 7, "sif-harlbury-2017-reinspection.txt": 6,
    "sif-lscb-review-fennick-and-wold-2015.txt": 1, "ilacs-brackenshire-2019.txt": 4,
    "ilacs-fennick-and-wold-2023.md": 5, "ilacs-harlbury-2026.txt": 4,
}


@pytest.mark.parametrize("name", sorted(EXAMPLE_AREAS))
def test_example_report(name):
    path = EXAMPLES / name
    assert path.read_text().startswith("INVENTED SAMPLE REPORT")
    r = extract_file(path)
    assert r.framework == name.split("-")[0]
    assert len(r.judgements) == EXAMPLE_AREAS[name] and not r.warnings
    assert r.recommendations and r.inspection.lead_inspector and r.inspection.start_date


@pytest.mark.parametrize("name", sorted(EXAMPLE_AREAS))
def test_example_report_matches_schema(name, extract_schema):
    import jsonschema

    jsonschema.validate(extract_file(EXAMPLES / name).to_dict(), extract_schema)


def test_ilacs_table_without_its_header_row():
    text = (FIXTURES / "ilacs-markdown" / "input.md").read_text()
    text = text.replace("| Judgement | Grade |\n|--|-------------|\n", "")
    r = extract_file_text(text)
    assert [(j.area, j.grade, j.evidence) for j in r.judgements][-1] == (
        "ilacs.overall-effectiveness", "good", "summary-table")
    assert len(r.judgements) == 4 and not r.warnings


def test_sif_recommendations_grouped_under_area_topics():
    from ofsted_kg.parse import sif

    body = "\n".join([
        "Recommendations",
        "Children who need help and protection",
        "1. Ensure that strategy discussions include the police.",
        "Leadership, management and governance",
        "2. Ensure that elected members scrutinise",
        "performance data.",
        "Summary for children and young people",
        "3. Not a recommendation.",
    ])
    recs = sif.recommendations(body, lscb_at=len(body))
    assert [(r.paragraph, r.text) for r in recs] == [
        (1, "Ensure that strategy discussions include the police."),
        (2, "Ensure that elected members scrutinise performance data."),
    ]


def extract_file_text(text: str):
    """Parse markdown text as extract does after reading it (markup removed)."""
    from ofsted_kg.parse import parse_text
    from ofsted_kg.read import clean_markup

    return parse_text(clean_markup(text), "input.md")


@pytest.mark.parametrize("head,dates", [
    ("Inspection dates: 29 April 2019 to 3 May\n2019\nLead inspector: X", ("2019-04-29", "2019-05-03")),
    ("Inspection dates:\n7 to 18 November 2022\nLead inspector: X", ("2022-11-07", "2022-11-18")),
    ("Inspection date: 1/06/2015 – 25/06/2015\nReport published: 10/08/2015", ("2015-06-01", "2015-06-25")),
    ("Inspection date: 20 June – 13 July 2017\n", ("2017-06-20", "2017-07-13")),
])
def test_inspection_dates_as_printed(head, dates):
    from ofsted_kg.parse import sif

    assert sif.parse_dates(sif.dates_line(common.normalise(head))) == dates


@pytest.mark.parametrize("dates,overall", [
    ("1 July 2019 to 12 July 2019", [("ilacs.overall-effectiveness", "good", "sentence")]),
    ("8 June 2026 to 19 June 2026", []),  # from April 2026 there is no overall judgement
])
def test_ilacs_overall_effectiveness_in_words_without_a_table(dates, overall):
    text = (FIXTURES / "ilacs-markdown" / "input.md").read_text()
    text = text[:text.index("| Judgement")] + "Children's services in Tarnwick are good.\n" + \
        text[text.index("INVENTED TEST REPORT"):]
    text = text.replace("1 July 2019 to 12 July 2019", dates)
    r = extract_file_text(text)
    got = [(j.area, j.grade, j.evidence) for j in r.judgements if j.area.endswith("overall-effectiveness")]
    assert got == overall
    assert len(r.judgements) == 3 + len(overall)  # the three sub-judgements from their headings


PDF_CASES = [c for c in CASES if (c / "input.txt").exists() and "\f" in (c / "input.txt").read_text()]
# glyphs outside the test PDF's WinAnsi font, replaced by ones a real report could use
_WINANSI = str.maketrans({"\u25fc": "\u2022", "\uf06e": "\u2022", "\u2212": "-"})


@pytest.mark.parametrize("case", PDF_CASES, ids=lambda p: p.name)
def test_fixture_as_real_pdf(case: Path, tmp_path: Path):
    """The PDF-text fixtures written into real PDFs read back (pypdfium2) to the same report."""
    from pdfmaker import make_pdf

    text = (case / "input.txt").read_text().translate(_WINANSI)
    pdf = tmp_path / "input.txt.pdf"
    pdf.write_bytes(make_pdf([page.split("\n") for page in text.split("\f")]))
    got = extract_file(pdf).to_dict()
    want = json.loads((case / "expected.json").read_text())
    for key in OWNED[1:]:
        assert got[key] == want[key], key
    assert [{k: r[k] for k in REC_FIELDS} for r in got["recommendations"]] == want["recommendations"]


@pytest.mark.parametrize("body", [
    "What needs to improve\nThe use of family group conferences before\nproceedings.\n"
    "The board's reach (in schools and colleges).\nThe experiences and progress of children who need help and "
    "protection: good\n1. Text.",
    "What needs to improve\n\nThe use of family group conferences before proceedings.\n\n"
    "The board's reach (in schools and colleges).\n\nThe experiences and progress of children who need help and "
    "protection is good\n",
], ids=["pdf-lines", "paragraphs"])
def test_ilacs_list_whose_bullets_were_lost(body):
    assert [r.text for r in ilacs.recommendations(body)] == [
        "The use of family group conferences before proceedings.",
        "The board's reach (in schools and colleges).",
    ]


def test_sif_summary_table_with_markdown_cell_separators():
    text = (FIXTURES / "sif-reinspection" / "input.txt").read_text().replace("\f", "\n")
    rows = ["| 1. Children who need help and protection | Requires improvement |",
            "| 2. Children looked after and achieving permanence | Requires improvement |",
            "| 2.1 Adoption performance | Good |", "| 2.2 Experiences and progress of care leavers | Requires "
            "improvement |", "| 3. Leadership, management and governance | Good |"]
    head, rest = text.split("1. Children who need help and protection", 1)
    text = head + "\n".join(rows) + "\n" + rest[rest.index("Executive summary"):]
    want = json.loads((FIXTURES / "sif-reinspection" / "expected.json").read_text())
    got = extract_file_text(text)
    assert [(j.area, j.grade) for j in got.judgements] == [(j["area"], j["grade"]) for j in want["judgements"]]
    assert {j.evidence for j in got.judgements[1:]} == {"summary-table"} and not got.warnings


def test_paragraph_number_glued_to_its_text_gets_its_space():
    # regression: '12.Disabled children ...' (no space in the PDF) hid paragraphs 10 and up
    text = "11. Text.\n12.Disabled children are seen.\n13.\u2018Quoted\u2019 start.\nIt is 3.5 times higher.\n"
    assert pages.unglue_paragraph_numbers(text) == (
        "11. Text.\n12. Disabled children are seen.\n13. \u2018Quoted\u2019 start.\nIt is 3.5 times higher.\n")
