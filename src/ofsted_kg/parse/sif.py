"""Layout parser for the single inspection framework (SIF, 2013-18).

Three layouts share this module:

* the single inspection, "Inspection of services for children in need of help and protection,
  children looked after and care leavers and Review of the effectiveness of the Local
  Safeguarding Children Board": a summary box on page 1 (overall judgement sentence, a numbered
  table of five graded areas, from 2014 also the LSCB grade), then section 1 on the local
  authority and section 2 on the LSCB;
* the re-inspection ("Re-inspection of services for children ..."), the same without the LSCB;
* the stand-alone review of the LSCB ("Review of the effectiveness of the Local Safeguarding
  Children Board" alone), one judgement.

Grades are read from every place the report states them: the page-1 box (``summary-table``:
table rows; ``sentence``: "The overall judgement is ...", "Children's services in X are ..."),
section headings in the body (``heading``: "The experiences and progress of children looked
after and achieving permanence are good", "The graded judgement for adoption performance is
that it is good", "Leadership, management and governance" followed by the grade) and
executive-summary sentences. The page-1 box wins where they disagree, with a warning.

Recommendations are the numbered items under "What does the local authority / LSCB need to
improve?", "Recommendations" and "Areas for improvement"; items under "Priority and immediate
action" are due immediately. Their section is the part of the report they stand in: before the
LSCB part (section 2 / "The Local Safeguarding Children Board (LSCB)") ``local-authority``,
after it ``lscb``.
"""
from __future__ import annotations

import re

from ..model import Judgement, Recommendation
from . import common, pages, paragraphs

GRADE = r"(outstanding|good|adequate|inadequate|requires?\s+improvement(?:\s+to\s+be\s+good)?)"
FLAGS = re.I | re.M


def _ws(phrase: str) -> str:
    """A phrase as a regex that allows any whitespace (line breaks) between its words."""
    return r"\s+".join(phrase.split())


