"""Helpers shared by the framework parsers: text normalisation, dates, grades, names."""
from __future__ import annotations

import re
from datetime import date

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def normalise(text: str) -> str:
    """Unify quotes, dashes and spaces; keep line breaks and form feeds (page breaks)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    for d in _DASHES:
        text = text.replace(d, "\u2013" if d in "\u2013\u2014" else "-")
    text = text.replace("\u00a0", " ").replace("\ufffe", "-").replace("\u00ad", "")
    text = text.replace("\t", " ")
    return text


def flatten(text: str) -> str:
    """All whitespace (including line and page breaks) folded to single spaces."""
    return " ".join(text.split())


GRADE_WORDS = [
    ("requires-improvement", re.compile(r"requires?\s+improvement(?:\s+to\s+be\s+good)?", re.I)),
    ("outstanding", re.compile(r"outstanding", re.I)),
    ("good", re.compile(r"good", re.I)),
    ("adequate", re.compile(r"adequate", re.I)),
    ("inadequate", re.compile(r"inadequate", re.I)),
]
_GRADE_NUM = {"1": "outstanding", "2": "good", "3": "adequate", "4": "inadequate"}


def grade_code(s: str) -> str | None:
    """The grade code for a printed grade ('Requires improvement to be good', 'Grade 2', ...)."""
    s = s.strip().lower()
    m = re.search(r"grade\s*([1-4])", s)
    if m:
        return _GRADE_NUM[m.group(1)]
    for code, rx in GRADE_WORDS:
        if rx.fullmatch(s.strip(" .:;()*")):
            return code
    return None


def find_grade(s: str) -> str | None:
    """The first grade word anywhere in s ('inadequate' before 'adequate')."""
    hits = []
    for code, rx in GRADE_WORDS:
        pat = rx.pattern if code != "adequate" else r"(?<!in)adequate"
        m = re.search(r"\b" + pat + r"\b", s, re.I)
        if m:
            hits.append((m.start(), code))
    return min(hits)[1] if hits else None


_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")


def parse_date(s: str) -> str | None:
    m = _DATE.search(s)
    if not m:
        return None
    return _iso(m.group(1), m.group(2), m.group(3))


def _iso(d: str, mon: str, y: str) -> str | None:
    mm = MONTHS.get(mon.lower()) or MONTHS.get(mon.lower()[:3])
    if not mm:
        return None
    try:
        return date(int(y), mm, int(d)).isoformat()
    except ValueError:
        return None


_RANGE = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?\s*(?:([A-Za-z]{3,9})\.?\s*(\d{4})?)?\s*(?:-|\u2013|to|and)\s*"
    r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")


def parse_date_range(s: str) -> tuple[str | None, str | None]:
    """'27 June - 8 July 2011', '9 – 20 May 2011', '29 April 2019 to 3 May 2019' -> ISO pair."""
    m = _RANGE.search(s)
    if not m:
        d = parse_date(s)
        return d, d
    d1, m1, y1, d2, m2, y2 = m.groups()
    m1 = m1 or m2
    y1 = y1 or y2
    start, end = _iso(d1, m1, y1), _iso(d2, m2, y2)
    if start and end and start > end and not m.group(3):  # e.g. 28 December - 8 January 2013
        start = _iso(d1, m1, str(int(y2) - 1))
    return start, end


_PERSON_TITLES = re.compile(
    r"\b(HMI|Her Majesty's Inspector|His Majesty's Inspector|Ofsted Inspector|OI|SHMI|Senior HMI)\b\.?", re.I)


def clean_person(s: str) -> str | None:
    s = _PERSON_TITLES.sub(" ", s)
    s = re.sub(r"[,;:]+", " ", s)
    s = flatten(s).strip(" .-")
    return s or None


_AUTHORITY_AFFIXES = re.compile(
    r"^(?:the\s+(?=\S)|council\s+of\s+the\s+|(?:london|royal)\s+borough\s+of\s+|metropolitan\s+borough\s+of\s+|"
    r"borough\s+of\s+|city\s+of\s+|county\s+of\s+)|"
    r"\s+(?:(?:metropolitan\s+)?borough\s+council|county\s+council|city\s+council|district\s+council|council|"
    r"(?:local\s+)?safeguarding\s+children(?:'s)?\s+(?:board|partnership)|children's\s+services|local\s+authority)$",
    re.I)


def authority_names(printed: str) -> tuple[str, str | None]:
    """(short name, official name) of an authority as a report prints it.

    'London Borough of Hammersmith & Fulham' -> ('Hammersmith and Fulham', the printed name);
    'Portsmouth City Council' -> 'Portsmouth'; 'Surrey Safeguarding Children Board' -> 'Surrey';
    a bare name ('Norfolk') has no official name here."""
    printed = flatten(printed).strip(" ,.:;")
    official = re.sub(r"^the\s+", "", printed.replace(" & ", " and "), flags=re.I)
    name = official
    for _ in range(3):
        new = _AUTHORITY_AFFIXES.sub("", name).strip()
        if new == name or not new:
            break
        name = new
    name = re.sub(r"\s+City$", "", name) or name
    if re.fullmatch(r"(?:the\s+)?city\s+of\s+london(?:\s+corporation)?", official, re.I):
        name = "City of London"
    is_council = bool(re.search(r"\b(council|borough|county|city of)\b", official, re.I)) and \
        not re.search(r"safeguarding", official, re.I)
    return name, (official if is_council else None)


_OFFICIAL = (r"(?:(?:London|Royal)\s+Borough\s+of\s+{n}|{n}\s+(?:Metropolitan\s+Borough|County|City|Borough|District)"
             r"\s+Council|{n}\s+Council|City\s+of\s+{n}\s+Council|Council\s+of\s+the\s+{n})")


def official_name_in(text: str, name: str) -> str | None:
    """The council's official name as the text prints it somewhere ('Norfolk County Council')."""
    if not name:
        return None
    m = re.search(_OFFICIAL.format(n=r"\s+".join(map(re.escape, name.split()))), text)
    return " ".join(m.group(0).split()) if m else None


def name_lines_above(text: str, end: int, most: int = 2) -> str:
    """The authority's name printed just above a title that starts at ``end``: the short lines
    right above it (a long name wraps onto two), skipping page numbers and blank lines."""
    out: list[str] = []
    for ln in reversed(text[:end].splitlines()):
        s = ln.strip()
        if not s or s.isdigit():
            if out:
                break
            continue
        if len(s) > 60 or s.endswith((".", ":", ";")) or len(out) == most:
            break
        out.insert(0, s)
    return " ".join(out)


def fill_generic(text: str, report) -> None:
    """Best-effort metadata for a document whose layout is unknown."""
    m = re.search(r"Inspection dates?:?\s*(.+)", text)
    if m:
        report.inspection.start_date, report.inspection.end_date = parse_date_range(m.group(1))
    m = re.search(r"(?:Report )?[Pp]ublished:?\s*(.+)", text)
    if m:
        report.inspection.published_date = parse_date(m.group(1))
