"""PDF page furniture: page numbers, running headers and footers, footnotes.

Text from :mod:`ofsted_kg.read` separates PDF pages with form feeds (``\\f``). Inspection
reports print a page number on every page (pypdfium2 puts it on the first or last line of the
page), newer reports a running header (the report title and the inspection dates with the page
number), and footnotes at the foot of a page (``1 Ofsted produces this report ...``) whose
markers stick to the word they annotate (``board1``, ``What needs to improve?1``). Left in,
they split sentences and numbered paragraphs and pass for paragraph numbers or grades.

:func:`strip_furniture` removes all three and joins the pages, so that a paragraph broken by a
page break reads on. Text without form feeds (text and markdown sources) is returned unchanged.
"""
from __future__ import annotations

import re
from collections import Counter

_DIGITS = re.compile(r"\d+")
# A footnote starts with its number and no full stop ("1 Ofsted ...", or "2" alone on a line
# with the text below); numbered paragraphs have a full stop ("1. Children ...").
_FOOTNOTE_START = re.compile(r"^\s*(\d{1,2})(?:\s+(\S.*))?$")
_EDGE = 3  # lines at the top and the bottom of a page that may be running furniture


def _key(line: str) -> str:
    """A line with its numbers masked, so that 'Inspection of X ... 2' and '... 3' compare equal."""
    return _DIGITS.sub("#", " ".join(line.split()))


def _running_keys(pages: list[list[str]], top: bool) -> set[str]:
    counts: Counter[str] = Counter()
    for lines in pages:
        body = [ln for ln in lines if ln.strip()]
        edge = body[:_EDGE] if top else body[-_EDGE:]
        counts.update({_key(ln) for ln in edge})
    need = max(3, int(0.4 * len(pages)))
    return {k for k, n in counts.items() if n >= need and k}


def _strip_edges(lines: list[str], head: set[str], foot: set[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or _key(lines[start]) in head):
        start += 1
    while end > start and (not lines[end - 1].strip() or _key(lines[end - 1]) in foot):
        end -= 1
    return lines[start:end]


def _is_page_number(line: str, page_no: int) -> bool:
    s = line.strip()
    return s.isdigit() and abs(int(s) - page_no) <= 3


def _marker_rx(n: int) -> re.Pattern[str]:
    # a footnote marker: the number glued to the word or punctuation it annotates, or alone on a line
    # (punctuation counts only after a letter: the '1' of '2.1' is no marker)
    return re.compile(r"(?:(?<=[A-Za-z\)\?'\"])|(?<=[A-Za-z\)][.,;:]))" + str(n) + r"(?!\d)|^\s*" + str(n)
                      + r"\s*$", re.M)


def _strip_footnotes(pages: list[list[str]]) -> None:
    expected = 1
    for lines in pages:
        first = None
        j = max(0, len(lines) - 25)
        while j < len(lines):
            m = _FOOTNOTE_START.match(lines[j])
            if m and int(m.group(1)) == expected:
                body_before = "\n".join(lines[:j])
                marker = _marker_rx(expected)
                hit = None
                for hit in marker.finditer(body_before):
                    pass
                if hit is not None and not _looks_like_data(lines, j):
                    if first is None:
                        first = j
                    _remove_marker(lines, hit)
                    expected += 1
            j += 1
        if first is not None:
            del lines[first:]


def _looks_like_data(lines: list[str], j: int) -> bool:
    """A number line that is a table cell or a numbered list item rather than a footnote."""
    rest = [ln for ln in lines[j:] if ln.strip()]
    if len(rest) > 12:
        return True
    return any(re.match(r"^\s*\d{1,3}\.\s", ln) for ln in rest[1:])


def _remove_marker(lines: list[str], hit: re.Match[str]) -> None:
    """Delete the marker the regex hit in the joined text of ``lines``."""
    pos = 0
    for i, ln in enumerate(lines):
        end = pos + len(ln)
        if pos <= hit.start() <= end:
            a, b = hit.start() - pos, hit.end() - pos
            new = ln[:a] + ln[b:]
            lines[i] = new
            return
        pos = end + 1


def strip_furniture(text: str, keep_breaks: bool = False) -> str:
    """Text without page numbers, running headers/footers and footnotes.

    Pages are joined with newlines (with form feeds when ``keep_breaks``)."""
    if "\f" not in text:
        return text
    pages = [p.split("\n") for p in text.split("\f")]
    head = _running_keys(pages, top=True)
    foot = _running_keys(pages, top=False)
    out: list[list[str]] = []
    for no, lines in enumerate(pages, 1):
        lines = _strip_edges(lines, head, foot)
        # a page number that is not repeated often enough to be caught as running furniture
        if lines and _is_page_number(lines[0], no):
            lines = lines[1:]
        if lines and _is_page_number(lines[-1], no):
            lines = lines[:-1]
        out.append(lines)
    _strip_footnotes(out)
    for lines in out:
        while lines and not lines[-1].strip():
            lines.pop()
    return ("\n\f" if keep_breaks else "\n").join("\n".join(lines) for lines in out)
