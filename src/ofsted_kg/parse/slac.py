"""Layout parser for SLAC reports: 2009-12 'Inspection of safeguarding and looked after
children services'.

The layout: a title block (title, authority, inspection dates, reporting inspector, age group,
published date), numbered paragraphs, then two parts, 'Safeguarding services' and 'Services
for looked after children'. Each part opens with 'Overall effectiveness' and 'Capacity for
improvement' (each heading followed by 'Grade 2 (good)' or on the same line) and 'Areas for
improvement' (a lead-in paragraph, then items under 'Immediately:' / 'Within three months:' /
'Within six months:'), then one graded heading per area. The report ends with the 'Record of
main findings' table: one row per graded area (label, grade) under the part headings.

Grades come from the table (evidence ``record-of-main-findings``) and from the headings in the
body (``heading``); a grade stated in neither is read from the first sentence under the
area's heading (``sentence``). When the table and a heading disagree the table wins and a
warning names both. The part an area belongs to is decided by order, not by the table's
sub-headings, which extractions misplace: the first area that repeats (or one that only the
looked after part grades, such as 'Being healthy') starts the looked after part. A
recommendation's section is the part it stands in, whatever its lead-in sentence says.

The machinery here (title block, table, headings, recommendation lists) is shared with the
2012-13 looked after children layout in :mod:`ofsted_kg.parse.lac2012`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Judgement, Recommendation
from . import common, paragraphs

TITLE = re.compile(r"inspection\s+of\s+safeguarding\s+and\s+looked\s+after\s+children(?:'s)?\s+services", re.I)

# (part, area code, label pattern). Labels are compared lower case, punctuation folded, 'the'
# dropped at the start, and must match whole.
SLAC_AREAS: list[tuple[str, str, str]] = [
    ("*", "overall-effectiveness", r"overall effectiveness(?: of .*)?"),
    ("*", "capacity-for-improvement", r"capacity (?:for|to) improve(?:ment)?(?: .*)?"),
    ("safeguarding", "safe-and-feel-safe",
     r"(?:children and young people )?(?:are safe and feel safe|safe and feel safe|are safe|feel safe)(?: .*)?"),
    ("*", "quality-of-provision", r"(?:the )?quality of (?:service )?provision(?: .*)?"),
    ("safeguarding", "health-contribution",
     r"(?:the )?contribution of (?:the )?health (?:agencies|services|partners)(?: .*)?"),
    ("*", "ambition-and-prioritisation", r"ambition and prioriti[sz]ation"),
    ("*", "leadership-and-management", r"leadership and management"),
    ("*", "performance-management-and-quality-assurance",
     r"performance management(?: and quality assurance)?|quality assurance and performance management"),
    ("safeguarding", "partnership-working", r"partnership working"),
    ("*", "equality-and-diversity", r"equality and diversity"),
    ("looked-after", "being-healthy", r"being healthy"),
    ("looked-after", "staying-safe", r"staying safe"),
    ("looked-after", "enjoying-and-achieving", r"enjoying and achieving"),
    ("looked-after", "positive-contribution", r"(?:making a )?positive contribution(?: .*)?"),
    ("looked-after", "economic-well-being", r"(?:achieving )?economic well ?being"),
]
PARTS = ("safeguarding", "looked-after")
# the order the reports print the areas in, per part
SLAC_ORDER = [("safeguarding", c) for c in (
    "overall-effectiveness", "capacity-for-improvement", "safe-and-feel-safe", "quality-of-provision",
    "health-contribution", "ambition-and-prioritisation", "leadership-and-management",
    "performance-management-and-quality-assurance", "partnership-working", "equality-and-diversity")] + [
    ("looked-after", c) for c in (
        "overall-effectiveness", "capacity-for-improvement", "being-healthy", "staying-safe", "enjoying-and-achieving",
        "positive-contribution", "economic-well-being", "quality-of-provision", "ambition-and-prioritisation",
        "leadership-and-management", "performance-management-and-quality-assurance", "equality-and-diversity")]

_GRADE_WORD = r"outstanding|good|adequate|inadequate|requires improvement"
_ROW_GRADE = re.compile(r"^(.*?)[\s:|*]*\b(" + _GRADE_WORD + r"|grade\s*[1-4])\b[\s|*.]*$", re.I)
_TIMESCALES = [
    ("immediately", re.compile(r"^immediate(?:ly)?\b", re.I)),
    ("within-3-months", re.compile(r"^within\s+(?:three|3)\s+months?\b", re.I)),
    ("within-6-months", re.compile(r"^within\s+(?:six|6)\s+months?\b", re.I)),
]
_TIMESCALE_ANY = re.compile(r"^(?:immediately|within\s+\w+\s+(?:months?|weeks?)|in\s+the\s+(?:longer|medium|short)\s+term"
                            r"|over\s+the\s+next\s+\w+\s+months?)\b(?:\s*:?\s*$|[^.;]{0,60}:\s*$)", re.I)
_ITEM_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25cf\u25e6\uf0b7\uf0a7\u2023\u2043\u00b7]|\(?[a-z]\)|\d{1,2}\))\s*")


def label_key(s: str) -> str:
    s = s.lower().replace("&", " and ").replace("wellbeing", "well being").replace("well-being", "well being")
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = " ".join(s.split())
    return re.sub(r"^the ", "", s)


def area_of(label: str, areas: list[tuple[str, str, str]]) -> tuple[str, str] | None:
    """(part, area code) of a printed label, part '*' when both parts grade it."""
    key = label_key(label)
    if not key:
        return None
    for part, code, rx in areas:
        if re.fullmatch(rx, key):
            return part, code
    return None


# --------------------------------------------------------------------------- text set-up

def prepare(text: str) -> str:
    """PDF page furniture removed (via :mod:`ofsted_kg.parse.pages` when present)."""
    try:
        from .pages import strip_furniture
    except ImportError:  # pragma: no cover - the module belongs to another step
        return text
    return strip_furniture(text)


# --------------------------------------------------------------------------- title block

_FIELD_STOP = r"(?=\s+(?:inspection\s+dates?|reporting\s+inspector|lead\s+inspector|age\s+group|published|" \
              r"report\s+published|date\s+of\s+publication|publication\s+date|©|crown\s+copyright)\b|$)"


def _field(head: str, label: str) -> str | None:
    m = re.search(r"\b(?:" + label + r")\s*:?\s*(.+?)" + _FIELD_STOP, head, re.I)
    return m.group(1).strip() if m else None


def read_title_block(text: str, report, title: re.Pattern[str]) -> None:
    """Authority, inspection dates, reporting inspector and published date from the first page."""
    head = common.flatten(text[:6000])
    after, auth = head, None
    for m in title.finditer(head):  # the title that the authority's name and the dates follow
        after = head[m.end():]
        auth = re.match(r"\s*(.+?)" + _FIELD_STOP, after, re.I)
        if auth and 0 < len(auth.group(1).strip()) < 90:
            break
        auth = None
    if auth:
        name, official = common.authority_names(auth.group(1))
        report.authority.name, report.authority.official_name = name, official
    dates = _field(after, r"inspection\s+dates?")
    if dates:
        report.inspection.start_date, report.inspection.end_date = common.parse_date_range(dates)
    lead = _field(after, r"reporting\s+inspector|lead\s+inspector")
    if lead:
        report.inspection.lead_inspector = common.clean_person(lead)
    pub = _field(after, r"published|report\s+published|date\s+of\s+publication|publication\s+date")
    if pub:
        report.inspection.published_date = common.parse_date(pub)
    if not report.authority.name:
        report.warnings.append("authority name not found in the title block")


# --------------------------------------------------------------------------- grades

@dataclass
class Found:
    part: str
    area: str
    grade: str | None  # None: an area heading that states no grade
    where: str  # record-of-main-findings | heading | sentence
    offset: int  # in the text, where the grade stands
    label: str


class PartTracker:
    """Assigns areas to parts by order: the first repeated area, or one only the second part
    grades, starts the second part (for a one-part layout everything stays in the first)."""

    def __init__(self, parts: tuple[str, ...]):
        self.parts = parts
        self.k = 0
        self.seen: set[str] = set()

    def part_for(self, part: str, code: str) -> str:
        # an area of the first part only may repeat there (older reports grade 'are safe' and
        # 'feel safe' apart); an area both parts grade starts the second part when it repeats
        if len(self.parts) > 1 and self.k == 0 and ((code in self.seen and part == "*") or part == self.parts[1]):
            self.k, self.seen = 1, set()
        self.seen.add(code)
        return self.parts[self.k]

    def current(self) -> str:
        return self.parts[self.k]


_RECORD = re.compile(r"^\s*record\s+of\s+main\s+findings\s*:?\s*$", re.I | re.M)


def record_table(text: str, areas, parts: tuple[str, ...]) -> tuple[list[Found], int | None]:
    """Rows of the 'Record of main findings' table and the offset where the table starts."""
    starts = list(_RECORD.finditer(text))
    if not starts:
        return [], None
    start = starts[-1].end()
    tracker = PartTracker(parts)
    out: list[Found] = []
    pending: list[str] = []
    pos = start
    for raw in text[start:].split("\n"):
        line_off = pos
        pos += len(raw) + 1
        line = raw.replace("|", " ").replace("*", " ").strip()
        if not line:
            continue
        tail = paragraphs.grade_tail(line)  # 'Good (Grade 2)', 'Grade 2 (good)'
        m = _ROW_GRADE.match(line)
        if tail:
            label_line, grade = line[:tail.start()].strip(), (common.grade_code(tail.group())
                                                             or common.find_grade(tail.group()))
        elif m:
            label_line, grade = m.group(1).strip(), common.grade_code(m.group(2))
        else:
            pending = (pending + [line])[-3:]
            continue
        candidates = [label_line] if label_line else []
        for k in range(1, len(pending) + 1):
            candidates.append(" ".join(pending[-k:] + ([label_line] if label_line else [])))
        pending = []
        hit = next((area_of(c, areas) for c in candidates if area_of(c, areas)), None)
        if not hit or not grade:
            continue
        part = tracker.part_for(*hit)
        out.append(Found(part, hit[1], grade, "record-of-main-findings", line_off, label_line))
    return out, starts[-1].start()


def body_start(layout: paragraphs.Layout) -> int:
    """Offset where the body begins: the headings (and grade lines) right above the first
    numbered paragraph, so that the contents list before them is left out."""
    if not layout.spans:
        return 0
    lines = layout.lines
    i = next(k for k, ln in enumerate(lines) if ln.end >= layout.spans[0].start)
    begin = lines[i].start
    for j in range(i - 1, -1, -1):
        ln = lines[j]
        if ln.furniture or not ln.text.strip():
            continue
        if j in layout.headings or paragraphs.is_grade_line(ln.text):
            begin = ln.start
            continue
        break
    return begin


def body_grades(layout: paragraphs.Layout, areas, parts: tuple[str, ...], stop: int | None) -> list[Found]:
    """Area headings in the body with the grade stated with them: 'Heading' + 'Grade 2 (good)'
    on a line below, or both on one line ('Quality of provision Grade 2 (good)'). An area
    heading without a grade is returned with grade None (its first sentence may state it).
    The body starts at the first numbered paragraph (the contents list is no body) and ends at
    ``stop`` (the record of main findings)."""
    tracker = PartTracker(parts)
    out: list[Found] = []
    lines = layout.lines
    begin = body_start(layout)
    visible = [i for i, ln in enumerate(lines) if not ln.furniture and ln.text.strip() and ln.start >= begin]
    for k, i in enumerate(visible):
        ln = lines[i]
        if stop is not None and ln.start >= stop:
            break
        t = ln.text.strip()
        tail = paragraphs.grade_tail(t)
        if not tail:
            hit = area_of(layout.headings[i], areas) if i in layout.headings else None
            if hit and not any(paragraphs.grade_tail(lines[j].text) for j in visible[k + 1:k + 4]):
                # (an ungraded heading does not move the part: contents lists repeat area names)
                out.append(Found(tracker.current(), hit[1], None, "heading", ln.end, layout.headings[i]))
            continue
        grade = common.grade_code(tail.group()) or common.find_grade(tail.group())
        label = t[:tail.start()].strip(" *:-|")
        if label and not label[0].isalpha():
            continue
        if label and re.search(r"\bA service\b|requirements", label):
            continue
        candidates = [label] if label else []
        if not label:
            prev = visible[max(0, k - 3):k]
            heads = [j for j in prev if j in layout.headings]
            if heads:
                candidates.append(layout.headings[heads[-1]])
            texts = [lines[j].text.strip() for j in prev]
            for n in range(1, len(texts) + 1):
                candidates.append(" ".join(texts[-n:]))
        hit = next((area_of(c, areas) for c in candidates if area_of(c, areas)), None)
        if not hit or not grade:
            continue
        part = tracker.part_for(*hit)
        out.append(Found(part, hit[1], grade, "heading", ln.end, candidates[0]))
    return out


_FIRST_SENTENCE = re.compile(r"^(.*?[.!?])(?:\s|$)", re.S)


def sentence_grade(par_text: str) -> str | None:
    """The grade a paragraph's first sentence gives ('... is good.'), when it ends with one."""
    m = _FIRST_SENTENCE.match(par_text.strip())
    if not m:
        return None
    s = m.group(1)
    g = re.search(r"\b(?:is|are|remains?|judged(?: to be)?|as)\s+(?:now\s+|overall\s+|also\s+)?(" + _GRADE_WORD +
                  r")(?:\s+overall)?[.!?]$", s, re.I)
    return common.grade_code(g.group(1)) if g else None


