"""Layout parser for the 2012-13 'Inspection of looked after children services'.

The layout is the looked after half of a SLAC report standing alone: a title block (title,
authority, inspection dates, reporting inspector, published date), numbered paragraphs,
'Overall effectiveness of services for looked after children and young people', 'Capacity to
improve' (each with 'Grade 3 (Adequate)' below), 'Areas for improvement' (lead-in paragraph,
then items under 'Immediately:' / 'Within three months:' / 'Within six months:'), 'Outcomes for
looked after children and young people', 'Quality of provision', 'Leadership and management'
(each graded), and the 'Record of main findings' table with the same five grades.

The reading is done by the machinery of :mod:`ofsted_kg.parse.slac` with this layout's areas
and a single part; every recommendation's section is ``looked-after``.
"""
from __future__ import annotations

import re

from . import paragraphs, slac

TITLE = re.compile(r"inspection\s+of\s+(?:services\s+for\s+)?looked\s+after\s+children(?:'s)?\s+services|"
                   r"inspection\s+of\s+looked\s+after\s+children(?:'s)?\s+services", re.I)

LAC2012_AREAS: list[tuple[str, str, str]] = [
    ("", "overall-effectiveness", r"overall effectiveness(?: of .*)?"),
    ("", "capacity-to-improve", r"capacity (?:to|for) improve(?:ment)?(?: .*)?"),
    ("", "outcomes", r"outcomes (?:for|of) (?:looked after children|children looked after|children and young people)"
                     r"(?: .*)?|outcomes"),
    ("", "quality-of-provision", r"(?:the )?quality of (?:service )?provision(?: .*)?"),
    ("", "leadership-and-management", r"leadership and management(?: .*)?"),
]
PARTS = ("",)


def parse(text: str, report) -> None:
    text = slac.prepare(text)
    slac.read_title_block(text, report, TITLE)
    layout = paragraphs.analyse(text)
    report.paragraphs = [s.paragraph for s in layout.spans]
    table, table_at = slac.record_table(text, LAC2012_AREAS, PARTS)
    body = slac.body_grades(layout, LAC2012_AREAS, PARTS, table_at)
    order = [("", code) for _, code, _ in LAC2012_AREAS]
    slac.combine(report, "lac2012", table, body, layout, order)
    report.recommendations = slac.recommendations(text, layout, lambda offset: "looked-after", table_at)
    if not report.recommendations:
        report.warnings.append("no areas for improvement found")
