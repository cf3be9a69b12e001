"""Named organisations and recommendation addressees (ofsted_kg.agencies).

Every snippet here is invented for the tests (invented places: Northbury, Westshire, Eastmoor,
Southdale, Riverside); the seeds test at the end runs over ../shared when it is present.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, shared_path
from ofsted_kg import agencies
from ofsted_kg.model import Authority, Inspection, Paragraph, Recommendation, Report

CASES = FIXTURES / "agencies"


def annotate(text: str, authority: str = "Northbury", framework: str = "slac", start: str | None = "2011-05-09",
             recs: list[str] = (), paragraphs: list[Paragraph] = (), official: str | None = None) -> Report:
    r = Report(source="t.txt", framework=framework, authority=Authority(authority, official),
               inspection=Inspection(start_date=start),
               recommendations=[Recommendation(text=t) for t in recs], paragraphs=list(paragraphs))
    agencies.annotate(text, r)
    return r


def names(r: Report) -> dict[str, str]:
    return {a.name: a.type for a in r.agencies}


def one(r: Report, name: str):
    hits = [a for a in r.agencies if a.name == name]
    assert len(hits) == 1, f"{name!r} not found once in {names(r)}"
    return hits[0]


# ---------------------------------------------------------------- abbreviations and spellings

def test_abbreviation_defined_in_brackets_is_the_same_organisation():
    r = annotate("The Northbury Safeguarding Children Board (NSCB) is chaired independently. "
                 "The NSCB has a business plan. The NSCB audits cases.")
    board = one(r, "Northbury Safeguarding Children Board")
    assert board.type == "safeguarding-board"
    assert "NSCB" in board.aliases
    assert board.mentions == 3
    assert len(r.agencies) == 1


def test_bracketed_words_that_do_not_fit_the_initials_are_no_abbreviation():
    r = annotate("Services are provided by Riverside Community NHS Trust (the main provider) and "
                 "Westshire Constabulary (WXY).")
    assert one(r, "Riverside Community NHS Trust").aliases == []
    assert one(r, "Westshire Constabulary").aliases == []


def test_leading_the_is_one_organisation_with_the_bare_name():
    r = annotate("Staff from the Riverside NHS Trust attended. Riverside NHS Trust provides health visiting. "
                 "The Riverside NHS Trust also runs clinics.")
    trust = one(r, "Riverside NHS Trust")
    assert trust.type == "nhs-trust" and trust.mentions == 3
    assert len(r.agencies) == 1


def test_foundation_trust_spellings_merge_to_the_fuller_name():
    r = annotate("Mental health care is provided by Eastmoor Partnership NHS Trust. Eastmoor Partnership NHS "
                 "Foundation Trust took over in April. Eastmoor Partnership NHS Foundation Trust reports to the board.")
    assert names(r) == {"Eastmoor Partnership NHS Foundation Trust": "nhs-trust"}
    assert one(r, "Eastmoor Partnership NHS Foundation Trust").aliases == ["Eastmoor Partnership NHS Trust"]


def test_soft_words_and_word_order_variants_merge():
    r = annotate("Acute care is provided by Northbury and Dale Healthcare NHS Trust. Northbury and Dale NHS Trust "
                 "runs the walk-in centre. The Dale Hospital Northbury Foundation Trust and Dale Northbury "
                 "Hospital Foundation Trust are one trust spelt two ways.")
    got = names(r)
    assert "Northbury and Dale Healthcare NHS Trust" in got
    assert len([n for n in got if "Hospital" in n]) == 1
    assert len(got) == 2


def test_different_trusts_stay_apart():
    r = annotate("Northbury Hospitals NHS Trust and Riverside Community NHS Trust work together, and "
                 "NHS Northbury commissions both.")
    assert names(r) == {"Northbury Hospitals NHS Trust": "nhs-trust", "Riverside Community NHS Trust": "nhs-trust",
                        "NHS Northbury": "primary-care-trust"}


def test_primary_care_trust_spellings_take_the_nhs_place_name():
    r = annotate("NHS Northbury City commissions services. Northbury Primary Care Trust (PCT) funds the nurses. "
                 "NHS Northbury PCT should review capacity; NHS Northbury PCT agreed.")
    pct = one(r, "NHS Northbury")
    assert pct.type == "primary-care-trust"
    assert {"NHS Northbury City", "Northbury Primary Care Trust", "NHS Northbury PCT", "PCT"} <= set(pct.aliases)
    assert len(r.agencies) == 1


# ---------------------------------------------------------------- generic phrases

GENERIC = (
    "Health partners and the police met the NHS Trust. The Children were seen. Working Together To Safeguard "
    "Children is followed. Looked After Children have plans. Every Child Matters outcomes are met. Her "
    "Majesty's Inspectors met the Children in Care Council. The Children and Young People's Plan is agreed. "
    "University Hospital staff and the Children's Trust attended. The Primary Care Trusts and the Foundation "
    "Trust agreed. Care4Me is used by the Children's Service. The County Council and the Police.\n"
)


def test_generic_phrases_are_not_organisations():
    r = annotate(GENERIC)
    assert r.agencies == []


def test_sentence_and_title_words_are_not_part_of_a_name():
    r = annotate("In Westshire Constabulary, officers are trained. Inspection of Northbury City Council\n"
                 "Although Westshire Constabulary agreed, Leadership and Management Westshire Constabulary did not.")
    assert names(r) == {"Westshire Constabulary": "police", "Northbury City Council": "local-authority"}


def test_title_case_function_words_end_a_name():
    r = annotate("Relationships With Westshire Police Are Strong. Between 2010 and 2011 Westshire Police changed.")
    assert names(r) == {"Westshire Police": "police"}


def test_a_heading_line_does_not_run_into_the_name_below_it():
    r = annotate("Partnership Arrangements\nWestshire Constabulary has a dedicated team for child protection work.")
    assert names(r) == {"Westshire Constabulary": "police"}


def test_blank_line_between_words_is_no_name_regression():
    # '$' also matched before a final line break, so 'Westshire\n\nPolice' made 'Westshire Police'
    r = annotate("The leaders of all district councils and the Chairs of Westshire\n\nPolice and Fire Authority meet.")
    assert r.agencies == []


def test_a_name_wrapped_over_lines_of_a_paragraph_is_whole():
    r = annotate("Health services for children who are looked after are provided in the area by Riverside\n"
                 "Community NHS Trust, which employs the designated nurse.")
    assert names(r) == {"Riverside Community NHS Trust": "nhs-trust"}


def test_a_list_of_places_sharing_one_head_makes_no_organisation():
    r = annotate("The Northbury, Southdale and Westvale Primary Care Trusts work as a cluster. "
                 "Westshire & Northbury and Eastmoor PCTs agreed.")
    assert r.agencies == []


def test_two_names_joined_by_and_are_two_names():
    r = annotate("Portfolio staff of Northbury City Council and Westshire Constabulary met. Services moved from "
                 "Riverside Community Health and Riverside Partnership Foundation Trust.")
    assert names(r) == {"Northbury City Council": "local-authority", "Westshire Constabulary": "police",
                        "Riverside Partnership Foundation Trust": "nhs-trust"}


def test_council_named_by_the_authority_only():
    r = annotate("Northbury Council leads the work. The Children in Care Council and the Youth Council meet.")
    assert names(r) == {"Northbury Council": "local-authority"}
    r = annotate("Northbury Council leads the work.", official="Northbury City Council")
    assert names(r) == {"Northbury City Council": "local-authority"}


def test_london_borough_title_stops_at_its_line():
    r = annotate("London Borough of Northbury and\nWest Dale\nInspection of services for children", authority="Northbury and West Dale")
    assert names(r) == {"London Borough of Northbury and West Dale": "local-authority"}


# ---------------------------------------------------------------- boards belong to their authority

def test_generic_lscb_is_the_inspected_authoritys_board():
    text = "The Local Safeguarding Children Board (LSCB) meets monthly. The LSCB publishes an annual report."
    a = annotate(text, authority="Northbury")
    b = annotate(text, authority="Southdale")
    assert names(a) == {"Northbury Safeguarding Children Board": "safeguarding-board"}
    assert names(b) == {"Southdale Safeguarding Children Board": "safeguarding-board"}
    assert one(a, "Northbury Safeguarding Children Board").mentions == 2


def test_named_board_and_generic_board_are_one():
    r = annotate("The Northbury Local Safeguarding Children Board met. The Local Safeguarding Children Board "
                 "agreed. The LSCB and Northbury Safeguarding Children Board are the same body.")
    assert names(r) == {"Northbury Safeguarding Children Board": "safeguarding-board"}


def test_generic_board_joins_the_board_named_with_a_shorter_or_joint_place():
    r = annotate("The Kingsford Safeguarding Children Board (KSCB) met. The LSCB agreed.",
                 authority="Kingsford upon Avon")
    assert names(r) == {"Kingsford Safeguarding Children Board": "safeguarding-board"}
    assert one(r, "Kingsford Safeguarding Children Board").mentions == 2
    r = annotate("The Westshire and Eastshire Safeguarding Children Board met. The LSCB agreed.",
                 authority="Westshire")
    assert names(r) == {"Westshire and Eastshire Safeguarding Children Board": "safeguarding-board"}


def test_generic_board_stays_apart_when_two_named_boards_could_be_it():
    r = annotate("The Westshire and Eastshire Safeguarding Children Board and the Westshire and Northdale "
                 "Safeguarding Children Board both met. The LSCB agreed.", authority="Westshire")
    assert set(names(r)) == {"Westshire and Eastshire Safeguarding Children Board",
                             "Westshire and Northdale Safeguarding Children Board",
                             "Westshire Safeguarding Children Board"}
    assert one(r, "Westshire Safeguarding Children Board").mentions == 1


def test_generic_board_without_a_known_authority_is_dropped():
    r = annotate("The LSCB meets monthly.", authority="")
    assert r.agencies == []


def test_adults_board_and_partnership_stay_apart_from_the_childrens_board():
    r = annotate("The Northbury Safeguarding Children Board and Northbury Safeguarding Adults Board share a "
                 "chair. The local safeguarding children partnership replaced the board.", framework="ilacs",
                 start="2021-03-01")
    assert names(r) == {"Northbury Safeguarding Children Board": "safeguarding-board",
                        "Northbury Safeguarding Adults Board": "safeguarding-board",
                        "Northbury Safeguarding Children Partnership": "safeguarding-partnership"}
    r = annotate("The local safeguarding partnership and the LSCP agreed.", framework="ilacs", start="2022-03-01")
    assert names(r) == {"Northbury Safeguarding Children Partnership": "safeguarding-partnership"}
    assert one(r, "Northbury Safeguarding Children Partnership").mentions == 2


def test_same_organisation_same_name_across_reports():
    a = annotate("Westshire Constabulary and the Riverside NHS Trust attended.", authority="Northbury")
    b = annotate("Partners include The Riverside NHS Trust. Westshire Constabulary agreed.", authority="Southdale")
    assert set(names(a)) == set(names(b)) == {"Westshire Constabulary", "Riverside NHS Trust"}


def test_bare_nhs_place_is_typed_by_the_nhs_of_its_time():
    text = "NHS Northbury commissions health visiting."
    assert names(annotate(text, start="2010-06-01")) == {"NHS Northbury": "primary-care-trust"}
    assert names(annotate(text, start="2016-06-01", framework="sif")) == {"NHS Northbury": "clinical-commissioning-group"}
    assert names(annotate(text, start="2023-06-01", framework="ilacs")) == {"NHS Northbury": "integrated-care-board"}
    r = annotate("NHS Northbury Integrated Care Board (ICB) and the NHS Long Term Plan.", start="2023-06-01")
    assert names(r) == {"Northbury Integrated Care Board": "integrated-care-board"}


def test_ambulance_service_is_an_nhs_trust_under_either_spelling():
    r = annotate("The North Westshire Ambulance Service attends. North Westshire Ambulance Service NHS Foundation "
                 "Trust reports to the board.")
    assert names(r) == {"North Westshire Ambulance Service": "nhs-trust"}


def test_named_national_organisations():
    r = annotate("The Children and Family Court Advisory and Support Service (Cafcass) and CAFCASS officers, "
                 "Barnardo's and Barnardos, the NSPCC, the Department for Education (DfE) and Ofsted.")
    assert names(r) == {"Cafcass": "government", "Barnardo's": "voluntary", "NSPCC": "voluntary",
                        "Department for Education": "government", "Ofsted": "inspectorate"}


def test_every_type_used_is_in_the_type_list():
    t = agencies.terms()
    r = annotate(Path(CASES / "slac-partners" / "input.txt").read_text())
    assert {a.type for a in r.agencies} <= set(t.types)
    assert {h.type for h in t.heads} | {n["type"] for n in t.named} <= set(t.types)


def test_a_head_pattern_that_does_not_open_with_a_word_is_refused():
    # the fast trigger scan needs every pattern to open with a literal word
    data = json.loads(agencies.TERMS_FILE.read_text())
    data["heads"].append({"type": "other", "pattern": "(?:Big )?Agency", "key_drop": []})
    with pytest.raises(ValueError, match="must start with a word"):
        agencies.Terms(data)


def test_unknown_type_in_the_term_list_is_refused(tmp_path):
    data = json.loads(agencies.TERMS_FILE.read_text())
    data["named"].append({"name": "Somebody", "type": "no-such-type", "match": []})
    with pytest.raises(ValueError, match="no-such-type"):
        agencies.Terms(data)


# ---------------------------------------------------------------- paragraphs and mentions

def test_paragraphs_naming_each_organisation():
    paras = [Paragraph(1, "Westshire Constabulary and the Riverside NHS Trust met.", "Partnerships"),
             Paragraph(2, "The LSCB agreed a plan.", "Partnerships"),
             Paragraph(3, "Nothing named here.", None),
             Paragraph(4, "The Riverside NHS Trust\nand the Northbury Safeguarding Children Board.", None)]
    text = "\n".join(f"{p.number}. {p.text}" for p in paras)
    r = annotate(text, paragraphs=paras)
    assert one(r, "Westshire Constabulary").paragraphs == [1]
    assert one(r, "Riverside NHS Trust").paragraphs == [1, 4]
    assert one(r, "Northbury Safeguarding Children Board").paragraphs == [2, 4]


def test_annotating_twice_gives_the_same_result():
    text = (CASES / "slac-partners" / "input.txt").read_text()
    a, b = annotate(text), annotate(text)
    assert [x.__dict__ for x in a.agencies] == [x.__dict__ for x in b.agencies]


# ---------------------------------------------------------------- addressees

@pytest.mark.parametrize("rec, want", [
    ("Northbury City Council and Westshire Constabulary to ensure that strategy discussions are recorded.",
     ["Northbury City Council", "Westshire Constabulary"]),
    ("Northbury City Council and health partners to review the provision of equipment.", ["Northbury City Council"]),
    ("Northbury City Council and partners to ensure delivery of briefings.", ["Northbury City Council"]),
    ("NSCB to ensure that it monitors the training programme.", ["Northbury Safeguarding Children Board"]),
    ("NSBC to ensure that it monitors the training programme.", ["Northbury Safeguarding Children Board"]),
    ("NHS Northbury (the Westshire cluster) and Riverside NHS Trust together with Northbury City Council to "
     "ensure that health assessments are timely.", ["NHS Northbury", "Riverside NHS Trust", "Northbury City Council"]),
    ("NHS Northbury PCT should ensure that there is sufficient capacity.", ["NHS Northbury"]),
    ("The LSCB should evaluate the impact of its training.", ["Northbury Safeguarding Children Board"]),
    ("Ensure that Northbury City Council records the views of children.", []),
    ("Northbury City Council's audit programme is to be extended.", []),
    ("The local authority and its partners should ensure that plans are reviewed.", []),
    ("XYZ to ensure that plans are reviewed.", []),
    ("The LSCB and the local authority should agree a threshold document.", ["Northbury Safeguarding Children Board"]),
    ("Westshire Constabulary, with partners, should review the protocol.", ["Westshire Constabulary"]),
    ("The police and Northbury City Council should review the protocol.",
     ["Westshire Constabulary", "Northbury City Council"]),
    ("The PCT should ensure that health assessments are timely.", ["NHS Northbury"]),
    ("The police and children's social care should agree a protocol.", ["Westshire Constabulary"]),
    ("Westshire Constabulary, schools and the council to share information.", ["Westshire Constabulary"]),
    ("The CCG should ensure that health assessments are timely.", []),  # the report names no CCG
])
def test_addressees(rec, want):
    text = ("Staff from Northbury City Council, NHS Northbury, Riverside NHS Trust and Westshire Constabulary. "
            "The Northbury Safeguarding Children Board (NSCB) met.\n" + rec)
    r = annotate(text, recs=[rec])
    assert r.recommendations[0].addressees == want


def test_generic_addressee_needs_a_single_organisation_of_its_type():
    text = "Westshire Constabulary and Eastmoor Police met.\n"
    r = annotate(text, recs=["The police should review the protocol."])
    assert r.recommendations[0].addressees == []


@pytest.mark.parametrize("typo, want", [
    ("NASB", ["Northbury Safeguarding Adults Board"]),    # the letters of NSAB, not of NSCB
    ("NCSB", ["Northbury Safeguarding Children Board"]),  # the letters of NSCB
    ("SNCB", []),                                         # first letter differs: not a typo we resolve
])
def test_misspelt_abbreviation_resolves_to_the_one_with_the_same_letters(typo, want):
    text = ("The Northbury Safeguarding Children Board (NSCB) and the Northbury Safeguarding Adults "
            "Board (NSAB) met.\n")
    r = annotate(text, recs=[f"{typo} to ensure that it monitors training."])
    assert r.recommendations[0].addressees == want


# ---------------------------------------------------------------- golden fixtures

def _fixture_report(case: Path) -> Report:
    meta = json.loads((case / "report.json").read_text())
    text = (case / "input.txt").read_text()
    paras = [Paragraph(int(m.group(1)), " ".join(m.group(2).split()), None)  # up to a blank line or the next number
             for m in re.finditer(r"^(\d+)\. (.+?)(?=\n\d+\. |\n\n|\Z)", text, re.M | re.S)]
    recs = [Recommendation(text=m.group(1)) for m in re.finditer(r"^- (.+)$", text, re.M)]
    r = Report(source="input.txt", framework=meta["framework"],
               authority=Authority(meta["authority"], meta.get("official_name")),
               inspection=Inspection(start_date=meta.get("start_date")), recommendations=recs, paragraphs=paras)
    agencies.annotate(text, r)
    return r


def _fixture_output(r: Report) -> dict:
    return {"agencies": [a.__dict__ for a in r.agencies],
            "addressees": [rec.addressees for rec in r.recommendations]}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_fixture_case(case):
    r = _fixture_report(CASES / case)
    want = json.loads((CASES / case / "expected.json").read_text())
    assert _fixture_output(r) == want


# ---------------------------------------------------------------- seeds (../shared)

def _norm(s: str) -> str:
    s = (s or "").lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", s).split())


@pytest.mark.corpus
def test_seeds_agencies_against_gold():
    from ofsted_kg.extract import extract_file

    gold = json.loads(shared_path("eval", "seeds.gold.json").read_text())
    seeds = shared_path("corpus", "seeds")
    bad = {_norm(x) for x in gold["not_agencies"]}
    found = typed = total = 0
    canon: dict[str, list] = {}
    for name, g in gold["reports"].items():
        r = extract_file(seeds / name)
        canon[name] = r.agencies
        for a in r.agencies:
            assert _norm(a.name) not in bad, f"{name}: {a.name!r} is not an organisation"
        for ga in g.get("agencies", []):
            total += 1
            keys = {_norm(ga["name"])} | {_norm(x) for x in ga.get("aliases", [])}
            hit = next((a for a in r.agencies if ({_norm(a.name)} | {_norm(x) for x in a.aliases}) & keys), None)
            found += hit is not None
            typed += hit is not None and hit.type == ga["type"]
    assert found >= total - 2 and typed >= total - 2, f"found {found}, typed {typed} of {total}"
    for rec in gold["recurring"]:
        got = {next((a.name for a in canon[rep] if _norm(rec["name"]) in
                     {_norm(a.name)} | {_norm(x) for x in a.aliases}), None) for rep in rec["reports"]}
        assert len(got) == 1 and None not in got, f"{rec['name']}: {got}"


def test_regression_local_authority_and_police_is_not_one_agency():
    """'the LSCB, Local Authority and X Police' once gave an agency 'Authority and X Police'."""
    from ofsted_kg.parse import parse_text

    r = parse_text("Inspection of Examplebury local authority children's services\n"
                   "Inspection dates: 3 to 14 March 2025\n"
                   "1. In response, the ESCB, Local Authority and Examplebury Police have reviewed the plan.\n",
                   "invented.txt")
    names = [a.name for a in r.agencies]
    assert "Examplebury Police" in names
    assert not any(n.startswith("Authority") for n in names)