def phrase(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern whose first word is matched as printed (capitalised) and the rest in any case.

    A case-sensitive literal start lets the regex engine jump from one occurrence of that word
    to the next; a fully case-insensitive pattern is tried at every position (10x slower)."""
    first, rest = pattern.split(r"\s+", 1)
    return re.compile(first + r"\s+(?i:" + rest + ")", flags)


# Rows of the page-1 table: "2. Children looked after and achieving permanence Good".
_TABLE = [
    ("sif.help-and-protection", _ws(r"Children who need help and protection")),
    ("sif.looked-after-and-permanence", _ws(r"Children looked after and achieving permanence")),
    ("sif.adoption-performance", _ws(r"Adoption performance")),
    ("sif.care-leavers", _ws(r"Experiences? and progress of care leavers")),
    ("sif.leadership-management-and-governance", _ws(r"Leadership, management and governance")),
]
# (a markdown extraction keeps the cell separators: '| 2.1 Adoption performance | Good |')
_TABLE_RX = [(area, re.compile(r"^[\s|]*\d(?:\.\d)?\.?\s+" + label + r"[\s|:]*\s" + GRADE + r"(?![A-Za-z])", FLAGS))
             for area, label in _TABLE]

_TABLE_LABEL_RX = [(area, re.compile(r"^[\s|]*\d(?:\.\d)?\.?\s+" + label + r"\b", FLAGS)) for area, label in _TABLE]
_GRADE_LINE = re.compile(r"^[\s|]*" + GRADE + r"[\s|.]*$", re.I | re.M)


def spilled_grades(region: str, labels, rows: dict) -> dict:
    """Grades of table rows whose grade cells the PDF text put elsewhere (a text box spilled).

    All labels first and then all grades (the cells came out column by column): the grades go
    to the labels in order, replacing what ``rows`` (area -> row match) read across the
    columns. Otherwise the grade lines no row used go, in order, to the labels left without a
    grade, when the counts agree."""
    found = sorted((m.start(), area) for area, rx in labels for m in [rx.search(region)] if m)
    grades = list(_GRADE_LINE.finditer(region))
    if len(found) >= 2 and len(grades) == len(found) and grades[0].start() > found[-1][0]:
        return {area: _grade(g.group(1)) for (_pos, area), g in zip(found, grades)}
    used = [m.span(1) for m in rows.values()]
    free = [g for g in grades if not any(a <= g.start(1) < b for a, b in used)]
    left = [(pos, area) for pos, area in found if area not in rows]
    if not left or len(free) != len(left):
        return {}
    return {area: _grade(g.group(1)) for (_pos, area), g in zip(left, free)}


_OVERALL_SENTENCES = [
    phrase(_ws(r"The overall judgement is") + r"\s+(?:that\s+)?(?:children's\s+services\s+)?"
           r"(?:are\s+|is\s+)?" + GRADE + r"\b"),
    re.compile(r"Children's\s+services\s+in\s+(?:(?!\b(?:[Ww]ere|[Ww]as|judged|been|not)\b)[^.,;:]){1,100}?\s"
               r"(?:are\s+|is\s+|remain\s+)?(?i:" + GRADE + r")\b"),
]
OVERALL_IN_WORDS = _OVERALL_SENTENCES[1]  # 'Children's services in X are good'
_LSCB_SENTENCES = [
    phrase(_ws(r"The effectiveness of the") + r"\s+(?:Local\s+Safeguarding\s+Children\s+Board|LSCB)"
           r"(?:\s+\(LSCB\))?\s+(?:is\s+(?:that\s+it\s+)?(?:is\s+)?)?" + GRADE + r"\b"),
    phrase(_ws(r"The Local Safeguarding Children Board") + r"(?:\s+\(LSCB\))?\s+(?:is\s+|are\s+)?"
           + GRADE + r"\b"),
]

# Section headings in the body, each followed by its grade.
_HEADINGS = [
    ("sif.help-and-protection", phrase(
        _ws(r"The experiences and progress of children who need help and protection")
        + r"(?:\s+(?:are|is))?\s+" + GRADE + r"\b")),
    ("sif.looked-after-and-permanence", phrase(
        _ws(r"The experiences and progress of children looked after and achieving permanence")
        + r"(?:\s+(?:are|is))?\s+" + GRADE + r"\b")),
    ("sif.adoption-performance", phrase(
        _ws(r"The graded") + r"\s+judge?ment\s+(?:for|about|on)\s+(?:the\s+)?"
        + _ws("adoption performance") + r"\s+(?:is\s+)?(?:that\s+it\s+)?(?:is\s+)?" + GRADE + r"\b")),
    ("sif.care-leavers", phrase(
        _ws(r"The graded") + r"\s+judge?ment\s+(?:for|about|on)\s+(?:the\s+)?"
        + _ws("experiences? and progress of care leavers") + r"\s+(?:is\s+)?(?:that\s+it\s+)?(?:is\s+)?"
        + GRADE + r"\b")),
    ("sif.leadership-management-and-governance", phrase(
        _ws(r"Leadership, management and governance") + r"(?:\s+(?:are|is))?\s+" + GRADE + r"\b")),
] + [("sif.lscb-effectiveness", rx) for rx in _LSCB_SENTENCES]

def at_line_start(text: str, pos: int, marks: str = " \t\f") -> bool:
    """Whether only ``marks`` stand between the start of the line and ``pos``."""
    return not text[text.rfind("\n", 0, pos) + 1:pos].strip(marks)


def line_matches(rx: re.Pattern[str], text: str, pos: int = 0, marks: str = " \t\f"):
    """Matches of ``rx`` that open their line. (The patterns start with their first word, not
    with '^\\s*', so the regex engine can skip ahead to that word: much faster on long text.)"""
    return (m for m in rx.finditer(text, pos) if at_line_start(text, m.start(), marks))


_AREA_ORDER = ["sif.overall-effectiveness", "sif.help-and-protection", "sif.looked-after-and-permanence",
               "sif.adoption-performance", "sif.care-leavers", "sif.leadership-management-and-governance",
               "sif.lscb-effectiveness"]

# Where page 1 (the summary box) ends in text that has no form feeds.
_PAGE1_END = re.compile(r"^\s*(Executive summary|Contents|Summary of key findings|Section 1\b|"
                        r"Information about this)", FLAGS)

_LSCB_PART = [  # the heading that opens the LSCB part of a single inspection report
    phrase(r"Section\s+2:?\s+" + _ws("The effectiveness of the local safeguarding children board") + r"\s*$", re.M),
    phrase(_ws("The Local Safeguarding Children Board") + r"(?:\s+\(LSCB\))?\s*$", re.M),
]

_NUMBERED = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25fc]\s+)?(\d{1,3})\.(?!\d)\s*(?=\S)(.*)$")
# a bullet glyph: the usual ones, or a private-use symbol-font character (U+F06E, U+F0B7, ...)
BULLET = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25fc\u25a0\u25cf\u2023\u2043]|[\ue000-\uf8ff])\s*(?=\S)(.*)$")


def page_one(text: str) -> str:
    """Page 1 of a report (the summary box): up to the first form feed, or in text without page
    breaks up to the first heading that follows the box."""
    if "\f" in text[:8000]:
        return text.split("\f", 1)[0]
    m = _PAGE1_END.search(text, 200)
    return text[:m.start() if m else min(len(text), 3000)]


def _page1_table(page1: str) -> str:
    """Page 1 without its overall and LSCB sentences (their grades are no table cells)."""
    out = page1
    for rx in _OVERALL_SENTENCES[:1] + _LSCB_SENTENCES:
        out = rx.sub(lambda m: " " * len(m.group(0)), out)
    out = re.sub(r"(?im)^\s*Children's\s+services\s+in\b[^\n]*(?:\n[^\n]*?\b(?:good|inadequate|outstanding)\b[^\n]*)?",
                 lambda m: " " * len(m.group(0)), out)
    return out


def dates_line(head: str) -> str | None:
    """What follows 'Inspection date(s):', with the next line when the dates wrap onto it."""
    m = re.search(r"^\s*Inspection\s+dates?\s*:?[ \t]*(.*)(?:\n(.*))?", head, re.M | re.I)
    if not m:
        return None
    first, nxt = m.group(1).strip(), (m.group(2) or "").strip()
    if not re.search(r"\d{4}\s*$", first) and re.match(r"[\d\s\w/–-]{0,40}\d{4}\s*$", nxt):
        return f"{first} {nxt}"
    return first or nxt


def parse_dates(s: str) -> tuple[str | None, str | None]:
    """Inspection dates as printed: '20 June – 13 July 2017' or '1/06/2015 – 25/06/2015'."""
    nums = re.findall(r"\b(\d{1,2})/(\d{1,2})/(\d{2,4})\b", s[:80])
    if nums:
        iso = [_numeric(*n) for n in nums[:2]]
        return iso[0], iso[-1]
    return common.parse_date_range(s)


def _numeric(d: str, m: str, y: str) -> str | None:
    y = y if len(y) == 4 else "20" + y
    try:
        from datetime import date

        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def fill_meta(text: str, report, title_rx: re.Pattern[str]) -> None:
    """Authority (the lines above the title), dates, published date and lead inspector."""
    head = text[:3000]
    m = title_rx.search(head)
    if m:
        printed = common.name_lines_above(head, m.start())
        name, official = common.authority_names(printed)
        report.authority.name = name
        report.authority.official_name = official or common.official_name_in(text, name)
    dates = dates_line(head)
    if dates:
        report.inspection.start_date, report.inspection.end_date = parse_dates(dates)
    m = re.search(r"^\s*(?:Report\s+)?published(?:\s*:\s*|\s+)(\d{1,2}(?:st|nd|rd|th)?[\s/].+)", head, re.M | re.I)
    if m:
        report.inspection.published_date = parse_dates(m.group(1))[0]
    m = re.search(r"^\s*Lead inspector(?:\s+on\s+site)?:?\s*(.+)", text, re.M | re.I)
    if m:
        report.inspection.lead_inspector = common.clean_person(m.group(1))


def first_paragraph_after(text: str, spans, pos: int) -> int | None:
    """Number of the first numbered paragraph after ``pos``: the paragraph splitter's, unless a
    line opening with a number comes first that the splitter did not take (a number glued to
    its text, '12.The')."""
    n = paragraphs.first_paragraph_after(spans, pos)
    start = next((sp.start for sp in spans if sp.start >= pos), None)
    glued = _NUMBERED_GLUED.search(text, pos)
    if glued and (start is None or glued.start(1) < start - 2):
        return int(glued.group(1))
    return n


_NUMBERED_GLUED = re.compile(r"^[\s\f]*(?:[-*]\s+)?(\d{1,3})\.(?!\d)\s*(?=[A-Z'\"(])", re.M)


def add_grade(found: dict, area: str, grade: str | None, evidence: str, paragraph: int | None = None) -> None:
    if grade:
        found.setdefault(area, []).append((evidence, grade, paragraph))


_RANK = {"summary-table": 0, "sentence-summary": 1, "heading": 2, "sentence": 3}


def settle(found: dict, order: list[str], report) -> None:
    """One judgement per area: the summary box over headings over sentences; warn on disagreement."""
    for area in order:
        if area not in found:
            continue
        places = sorted(found[area], key=lambda p: _RANK.get(p[0], 9))
        evidence, grade, _ = places[0]
        paragraph = next((p for e, g, p in places if e == "heading" and p is not None), None)
        for e, g, _p in places[1:]:
            if g != grade:
                report.warnings.append(
                    f"{area}: the {_label(evidence)} says {grade}, the {_label(e)} says {g}; "
                    f"took the {_label(evidence)}")
                break
        report.judgements.append(Judgement(area=area, grade=grade,
                                           evidence="sentence" if evidence == "sentence-summary" else evidence,
                                           paragraph=paragraph))


def _label(evidence: str) -> str:
    return {"summary-table": "summary table", "sentence-summary": "summary box", "heading": "heading",
            "sentence": "report text"}.get(evidence, evidence)


def _grade(s: str) -> str | None:
    return common.grade_code(" ".join(s.split()).replace("Require ", "Requires ").replace("require ", "requires "))


_TITLE = re.compile(r"^\s*(?:Re-inspection|Inspection) of services for children|^\s*Review of the effectiveness",
                    re.I | re.M)


def parse(text: str, report) -> None:
    page1 = page_one(text)
    body = pages.unglue_paragraph_numbers(pages.strip_furniture(text, keep_breaks=True))
    body_start = body.find("\f") if "\f" in body else len(page1)
    fill_meta(body, report, _TITLE)
    spans = paragraphs.split(body, furniture=False)  # furniture already stripped
    report.paragraphs = [sp.paragraph for sp in spans]
    flat1 = common.flatten(page1)
    standalone = not re.search(r"Inspection of services for children", flat1, re.I)
    if re.search(r"^\s*Re-inspection of services", page1, re.I | re.M):
        report.inspection_type = "re-inspection"
    elif standalone:
        report.inspection_type = "lscb-review"

    found: dict = {}
    rows = {area: m for area, rx in _TABLE_RX if (m := rx.search(page1))}
    cells = {area: _grade(m.group(1)) for area, m in rows.items()}
    cells.update(spilled_grades(_page1_table(page1), _TABLE_LABEL_RX, rows))
    for area, grade in cells.items():
        add_grade(found, area, grade, "summary-table")
    for rx in _OVERALL_SENTENCES:
        m = rx.search(flat1)
        if m and not standalone:
            add_grade(found, "sif.overall-effectiveness", _grade(m.group(1)), "sentence-summary")
            break
    for rx in _LSCB_SENTENCES:
        m = next(line_matches(rx, page1), None)
        if m:
            add_grade(found, "sif.lscb-effectiveness", _grade(m.group(1)), "sentence-summary")
            break
    for area, rx in _HEADINGS:
        for m in line_matches(rx, body, body_start):
            if standalone and area != "sif.lscb-effectiveness":
                continue
            add_grade(found, area, _grade(m.group(1)), "heading", first_paragraph_after(body, spans, m.end()))
    if not standalone:
        for rx in _OVERALL_SENTENCES:
            for m in rx.finditer(body, body_start):
                add_grade(found, "sif.overall-effectiveness", _grade(m.group(1)), "sentence")
    settle(found, _AREA_ORDER, report)
    if not report.judgements:
        report.warnings.append("no graded judgements found")

    lscb_at = len(body)
    if standalone:
        lscb_at = 0
    else:
        for rx in _LSCB_PART + _LSCB_SENTENCES:
            m = next(line_matches(rx, body, body_start), None)
            if m:
                lscb_at = min(lscb_at, m.start())
    report.recommendations.extend(recommendations(body[body_start:], lscb_at - body_start))


# --- recommendations --------------------------------------------------------------------

_REC_START = re.compile(r"^\s*(What does the (?:local authority|LSCB|board) need to improve\??|Recommendations:?|"
                        r"Areas for improvement:?|Priority and immediate action:?)\s*$", re.I)
_REC_END = re.compile(
    r"^\s*(The local authority's strengths|.{0,60}\bstrengths\b[^.]{0,40}$|Information about|Summary\b|Inspection judge?ments?|"
    r"Inspection findings|Executive summary|The Local Safeguarding Children Board|The effectiveness of the|Section \d|"
    r"What the inspection judge?ments|Key judgement|The inspection team|Key strengths|.*\bweaknesses\b|Next steps|Annex)",
    re.I)
# A judgement area's name ends the list when it is the section heading that follows (grade or
# 'Summary' under it); followed by a numbered item it is a topic heading inside the list.
_AREA_HEADING = re.compile(r"^\s*(The experiences and progress|Leadership, management and governance|"
                           r"Children who need help|Children looked after|Adoption|Care leavers)", re.I)


def _area_heading_ends_list(lines: list[str], i: int) -> bool:
    if not _AREA_HEADING.match(lines[i]):
        return False
    for nxt in lines[i + 1:i + 5]:
        t = nxt.strip()
        if not t:
            continue
        if _NUMBERED.match(nxt) or BULLET.match(nxt):
            return False
        if common.grade_code(t.rstrip(".")) or re.match(r"(Summary|Inspection findings)\b", t) \
                or re.match(r"(are|is)\b", t):
            return True
    return not _is_subheading(lines, i)


_NO_ACTION = re.compile(r"^(The inspection did not (?:find|identify)|There (?:are|were) no|No (?:areas|priority|immediate)"
                        r"|None\.?$)\b", re.I)


def _timescale(subheading: str) -> str | None:
    s = subheading.lower()
    if "immediate" in s or "priority" in s:
        return "immediately"
    if re.search(r"\b(three|3) months", s):
        return "within-3-months"
    if re.search(r"\b(six|6) months", s):
        return "within-6-months"
    return None


def recommendations(body: str, lscb_at: int) -> list[Recommendation]:
    """Numbered items of every recommendation list, with timescale and section."""
    out: list[Recommendation] = []
    lines = body.split("\n")
    pos = 0
    offsets = []
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    i = 0
    while i < len(lines):
        m = _REC_START.match(lines[i])
        if not m:
            i += 1
            continue
        section = "lscb" if offsets[i] >= lscb_at else "local-authority"
        timescale = _timescale(m.group(1))
        cur: list[str] | None = None
        cur_no: int | None = None
        items: list[tuple[int | None, str, str | None]] = []
        i += 1
        while i < len(lines):
            ln = lines[i].strip()
            if not ln:
                i += 1
                continue
            num = _NUMBERED.match(lines[i])
            bullet = None if num else BULLET.match(lines[i])
            sub = _REC_START.match(lines[i])
            if sub:
                if cur is not None:
                    items.append((cur_no, " ".join(cur), timescale))
                cur, cur_no = None, None
                if re.match(r"\s*(What does|Recommendations)", sub.group(1), re.I):
                    break  # a new list: let the outer loop take it
                timescale = _timescale(sub.group(1))
                i += 1
                continue
            if num:
                if cur is not None:
                    items.append((cur_no, " ".join(cur), timescale))
                cur, cur_no = [num.group(2).strip()], int(num.group(1))
                i += 1
                continue
            if bullet:
                if cur is not None:
                    items.append((cur_no, " ".join(cur), timescale))
                cur, cur_no = [bullet.group(1).strip()], None
                i += 1
                continue
            if (_REC_END.match(ln) or _area_heading_ends_list(lines, i)) and _closed(cur):
                break
            if cur is not None and not _closed(cur):
                cur.append(ln)
            elif cur is not None and _is_subheading(lines, i):
                items.append((cur_no, " ".join(cur), timescale))
                cur, cur_no = None, None
            elif cur is not None:
                cur.append(ln)
            elif _is_subheading(lines, i) or _NO_ACTION.match(ln):
                pass  # a topic heading inside the list, or "There are no priority actions."
            else:
                break  # prose: the list is over
            i += 1
        if cur is not None:
            items.append((cur_no, " ".join(cur), timescale))
        for no, txt, ts in items:
            txt = common.flatten(txt)
            if not txt or _NO_ACTION.match(txt):
                continue
            out.append(Recommendation(text=txt, timescale=ts, section=section, paragraph=no))
    return out


def _closed(cur: list[str] | None) -> bool:
    return cur is None or cur[-1].rstrip().endswith((".", ";", ":", ")", "?"))


def _is_subheading(lines: list[str], i: int) -> bool:
    ln = lines[i].strip()
    if len(ln) > 90 or ln.endswith((".", ";", ",")) or not ln[:1].isupper():
        return False
    for nxt in lines[i + 1:i + 4]:
        if nxt.strip():
            return bool(_NUMBERED.match(nxt) or BULLET.match(nxt) or _REC_START.match(nxt))
    return False