def combine(report, prefix: str, table: list[Found], body: list[Found], layout: paragraphs.Layout,
            order: list[tuple[str, str]]) -> None:
    """Judgements from table and body rows: the table wins, disagreements become warnings."""
    spans = layout.spans
    starts_of_heads = sorted(layout.lines[i].start for i in layout.headings)

    def para_after(offset: int) -> int | None:
        nxt = next((h for h in starts_of_heads if h > offset), None)
        return paragraphs.first_paragraph_after(spans, offset, before=nxt)

    by_table = {(f.part, f.area): f for f in reversed(table)}
    # per area the first heading that states a grade, else the first that does not
    by_body = {(f.part, f.area): f for f in reversed(body) if f.grade is None}
    by_body.update({(f.part, f.area): f for f in reversed(body) if f.grade is not None})
    for key in order:
        t, b = by_table.get(key), by_body.get(key)
        para = para_after(b.offset) if b else None
        sent = None
        if para is not None:
            ptext = next(s.paragraph.text for s in spans if s.paragraph.number == para)
            sent = sentence_grade(ptext)
        name = area_code(prefix, key)
        if t:
            grade, where = t.grade, t.where
            if b and b.grade and b.grade != t.grade:
                report.warnings.append(
                    f"{name}: the record of main findings says {t.grade}, the heading says {b.grade}; "
                    f"kept {t.grade}")
        elif b and b.grade:
            grade, where = b.grade, b.where
        elif sent:
            grade, where = sent, "sentence"
        else:
            continue
        if sent and where != "sentence" and sent != grade:
            report.warnings.append(f"{name}: the first sentence under the heading says {sent}, "
                                   f"the {'record of main findings' if t else 'heading'} says {grade}; kept {grade}")
        report.judgements.append(Judgement(name, grade, where, para))
    missing = [area_code(prefix, k) for k in order if not any(j.area == area_code(prefix, k) for j in report.judgements)]
    if missing:
        report.warnings.append("no grade found for: " + ", ".join(missing))


