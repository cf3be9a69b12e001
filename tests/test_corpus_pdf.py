"""SIF and ILACS parsing over the real PDFs in ../shared/corpus/pdf (skipped without it).

The expected values below were checked against the report text (summary table, the grade in
each judgement's section heading, the title block and the inspection-team list); they are test
data, not parser input. Where reference-peer.csv differs, the report text decided (ILACS
reports print no publication date, so none is expected; the 2015 Stoke-on-Trent report prints
10/08/2015, not the date in its file name).
"""
from __future__ import annotations

import pytest

from ofsted_kg.extract import extract_file
from ofsted_kg.read import ReadError

EXPECTED = {
    "80418_norfolk_13-january-2023.pdf": ("ilacs", "standard", "2022-11-07", "2022-11-18", None, "Margaret Burke",
        {"impact-of-leaders": "good", "help-and-protection": "good", "children-in-care-and-care-leavers": "good", "overall-effectiveness": "good"}, 3),
    "80419_isle-of-wight_07-january-2019.pdf": ("ilacs", "standard", "2018-11-19", "2018-11-30", None, "Tracey Scott",
        {"impact-of-leaders": "good", "help-and-protection": "good", "children-in-care-and-care-leavers": "good", "overall-effectiveness": "good"}, 4),
    "80419_isle-of-wight_15-december-2023.pdf": ("ilacs", "short", "2023-10-30", "2023-11-03", None, "Amanda Maxwell",
        {"impact-of-leaders": "good", "help-and-protection": "requires-improvement", "children-in-care": "good", "care-leavers": "good", "overall-effectiveness": "good"}, 4),
    "80419_isle-of-wight_19-november-2014.pdf": ("sif", None, "2014-09-16", "2014-10-08", "2014-11-19", "Jansy Kelly",
        {"overall-effectiveness": "requires-improvement", "help-and-protection": "requires-improvement", "looked-after-and-permanence": "requires-improvement", "adoption-performance": "requires-improvement", "care-leavers": "requires-improvement", "leadership-management-and-governance": "requires-improvement", "lscb-effectiveness": "requires-improvement"}, 33),
    "80430_blackburn-with-darwen_18-march-2022.pdf": ("ilacs", "standard", "2022-01-24", "2022-02-04", None, "Kathryn Grindrod",
        {"impact-of-leaders": "requires-improvement", "help-and-protection": "requires-improvement", "children-in-care-and-care-leavers": "requires-improvement", "overall-effectiveness": "requires-improvement"}, 10),
    "80442_buckinghamshire_14-may-2025.pdf": ("ilacs", "standard", "2025-01-27", "2025-02-07", None, "Nick Bennison",
        {"impact-of-leaders": "requires-improvement", "help-and-protection": "requires-improvement", "children-in-care": "good", "care-leavers": "requires-improvement", "overall-effectiveness": "requires-improvement"}, 7),
    "80472_hampshire_11-june-2019.pdf": ("ilacs", "short", "2019-04-29", "2019-05-03", None, "Donna Marriott",
        {"impact-of-leaders": "outstanding", "help-and-protection": "outstanding", "children-in-care-and-care-leavers": "outstanding", "overall-effectiveness": "outstanding"}, 2),
    "80472_hampshire_22-april-2014.pdf": ("sif", None, "2014-02-18", "2014-03-12", None, "Gary Lamb",
        {"overall-effectiveness": "good", "help-and-protection": "good", "looked-after-and-permanence": "good", "adoption-performance": "outstanding", "care-leavers": "good", "leadership-management-and-governance": "outstanding", "lscb-effectiveness": "good"}, 10),
    "80472_hampshire_23-july-2024.pdf": ("ilacs", "short", "2024-06-10", "2024-06-14", None, "Kendra Bell",
        {"impact-of-leaders": "outstanding", "help-and-protection": "outstanding", "children-in-care": "outstanding", "care-leavers": "good", "overall-effectiveness": "outstanding"}, 2),
    "80473_hartlepool_16-may-2024.pdf": ("ilacs", "short", "2024-03-18", "2024-03-22", None, "Louise Walker",
        {"impact-of-leaders": "outstanding", "help-and-protection": "outstanding", "children-in-care": "outstanding", "care-leavers": "good", "overall-effectiveness": "outstanding"}, 2),
    "80489_brent_02-july-2018.pdf": ("ilacs", "standard", "2018-05-14", "2018-05-25", None, "Tracey Metcalfe",
        {"impact-of-leaders": "good", "help-and-protection": "requires-improvement", "children-in-care-and-care-leavers": "outstanding", "overall-effectiveness": "good"}, 4),
    "80492_croydon_04-september-2017.pdf": ("sif", None, "2017-06-20", "2017-07-13", "2017-09-04", "Marcie Taylor",
        {"overall-effectiveness": "inadequate", "help-and-protection": "inadequate", "looked-after-and-permanence": "inadequate", "adoption-performance": "requires-improvement", "care-leavers": "requires-improvement", "leadership-management-and-governance": "inadequate", "lscb-effectiveness": "inadequate"}, 26),
    "80497_hammersmith-and-fulham_15-october-2019.pdf": ("ilacs", "short", "2019-09-09", "2019-09-13", None, "Tara Geere",
        {"impact-of-leaders": "good", "help-and-protection": "good", "children-in-care-and-care-leavers": "good", "overall-effectiveness": "good"}, 5),
    "80497_hammersmith-and-fulham_16-may-2024.pdf": ("ilacs", "short", "2024-03-11", "2024-03-15", None, "Christine Kennet",
        {"impact-of-leaders": "outstanding", "help-and-protection": "good", "children-in-care": "outstanding", "care-leavers": "outstanding", "overall-effectiveness": "outstanding"}, 2),
    "80497_hammersmith-and-fulham_29-march-2016.pdf": ("sif", None, "2016-01-11", "2016-02-04", "2016-03-29", "Pietro Battista",
        {"overall-effectiveness": "good", "help-and-protection": "good", "looked-after-and-permanence": "good", "adoption-performance": "outstanding", "care-leavers": "good", "leadership-management-and-governance": "outstanding", "lscb-effectiveness": "good"}, 11),
    "80505_islington_14-july-2017.pdf": ("sif", None, "2017-04-28", "2017-05-25", "2017-07-14", "Andy Whippey",
        {"overall-effectiveness": "good", "help-and-protection": "good", "looked-after-and-permanence": "good", "adoption-performance": "good", "care-leavers": "good", "leadership-management-and-governance": "outstanding", "lscb-effectiveness": "good"}, 10),
    "80518_wandsworth_20-july-2018.pdf": ("sif", "re-inspection", "2018-05-08", "2018-05-31", "2018-07-20", "Louise Warren",
        {"overall-effectiveness": "requires-improvement", "help-and-protection": "requires-improvement", "looked-after-and-permanence": "requires-improvement", "adoption-performance": "requires-improvement", "care-leavers": "good", "leadership-management-and-governance": "requires-improvement"}, 9),
    "80521_manchester_21-december-2017.pdf": ("sif", "re-inspection", "2017-10-09", "2017-11-02", "2017-12-21", "Brenda McLaughlin",
        {"overall-effectiveness": "requires-improvement", "help-and-protection": "requires-improvement", "looked-after-and-permanence": "requires-improvement", "adoption-performance": "good", "care-leavers": "requires-improvement", "leadership-management-and-governance": "good"}, 12),
    "80530_north-yorkshire_06-august-2018.pdf": ("ilacs", "short", "2018-07-02", "2018-07-06", None, "Matt Reed",
        {"impact-of-leaders": "outstanding", "help-and-protection": "outstanding", "children-in-care-and-care-leavers": "outstanding", "overall-effectiveness": "outstanding"}, 4),
    "80532_northumberland_02-march-2020.pdf": ("ilacs", "standard", "2020-01-20", "2020-01-31", None, "Mandy Nightingale",
        {"impact-of-leaders": "good", "help-and-protection": "good", "children-in-care-and-care-leavers": "good", "overall-effectiveness": "good"}, 4),
    "80532_northumberland_14-april-2016.pdf": ("sif", None, "2016-01-25", "2016-02-18", "2016-04-14", "Tracey Metcalfe",
        {"overall-effectiveness": "requires-improvement", "help-and-protection": "requires-improvement", "looked-after-and-permanence": "requires-improvement", "adoption-performance": "good", "care-leavers": "requires-improvement", "leadership-management-and-governance": "requires-improvement", "lscb-effectiveness": "good"}, 18),
    "80539_portsmouth_01-september-2014.pdf": ("sif", None, "2014-06-25", "2014-07-16", "2014-09-01", "Nigel Parkes",
        {"overall-effectiveness": "requires-improvement", "help-and-protection": "requires-improvement", "looked-after-and-permanence": "good", "adoption-performance": "good", "care-leavers": "requires-improvement", "leadership-management-and-governance": "good", "lscb-effectiveness": "good"}, 15),
    "80539_portsmouth_03-july-2023.pdf": ("ilacs", "short", "2023-05-15", "2023-05-19", None, "Christine Kennet",
        {"impact-of-leaders": "good", "help-and-protection": "outstanding", "children-in-care": "good", "care-leavers": "requires-improvement", "overall-effectiveness": "good"}, 3),
    "80539_portsmouth_15-october-2018.pdf": ("ilacs", "standard", "2018-09-03", "2018-09-14", None, "Linda Steele",
        {"impact-of-leaders": "good", "help-and-protection": "good", "children-in-care-and-care-leavers": "good", "overall-effectiveness": "good"}, 3),
    "80539_portsmouth_18-august-2026.pdf": ("ilacs", "short", "2026-07-06", "2026-07-10", None, "Steve Bailey",
        {"impact-of-leaders": "outstanding", "help-and-protection": "outstanding", "children-in-care": "outstanding", "care-leavers": "outstanding"}, 1),
    "80545_kingston-upon-thames_29-january-2025.pdf": ("ilacs", "short", "2024-12-02", "2024-12-06", None, "Nicki Shaw",
        {"impact-of-leaders": "outstanding", "help-and-protection": "outstanding", "children-in-care": "outstanding", "care-leavers": "outstanding", "overall-effectiveness": "outstanding"}, 1),
    "80549_sandwell_29-january-2018.pdf": ("sif", "re-inspection", "2017-11-06", "2017-11-30", "2018-01-29", "Karen Wareing",
        {"overall-effectiveness": "inadequate", "help-and-protection": "inadequate", "looked-after-and-permanence": "inadequate", "adoption-performance": "inadequate", "care-leavers": "requires-improvement", "leadership-management-and-governance": "inadequate"}, 17),
    "80555_somerset_17-june-2026.pdf": ("ilacs", "short", "2026-04-27", "2026-05-01", None, "Alison Smale",
        {"impact-of-leaders": "requires-improvement", "help-and-protection": "requires-improvement", "children-in-care": "requires-improvement", "care-leavers": "good"}, 8),
    "80558_southampton_09-january-2020.pdf": ("ilacs", "standard", "2019-11-18", "2019-11-29", None, "Nick Stacey",
        {"impact-of-leaders": "requires-improvement", "help-and-protection": "requires-improvement", "children-in-care-and-care-leavers": "requires-improvement", "overall-effectiveness": "requires-improvement"}, 6),
    "80558_southampton_15-september-2014.pdf": ("sif", None, "2014-07-08", "2014-07-30", "2014-09-15", "Nicholas McMullen",
        {"overall-effectiveness": "requires-improvement", "help-and-protection": "requires-improvement", "looked-after-and-permanence": "requires-improvement", "adoption-performance": "requires-improvement", "care-leavers": "inadequate", "leadership-management-and-governance": "requires-improvement", "lscb-effectiveness": "requires-improvement"}, 42),
    "80558_southampton_28-july-2023.pdf": ("ilacs", "standard", "2023-06-05", "2023-06-16", None, "Tom Anthony",
        {"impact-of-leaders": "outstanding", "help-and-protection": "good", "children-in-care": "good", "care-leavers": "good", "overall-effectiveness": "good"}, 4),
    "80561_staffordshire_21-march-2014.pdf": ("sif", None, "2014-01-14", "2014-02-05", None, "Mary Candlin",
        {"overall-effectiveness": "good", "help-and-protection": "good", "looked-after-and-permanence": "good", "adoption-performance": "good", "care-leavers": "good", "leadership-management-and-governance": "good", "lscb-effectiveness": "good"}, 10),
    "80564_stoke-on-trent_12-august-2015.pdf": ("sif", None, "2015-06-01", "2015-06-25", "2015-08-10", "Peter McEntee",
        {"overall-effectiveness": "requires-improvement", "help-and-protection": "requires-improvement", "looked-after-and-permanence": "requires-improvement", "adoption-performance": "good", "care-leavers": "requires-improvement", "leadership-management-and-governance": "requires-improvement", "lscb-effectiveness": "requires-improvement"}, 21),
    "80564_stoke-on-trent_18-march-2019.pdf": ("ilacs", "standard", "2019-02-04", "2019-02-15", None, "Neil Penswick",
        {"impact-of-leaders": "inadequate", "help-and-protection": "inadequate", "children-in-care-and-care-leavers": "inadequate", "overall-effectiveness": "inadequate"}, 15),
    "80567_surrey_03-august-2015.pdf": ("sif", "lscb-review", "2015-06-15", "2015-06-17", "2015-08-03", "Dominic Stevens",
        {"lscb-effectiveness": "requires-improvement"}, 8),
    "80573_trafford_03-august-2026.pdf": ("ilacs", "standard", "2026-06-08", "2026-06-19", None, "Leanne Cooper",
        {"impact-of-leaders": "inadequate", "help-and-protection": "inadequate", "children-in-care": "good", "care-leavers": "requires-improvement"}, 9),
    "80580_wiltshire_22-july-2019.pdf": ("ilacs", None, "2019-06-03", "2019-06-19", None, "Steve Lowe",
        {"impact-of-leaders": "good", "help-and-protection": "good", "children-in-care-and-care-leavers": "good", "overall-effectiveness": "good"}, 5),
}


