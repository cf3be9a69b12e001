"""Layout parser for ILACS, the inspection of local authority children's services (2018+).

Title block: the authority and "Inspection of children's social care services" (2018-19) or
"Inspection of local authority children's services" under it, or from 2022 "Inspection of
<authority> local authority children's services" in one title; then "Inspection dates:" and
"Lead inspector: <name>, His/Her Majesty's Inspector" (the title on its own line in earlier
reports). A "Judgement | Grade" table follows:

* 2018-22: impact of leaders, help and protection, children in care and care leavers, overall
  effectiveness;
* 2023 on: children in care and care leavers judged separately (four sub-judgements + overall);
* from April 2026: the four sub-judgements without overall effectiveness.

Each judgement has a section heading in the body ("The experiences and progress of children
who need help and protection: good", in earlier reports "... is outstanding"), whose grade is
read too; the table wins where the two disagree, with a warning. The "What needs to improve"
list is bulleted (sub-bullets are joined into their item). ILACS reports do not say whether an
inspection was standard or short; the on-site time does (short: one week, standard: two), so
``inspection_type`` is read from the inspection dates.
"""
from __future__ import annotations

import re
from datetime import date

from ..model import Recommendation
from . import common, pages, paragraphs
from .sif import (BULLET, GRADE, OVERALL_IN_WORDS, _ws, add_grade, dates_line, first_paragraph_after, line_matches,
                  phrase, settle, spilled_grades)

_AREAS = [
    ("ilacs.impact-of-leaders", r"The impact of leaders on social work practice with children and families"),
    ("ilacs.help-and-protection", r"The experiences and progress of children who need help and protection"),
    ("ilacs.children-in-care-and-care-leavers",
     r"The experiences and progress of children in care and care leavers"),
    ("ilacs.children-in-care", r"The experiences and progress of children in care"),
    ("ilacs.care-leavers", r"The experiences and progress of care leavers"),
    ("ilacs.overall-effectiveness", r"Overall effectiveness"),
]
_ORDER = ["ilacs.impact-of-leaders", "ilacs.help-and-protection", "ilacs.children-in-care-and-care-leavers",
          "ilacs.children-in-care", "ilacs.care-leavers", "ilacs.overall-effectiveness"]


NO_OVERALL_FROM = "2026-04-01"  # inspections from April 2026 have no overall effectiveness judgement


# table row: label then grade, maybe with cell separators ('|') between (or a page number glued on)
_ROW = {area: re.compile(r"(?<![\w])" + _ws(label) + r"[\s|:]+" + GRADE + r"(?![A-Za-z])", re.I) for area, label in _AREAS}
_LABEL = [(area, re.compile(r"(?<![\w])" + _ws(label) + (r"(?!\s+and\s+care\s+leavers)" if area.endswith(
    "children-in-care") else "") + r"\b", re.I)) for area, label in _AREAS]
# body heading: at a line start, 'label: grade' or 'label is grade'
_HEAD = {area: phrase(_ws(label) + r"(?:\s+(?:is|are))?\s*:?\s*" + GRADE + r"\b")
         for area, label in _AREAS if area != "ilacs.overall-effectiveness"}

_TITLE = re.compile(r"^\s*Inspection\s+of\s+(?:(.{1,120}?)\s+)?(?:local\s+authority\s+children's\s+services|"
                    r"children's\s+social\s+care\s+services)", re.I | re.M | re.S)
_TABLE_START = re.compile(r"^\s*\|?\s*Judgement\s*\|?\s*Grade\b", re.I | re.M)


def parse(text: str, report) -> None:
    body = pages.unglue_paragraph_numbers(pages.strip_furniture(text, keep_breaks=True))
    _meta(body, report)
    spans = paragraphs.split(body, furniture=False)  # furniture already stripped
    report.paragraphs = [sp.paragraph for sp in spans]

    found: dict = {}
    t = _TABLE_START.search(body[:6000])
    # the table: after its 'Judgement Grade' header, or (header lost in extraction) in the
    # title block before the first list or numbered paragraph
    if t:
        start = t.end()
        stop = start + _table_stop(body[start:start + 1500])
    else:
        w = _WNTI.search(body, 0, 6000)
        p1 = re.search(r"^\s*(?:[-*]\s+)?1\.\s", body[:6000], re.M)
        start, stop = 0, min([x.start() for x in (w, p1) if x] + [3000])
    region = body[start:stop]
    table_end = 0
    rows = {}
    for area, rx in _ROW.items():
        m = rx.search(region)
        if m:
            rows[area] = m
            table_end = max(table_end, start + m.end())
    grades = {area: common.grade_code(" ".join(m.group(1).split())) for area, m in rows.items()}
    if t:
        spilled = spilled_grades(region, _LABEL, rows)
        if spilled:
            grades.update(spilled)
            table_end = max(table_end, stop)
    for area, _label in _AREAS:
        if area in grades:
            add_grade(found, area, grades[area], "summary-table")
    for area, rx in _HEAD.items():
        for m in line_matches(rx, body, table_end, marks=" \t\f#"):
            add_grade(found, area, common.grade_code(" ".join(m.group(1).split())), "heading",
                      first_paragraph_after(body, spans, m.end()))
    # 'Children's services in X are outstanding.': overall effectiveness in words, up to the
    # April 2026 revision (which has no overall judgement)
    end = report.inspection.end_date
    if not (end and end >= NO_OVERALL_FROM):
        for m in OVERALL_IN_WORDS.finditer(body, table_end):
            add_grade(found, "ilacs.overall-effectiveness", common.grade_code(" ".join(m.group(1).split())),
                      "sentence")
    settle(found, _ORDER, report)
    if not report.judgements:
        report.warnings.append("no graded judgements found")
    report.recommendations.extend(recommendations(body))


