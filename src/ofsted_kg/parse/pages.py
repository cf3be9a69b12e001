"""PDF page furniture: page numbers, running headers and footers, footnotes.

Text from :mod:`ofsted_kg.read` separates PDF pages with form feeds (``\\f``). Inspection
reports print a page number on every page (pypdfium2 puts it on the first or last line of the
page), newer reports a running header (the report title and the inspection dates with the page
number), and footnotes at the foot of a page (``1 The ...``, its number without a full stop) whose
markers stick to the word they annotate (``board1``, ``What needs to improve?1``). Left in,
they split sentences and numbered paragraphs and pass for paragraph numbers or grades.

:func:`strip_furniture` removes all three and joins the pages, so that a paragraph broken by a
page break reads on; :func:`furniture_lines` gives the offsets of the lines it drops, for a
caller that keeps the text as it is (the paragraph splitter). Text without form feeds (text
and markdown sources) is returned unchanged.

A line is running furniture when, digits masked, it stands among the first (or last) three
lines of at least 40% of the pages (three pages at least); a bare number at a page's top or
foot is its page number. A footnote is the block at a page's foot that starts with the next
footnote number (they count up through the report) without a full stop, and only when that
number appears earlier as a marker glued to a word; the marker is removed with it.
"""
from __future__ import annotations

import re
from collections import Counter

_DIGITS = re.compile(r"\d+")
# A footnote starts with its number and no full stop ("1 The ...", or "2" alone on a line
# with the text below); numbered paragraphs have a full stop ("1. Children ...").
_FOOTNOTE_START = re.compile(r"^\s*(\d{1,2})(?:\s+(\S.*))?$")
_EDGE = 3  # lines at the top and the bottom of a page that may be running furniture


def _key(line: str) -> str:
    """A line with its numbers masked, so that 'Inspection of X ... 2' and '... 3' compare equal."""
    return _DIGITS.sub("#", " ".join(line.split()))


def _edge(lines: list[str], top: bool) -> list[str]:
    """The first (or last) few non-blank lines of a page."""
    out = []
    for ln in (lines if top else reversed(lines)):
        if ln.strip():
            out.append(ln)
            if len(out) == _EDGE:
                break
    return out


def _running_keys(pages: list[list[str]], top: bool) -> set[str]:
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_key(ln) for ln in _edge(lines, top)})
    need = max(3, int(0.4 * len(pages)))
    return {k for k, n in counts.items() if n >= need and k}


def _strip_edges(lines: list[str], idx: list[int], head: set[str], foot: set[str]) -> list[int]:
    a, b = 0, len(idx)
    while a < b and (not lines[idx[a]].strip() or _key(lines[idx[a]]) in head):
        a += 1
    while b > a and (not lines[idx[b - 1]].strip() or _key(lines[idx[b - 1]]) in foot):
        b -= 1
    return idx[a:b]


def _is_page_number(line: str, page_no: int) -> bool:
    s = line.strip()
    return s.isdigit() and abs(int(s) - page_no) <= 3


def _marker_rx(n: int) -> re.Pattern[str]:
    # a footnote marker: the number glued to the word or punctuation it annotates, or alone on a line
    # (punctuation counts only after a letter: the '1' of '2.1' is no marker)
    return re.compile(r"(?:(?<=[A-Za-z\)\?'\"])|(?<=[A-Za-z\)][.,;:]))" + str(n) + r"(?!\d)|^\s*" + str(n)
                      + r"\s*$", re.M)


def _strip_footnotes(pages: list[list[str]], keep: list[list[int]], edits: dict) -> None:
    """Drop footnote blocks from the foot of each page (``keep``) and record the edits that
    take their markers out of the text (``edits[(page, line)] = new text``)."""
    expected = 1
    for p, idx in enumerate(keep):
        tail = idx[-25:]
        if not any((m := _FOOTNOTE_START.match(pages[p][i])) and int(m.group(1)) == expected for i in tail):
            continue  # no line near the foot of the page starts the next footnote
        lines = [edits.get((p, i), pages[p][i]) for i in idx]
        first = None
        j = max(0, len(lines) - 25)
        while j < len(lines):
            m = _FOOTNOTE_START.match(lines[j])
            if m and int(m.group(1)) == expected:
                hit = None
                for hit in _marker_rx(expected).finditer("\n".join(lines[:j])):
                    pass
                if hit is not None and not _looks_like_data(lines, j):
                    if first is None:
                        first = j
                    k, new = _without_marker(lines, hit)
                    lines[k] = new
                    edits[(p, idx[k])] = new
                    expected += 1
            j += 1
        if first is not None:
            del idx[first:]