@pytest.fixture(scope="module")
def parsed():
    from conftest import shared_path

    pdf_dir = shared_path("corpus", "pdf")
    out = {}
    for name in EXPECTED:
        path = pdf_dir / name
        if path.exists():
            out[name] = extract_file(path)
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_metadata_and_grades(parsed, name):
    if name not in parsed:
        pytest.skip(f"{name} is not in ../shared/corpus/pdf")
    r = parsed[name]
    framework, kind, start, end, published, lead, grades, n_recs = EXPECTED[name]
    assert r.framework == framework
    assert r.inspection_type == kind
    assert (r.inspection.start_date, r.inspection.end_date) == (start, end)
    assert r.inspection.published_date == published
    assert r.inspection.lead_inspector == lead
    assert {j.area.split(".", 1)[1]: j.grade for j in r.judgements} == grades
    assert len(r.recommendations) == n_recs
    assert r.warnings == []  # every heading grade agrees with the summary table


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_report_judgements_have_provenance(parsed, name):
    if name not in parsed:
        pytest.skip(f"{name} is not in ../shared/corpus/pdf")
    r = parsed[name]
    for j in r.judgements:
        assert j.evidence in ("summary-table", "heading", "sentence")
        if j.evidence == "summary-table":
            assert j.paragraph is not None or j.area.endswith("overall-effectiveness")
    # the judgement sections follow each other in the report's order, each opening a numbered run
    order = (["help-and-protection", "children-in-care-and-care-leavers", "children-in-care", "care-leavers",
              "impact-of-leaders"] if r.framework == "ilacs" else
             ["help-and-protection", "looked-after-and-permanence", "adoption-performance", "care-leavers",
              "leadership-management-and-governance", "lscb-effectiveness"])
    got = {j.area.split(".", 1)[1]: j.paragraph for j in r.judgements}
    numbers = [got[a] for a in order if got.get(a) is not None]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    if r.framework == "ilacs":
        assert got["help-and-protection"] == 1
    # every numbered paragraph found, once, in order (page furniture and glued numbers dealt with)
    assert [p.number for p in r.paragraphs] == list(range(1, len(r.paragraphs) + 1))
    for rec in r.recommendations:
        assert rec.text and not rec.text[0].isdigit() and "  " not in rec.text
        assert rec.section in (("local-authority", "lscb") if r.framework == "sif" else (None,))


def test_every_sif_and_ilacs_pdf_is_covered(pdf_dir):
    """A report added to the corpus still has to parse with its framework and graded areas."""
    for path in sorted(pdf_dir.glob("*.pdf")):
        try:
            r = extract_file(path)
        except ReadError:
            continue  # rejected by the reader (the HTML page saved as .pdf): tested in test_bad_input
        if r.framework in ("sif", "ilacs"):
            assert r.judgements, path.name
            assert r.inspection.start_date and r.inspection.lead_inspector, path.name