def _table_stop(region: str) -> int:
    """Where the table's cells end: at the first line of prose (a long line ending a sentence)."""
    pos = 0
    for ln in region.split("\n"):
        if "|" not in ln and (len(ln.strip()) > 90 or re.search(r"[a-z]\.\s*$", ln)):
            return pos
        pos += len(ln) + 1
    return len(region)


def _meta(body: str, report) -> None:
    head = body[:3000]
    m = _TITLE.search(head)
    printed = None
    if m:
        if m.group(1) and m.group(1).strip():
            printed = m.group(1)
        else:
            printed = common.name_lines_above(head, m.start()) or None
    if printed:
        name, official = common.authority_names(printed)
        official = official or common.official_name_in(body, name)
        report.authority.name, report.authority.official_name = name, official
    dates = dates_line(head)
    if dates:
        report.inspection.start_date, report.inspection.end_date = common.parse_date_range(dates)
    m = re.search(r"^\s*(?:Report\s+)?published(?:\s*:\s*|\s+)(\d{1,2}(?:st|nd|rd|th)?[\s/].+)", head, re.M | re.I)
    if m:
        report.inspection.published_date = common.parse_date(m.group(1))
    m = re.search(r"^\s*Lead inspector:?\s*(.+)", head, re.M | re.I)
    if m:
        report.inspection.lead_inspector = common.clean_person(m.group(1).split(",")[0])
    report.inspection_type = _type_from_dates(report.inspection.start_date, report.inspection.end_date)


def _type_from_dates(start: str | None, end: str | None) -> str | None:
    if not (start and end):
        return None
    days = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
    if days <= 0:
        return None
    if days <= 7:
        return "short"
    return "standard" if days <= 14 else None  # longer than either: the report does not say which


_WNTI = re.compile(r"^\s*(?:#+\s*)?What needs to improve(?:\s+in\s+this\s+local\s+authority)?\s*\??[:.]?\s*\d?\s*$", re.I | re.M)
_LIST_END = re.compile(r"^\s*(?:The experiences and progress|The impact of leaders|Overall effectiveness|"
                       r"(?:[-*]\s+)?\d{1,3}\.\s)", re.I)
def recommendations(body: str) -> list[Recommendation]:
    """Items of every 'What needs to improve' list; a bullet of another glyph than the list's
    own (e.g. '-' under '◼') is a sub-item, joined into its item."""
    out: list[Recommendation] = []
    for m in _WNTI.finditer(body):
        items: list[list[str]] = []
        glyph = None
        blank = False
        for ln in body[m.end():].split("\n"):
            s = ln.strip().strip("\f").strip()
            if not s:
                blank = True
                continue
            if s.isdigit() and not items:
                continue  # a footnote marker on its own line
            if _LIST_END.match(s):
                break
            b = BULLET.match(s)
            if b:
                g = s[0]
                if glyph is None:
                    glyph = g
                if g == glyph:
                    items.append([b.group(1)])
                elif items:
                    items[-1].append("\x00" + b.group(1))
                blank = False
                continue
            if not items and glyph is None:
                items = _unbulleted(body[m.end():])
                break
            if blank:
                break  # prose after the list
            items[-1].append(" " + s)
        for parts in items:
            txt = _join(parts)
            if txt:
                out.append(Recommendation(text=txt, timescale=None, section=None))
    return out


def _unbulleted(rest: str) -> list[list[str]]:
    """Items of a list whose bullets the extraction lost: one per paragraph, or, in text
    without blank lines, one per sentence-ending line followed by a capital."""
    items: list[list[str]] = []
    new = True
    for ln in rest.split("\n")[:60]:
        s = ln.strip().strip("\f").strip()
        if not s:
            new = True
            continue
        if _LIST_END.match(s) or (s.isdigit() and not items):
            if _LIST_END.match(s):
                break
            continue
        if new or (items and re.search(r"[.)]$", items[-1][-1]) and s[:1].isupper()):
            items.append([s])
        else:
            items[-1].append(" " + s)
        new = False
    return items


def _join(parts: list[str]) -> str:
    """Item text; sub-bullets become a '; '-separated run after the item's lead-in."""
    s = parts[0]
    subs = 0
    for p in parts[1:]:
        if "\x00" in p:
            piece = p.replace("\x00", "").strip()
            s = s.rstrip() + (" " if subs == 0 else "; ") + piece
            subs += 1
        else:
            s += p
    return common.flatten(s)