def area_code(prefix: str, key: tuple[str, str]) -> str:
    part, area = key
    return f"{prefix}.{part}.{area}" if part else f"{prefix}.{area}"


# --------------------------------------------------------------------------- recommendations

_AREAS_FOR_IMPROVEMENT = re.compile(r"^\s*(?:areas?\s+for\s+(?:development\s+and\s+)?improvement|"
                                    r"recommendations(?:\s+for\s+improvement)?)\s*:?\s*$", re.I)


# an item that names who is to act ('PSCB to review ...', 'NHS Exampleshire should ensure ...')
_ADDRESSED = re.compile(r"^(?:\S+\s+){0,8}?(?:to|should|must)\s+[a-z]")


def timescale_of(line: str) -> str | None | bool:
    """Timescale code for a timescale heading line ('Within three months:'), None for one we
    have no code for ('In the longer term:'), False when the line is no timescale heading."""
    s = line.strip().strip("*# ").strip()
    if not _TIMESCALE_ANY.match(s):
        return False
    for code, rx in _TIMESCALES:
        if rx.match(s):
            return code
    return None


def recommendations(text: str, layout: paragraphs.Layout, section_at, stop: int | None) -> list[Recommendation]:
    """Items of every 'Areas for improvement' list; ``section_at(offset)`` names the section."""
    lines = layout.lines
    out: list[Recommendation] = []
    i = 0
    n = len(lines)
    while i < n:
        ln = lines[i]
        if stop is not None and ln.start >= stop:
            break
        if not _AREAS_FOR_IMPROVEMENT.match(ln.text.replace("*", "")):
            i += 1
            continue
        i += 1
        timescale: str | None = None
        items: list[tuple[int, list[str], str | None]] = []  # (offset, lines, timescale)
        blank_before = False
        in_list = False
        while i < n:
            ln = lines[i]
            if stop is not None and ln.start >= stop:
                break
            if ln.furniture:
                i += 1
                continue
            t = ln.text.strip()
            if not t:
                blank_before = True
                i += 1
                continue
            ts = timescale_of(t)
            if ts is not False:
                timescale, in_list, blank_before = ts, True, False
                i += 1
                continue
            if i in layout.headings and not _ITEM_BULLET.match(ln.text) and not (in_list and _ADDRESSED.match(t)):
                break
            if paragraphs._START.match(ln.text) and not in_list:
                # the numbered lead-in paragraph of the list
                i += 1
                blank_before = False
                continue
            if paragraphs._START.match(ln.text) and in_list and not _ITEM_BULLET.match(ln.text):
                break  # the next numbered paragraph
            bullet = _ITEM_BULLET.match(ln.text)
            if not in_list and bullet and not paragraphs._START.match(ln.text):
                in_list = True  # a list without timescale headings
            if not in_list:
                i += 1
                continue
            body = ln.text[bullet.end():] if bullet else t
            body = body.strip()
            new_item = bool(bullet) or not items
            if not new_item:
                prev_text = items[-1][1][-1]
                if blank_before:
                    new_item = body[:1].isupper() or bool(re.search(r"[.;]$", prev_text))
                else:
                    new_item = body[:1].isupper() and bool(re.search(r"[.;]$", prev_text))
            if new_item:
                items.append((ln.start, [body], timescale))
            else:
                items[-1][1].append(body)
            blank_before = False
            i += 1
        para = None
        for off, parts, ts in items:
            txt = common.flatten(" ".join(parts))
            if len(txt) < 8:
                continue
            # the paragraph the list stands in (an item taken for a heading ends the paragraph early)
            para = paragraphs.paragraph_at(layout.spans, off) or para
            out.append(Recommendation(text=txt, timescale=ts, section=section_at(off), paragraph=para))
    return out