def _looks_like_data(lines: list[str], j: int) -> bool:
    """A number line that is a table cell or a numbered list item rather than a footnote."""
    rest = [ln for ln in lines[j:] if ln.strip()]
    if len(rest) > 12:
        return True
    return any(re.match(r"^\s*\d{1,3}\.\s", ln) for ln in rest[1:])


def _without_marker(lines: list[str], hit: re.Match[str]) -> tuple[int, str]:
    """(line index, line text without the marker) for a marker found in the joined lines."""
    pos = 0
    for i, ln in enumerate(lines):
        end = pos + len(ln)
        if pos <= hit.start() <= end:
            return i, ln[:hit.start() - pos] + ln[hit.end() - pos:]
        pos = end + 1
    raise ValueError("marker outside the lines")  # not reached: the hit comes from these lines


def _plan(text: str) -> tuple[list[list[str]], list[list[int]], dict]:
    """Pages as lines, the indices of the lines each page keeps, and marker edits."""
    pages = [p.split("\n") for p in text.split("\f")]
    head = _running_keys(pages, top=True)
    foot = _running_keys(pages, top=False)
    keep: list[list[int]] = []
    for no, lines in enumerate(pages, 1):
        idx = _strip_edges(lines, list(range(len(lines))), head, foot)
        # a page number that is not repeated often enough to be caught as running furniture
        if idx and _is_page_number(lines[idx[0]], no):
            idx = idx[1:]
        if idx and _is_page_number(lines[idx[-1]], no):
            idx = idx[:-1]
        keep.append(idx)
    edits: dict = {}
    _strip_footnotes(pages, keep, edits)
    for p, idx in enumerate(keep):
        while idx and not pages[p][idx[-1]].strip():
            idx.pop()
    return pages, keep, edits


def furniture_lines(text: str) -> list[int]:
    """Start offsets (in ``text``) of the page-number, running header/footer and footnote lines."""
    if "\f" not in text:
        return []
    pages, keep, _ = _plan(text)
    out, pos = [], 0
    for p, lines in enumerate(pages):
        kept = set(keep[p])
        for i, ln in enumerate(lines):
            if i not in kept and ln.strip():
                out.append(pos)
            pos += len(ln) + 1
    return out


def strip_furniture(text: str, keep_breaks: bool = False) -> str:
    """Text without page numbers, running headers/footers and footnotes (and their markers).

    Pages are joined with newlines (with form feeds when ``keep_breaks``)."""
    if "\f" not in text:
        return text
    pages, keep, edits = _plan(text)
    edited = {p for p, _i in edits}
    joined = []
    for p, idx in enumerate(keep):
        lines = pages[p]
        if p in edited:
            joined.append("\n".join([edits.get((p, i), lines[i]) for i in idx]))
        elif idx and idx[-1] - idx[0] + 1 == len(idx):  # the kept lines are one run (idx rises)
            joined.append("\n".join(lines[idx[0]:idx[-1] + 1]))
        else:
            joined.append("\n".join([lines[i] for i in idx]))
    return ("\n\f" if keep_breaks else "\n").join(joined)


_GLUED_NUMBER = re.compile(r"^([ \t\f]*\d{1,3}\.)(?=[A-Z\u2018\u201c'\"(])", re.M)


def unglue_paragraph_numbers(text: str) -> str:
    """'12.Disabled children ...' -> '12. Disabled children ...': some PDFs lose the space
    after a paragraph number (pypdfium2 then gives them glued), which hides the paragraph."""
    return _GLUED_NUMBER.sub(r"\1 ", text)