# --------------------------------------------------------------------------- the layout

_PART2 = re.compile(r"services\s+for\s+(?:looked\s+after\s+children|children\s+looked\s+after)\b", re.I)


def parse(text: str, report) -> None:
    text = prepare(text)
    read_title_block(text, report, TITLE)
    layout = paragraphs.analyse(text)
    report.paragraphs = [s.paragraph for s in layout.spans]
    table, table_at = record_table(text, SLAC_AREAS, PARTS)
    body = body_grades(layout, SLAC_AREAS, PARTS, table_at)
    combine(report, "slac", table, body, layout, SLAC_ORDER)

    # where the looked after part begins: its heading after the first numbered paragraph,
    # else the first looked after area graded in the body
    # (after the first graded safeguarding heading, when there is one: a contents list names the part too)
    sg_graded = [f.offset for f in body if f.part == "safeguarding" and f.grade]
    first_par = min(sg_graded) if sg_graded else body_start(layout)
    part2 = next((layout.lines[i].start for i in sorted(layout.headings)
                  if layout.lines[i].start > first_par and (table_at is None or layout.lines[i].start < table_at)
                  and _PART2.match(layout.headings[i])), None)
    la_body = [f.offset for f in body if f.part == "looked-after"]
    if la_body:
        part2 = min(la_body) if part2 is None else min(part2, min(la_body))
    if part2 is None:
        report.warnings.append("could not find where the looked after children part begins")

    def section_at(offset: int) -> str:
        return "looked-after" if part2 is not None and offset >= part2 else "safeguarding"

    report.recommendations = recommendations(text, layout, section_at, table_at)
    if not report.recommendations:
        report.warnings.append("no areas for improvement found")
