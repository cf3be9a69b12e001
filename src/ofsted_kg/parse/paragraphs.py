"""Numbered paragraphs (1., 2., ...) of a report, with the heading each stands under.

Every framework numbers its body paragraphs, and those numbers are the provenance the later
steps cite. The text we get is noisy in known ways, and the splitter is written for them:

* bulleted numbers (``- 12. Text``) from markdown extractions;
* a number glued to its text at a line start (``12.Text``: the PDF lost the space), read as
  :func:`ofsted_kg.parse.pages.unglue_paragraph_numbers` would space it, for every layout;
* a number that slipped into the middle of its first line (``... is good. Staff 14. know the families ...``): the
  paragraph starts at the beginning of that line;
* a mistyped number (``66.`` where 56 belongs) or a number lost altogether: the numbers that
  form the longest plausible increasing run are kept (dynamic programming over all
  candidates), and a gap of k numbers between two kept ones is filled when exactly k
  orphan paragraph starts stand in it;
* PDF page furniture (page numbers, running headers and footers, footnotes; found by
  :mod:`ofsted_kg.parse.pages`): such lines are skipped, so a paragraph split by a page break
  stays whole.

Headings are found by shape and context, for text with blank lines and PDF text without:
a short line starting with a capital letter, not ending like a sentence, standing where a
block ends and another opens (a heading wrapped onto a second line is joined up; one that
ends with its grade, 'Grade 2 (good)' or ': requires improvement to be good', is a heading
however long).

``split`` returns :class:`Span` objects (paragraph plus character offsets into the text given)
so that the framework parsers can ask which paragraph a heading, a grade or a recommendation
stands in (:func:`paragraph_at`, :func:`first_paragraph_after`). ``numbered_paragraphs``
returns just the :class:`~ofsted_kg.model.Paragraph` list for ``Report.paragraphs``.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Paragraph


_BULLET = r"(?:[-*\u2022\u25aa\u25cf\u25e6\uf0b7\uf0a7\u2023\u2043\u00b7]\s*)"
_START = re.compile(r"^\s*" + _BULLET + r"?(\d{1,3})\.(?=\s|$)\s*")
# a number glued to its text ('12.Disabled children ...': some PDFs lose the space after it)
_GLUED_START = re.compile(r"^[ \t]*(\d{1,3})\.(?=[A-Z\u2018\u201c'\"(])")
_MID = re.compile(r"(?<=\S\s)(\d{1,3})\.\s+(?=[A-Za-z(\"'])")
_BULLET_LINE = re.compile(r"^\s*" + _BULLET)
_FULL_STOP = re.compile(r"\.")
_END_NUMBER = re.compile(r"(?<=[.!?;)'\"]\s)(\d{1,3})\.\s*$")

# A grade statement standing alone or closing a heading line: 'Grade 2 (good)',
# 'Outstanding (Grade 1)', 'Grade 3 (Adequate)'.
GRADE_TAIL = re.compile(
    r"\s*(?:Grade\s*[1-4]\s*(?:\(\s*[A-Za-z ]+\)|[:\-\u2013]?\s*(?:outstanding|good|adequate|inadequate)\b)"
    r"|(?:Outstanding|Good|Adequate|Inadequate)\s*\(\s*Grade\s*[1-4]\s*\))\s*$", re.I)


def grade_tail(s: str) -> re.Match[str] | None:
    """The grade statement closing ``s`` ('... Grade 2 (good)', '... Good (Grade 2)'), if any."""
    return GRADE_TAIL.search(s) if ("rade" in s or "RADE" in s) else None


def strip_grade_tail(s: str) -> str:
    m = grade_tail(s)
    return s[:m.start()] if m else s


# a heading that ends with its grade ('... help and protection: requires improvement to be good')
_GRADED_HEADING = re.compile(r"(?::|\bare|\bis)\s+(?:outstanding|good|adequate|inadequate|"
                             r"requires\s+improvement(?:\s+to\s+be\s+good)?)\.?$", re.I)
_TIMESCALE_LEAD = re.compile(r"^(immediately|within|by\b|in the|over the next)", re.I)
_LABEL_LINE = re.compile(r"^\s*\S+(?:\s+\S+){0,5}:\s*$")  # 'Within three months:'
_SENTENCE_END = re.compile(r"[.!?:;]['\")]*\s*$")
_FULL_SENTENCE_END = re.compile(r"[.!?]['\")]*\s*$")
_GRADE_ALONE = re.compile(r"\s*grade\s*[1-4]\s*", re.I)
_SENTENCE_INSIDE = re.compile(r"[a-z)'\"]\.\s+\S")  # a full stop inside the line
_CLAUSE_END = re.compile(r"[.,;]['\")]*$")
_PAGE_NUMBER_END = re.compile(r"\s\d{1,3}$")
_CONTENTS_NUMBER = re.compile(r"\s\d{1,3}\s*$")  # 'Service information 3'

W_LINE_START = 3.0  # a number opening its line
W_MID_LINE = 1.0  # a number found inside a line
GAP_COST = 0.4  # per number skipped between two kept ones ...
GAP_COST_MAX = 2.5  # ... up to this much, so a real paragraph after a long gap is still kept
START_COST = 0.5  # per number the first kept one lies above 1


@dataclass
class Span:
    paragraph: Paragraph
    start: int  # offset of the paragraph's first character in the text given to split()
    end: int  # offset just after its last character


@dataclass
class Line:
    start: int
    end: int
    text: str
    furniture: bool = False


@dataclass
class Layout:
    """What :func:`analyse` found: the lines (page furniture marked), the heading lines
    (line index -> heading text) and the numbered paragraphs with their offsets."""
    lines: list[Line]
    headings: dict[int, str]
    spans: list[Span]


def _lines(text: str) -> list[Line]:
    out, pos = [], 0
    append = out.append
    for t in text.replace("\f", "\n").split("\n"):  # both breaks are one character
        end = pos + len(t)
        append(Line(pos, end, t))
        pos = end + 1
    return out


def mark_furniture(text: str, lines: list[Line]) -> None:
    """Mark the page numbers, running headers/footers and footnotes of PDF text (pages
    separated by form feeds), as :func:`ofsted_kg.parse.pages.furniture_lines` finds them."""
    if "\f" not in text:
        return
    from .pages import furniture_lines

    marked = set(furniture_lines(text))
    for ln in lines:
        if ln.start in marked:
            ln.furniture = True


def is_grade_line(s: str) -> bool:
    """'Grade 2 (good)' or 'Outstanding (Grade 1)' standing alone."""
    if "rade" not in s and "RADE" not in s:
        return False
    return bool(GRADE_TAIL.fullmatch(s.strip())) or bool(_GRADE_ALONE.fullmatch(s))


def heading_text(s: str) -> str | None:
    """The heading a line states (a closing grade removed), or None when it is no heading.

    A heading is short, starts with a capital letter or a quote, does not end like a sentence
    or clause and is not a bullet, a numbered paragraph, a table row or a timescale lead-in.
    """
    # most lines fail on their first character (running text, bullets, numbers): answered
    # here without the cache and the patterns
    c = s.lstrip()[:1]
    if not c or not (c.isupper() or c in "'\""):
        return None
    return _heading_text(s)


@functools.lru_cache(maxsize=8192)
def _heading_text(s: str) -> str | None:
    s = s.strip()
    if not s or _BULLET_LINE.match(s) or _START.match(s) or s.startswith("|") or "|" in s.strip("|"):
        return None
    s = strip_grade_tail(s).strip()
    if not s or not (s[0].isupper() or (s[0] in "'\"" and len(s) > 1 and s[1].isupper())):
        return None
    if len(s) > 120 or len(s.split()) > 16 or _SENTENCE_INSIDE.search(s):
        return None
    if s.endswith(":"):
        if len(s.split()) > 6 or _TIMESCALE_LEAD.match(s):
            return None
        return s[:-1].strip()
    if _CLAUSE_END.search(s):
        return None
    if _PAGE_NUMBER_END.search(s) and not s.endswith("?"):  # contents line with its page number
        return None
    return s


def _heading_lines(lines: list[Line], is_heading: Callable[[str], str | None] | None) -> dict[int, str]:
    """Line index -> heading, for lines that stand as headings in context.

    A heading-like line counts when it is not glued into running text: the line before it is
    blank, a heading, a grade line or ends a sentence, and the line after it is blank, a
    heading, a grade line or a numbered paragraph. A heading that PDF text wrapped onto a
    second (or third) short line starting in lower case is joined up.
    """
    # the generic test's first-character check is done below for all lines at once
    test = is_heading or _heading_text
    out: dict[int, str] = {}
    visible = [i for i, ln in enumerate(lines) if not ln.furniture]

    def blank(k: int) -> bool:
        return not lines[visible[k]].text.strip()

    def closes(k: int) -> bool:  # the visible line k ends a block (or is no line at all)
        if k < 0 or blank(k):
            return True
        t = lines[visible[k]].text
        if visible[k] in out or _SENTENCE_END.search(t) or is_grade_line(t):
            return True
        # a contents line ('Service information 3')
        return bool(_CONTENTS_NUMBER.search(t)) and bool(heading_text(_CONTENTS_NUMBER.sub("", t)))

    def strongly_opens(k: int) -> bool:  # a numbered paragraph or a grade follows (blank lines skipped)
        while k < len(visible) and blank(k):
            k += 1
        if k >= len(visible):
            return False
        raw = lines[visible[k]].text
        t = raw.strip()
        return bool(is_grade_line(t) or _START.match(t) or _GLUED_START.match(raw))

    def opens(k: int, after_long: bool = False) -> bool:  # the visible line k starts a block (or is no line)
        if k >= len(visible) or blank(k):
            return True
        raw = lines[visible[k]].text
        t = raw.strip()
        # a heading-like line opens a block only when it is short: long ones are running text,
        # and two long lines in a row are running text however they start
        limit = 60 if after_long else 72
        return bool((heading_text(t) and len(t) <= limit) or is_grade_line(t) or _START.match(t)
                    or _GLUED_START.match(raw))

    if is_heading is None:  # only lines opening with a capital or a quote can be headings
        todo = [(k, i) for k, i in enumerate(visible)
                if (c := lines[i].text.lstrip()[:1]) and (c.isupper() or c in "'\"")]
    else:
        todo = list(enumerate(visible))
    for k, i in todo:
        h = test(lines[i].text)
        if not h:
            continue
        if is_heading is None:
            strong = strongly_opens(k + 1)
            if not opens(k + 1, after_long=len(lines[i].text.strip()) > 60):
                # a wrapped heading: up to two short lower-case lines, then a block opens
                parts, last, kk = [h], k, k + 1
                while kk < len(visible) and kk <= k + 2 and not blank(kk):
                    t = lines[visible[kk]].text.strip()
                    tail = strip_grade_tail(t).strip()
                    if not tail or not tail[0].islower() or len(tail) > 70 or tail.endswith((",", ";")):
                        break
                    if tail.endswith((".", ":")):
                        # a heading written as a sentence ('... are good.'): only
                        # right under another heading and with a numbered paragraph next
                        prev = lines[visible[k - 1]].text if k > 0 else ""
                        if (k == 0 or blank(k - 1) or visible[k - 1] in out or is_grade_line(prev)) \
                                and strongly_opens(kk + 1):
                            parts.append(tail.rstrip(". "))
                            last = kk
                        break
                    parts.append(tail)
                    last = kk
                    if tail != t or opens(kk + 1):
                        break
                    kk += 1
                joined = " ".join(parts)
                graded_text = bool(_GRADED_HEADING.search(joined))
                if len(parts) == 1 or len(joined.split()) > (24 if graded_text else 16):
                    continue
                graded = bool(grade_tail(lines[visible[last]].text))
                if not (opens(last + 1) or graded):
                    continue
                h = joined
                strong = graded or strongly_opens(last + 1)
            if not closes(k - 1) and not (strong and (len(h.split()) <= 12 or _GRADED_HEADING.search(h))):
                continue
        out[i] = h
    return out


@dataclass
class _Cand:
    line: int
    pos: int  # offset where the paragraph text starts
    number: int
    weight: float
    body: int  # offset where the text after the number starts
    cut: tuple[int, int] | None = None  # a stray number inside the first line, left out of the text
    eol: bool = False  # a number at the end of the line before the paragraph


def _candidates(lines: list[Line], headings: dict[int, str], text: str | None = None) -> list[_Cand]:
    """Every number that may open a paragraph, in text order (``text``: the text the lines
    were cut from, to find the few lines that hold a number with a full stop at all)."""
    if text is None:
        rows: list[int] | range = range(len(lines))
    else:
        # every kind of candidate is a number with a full stop ('12.'), and such a pair never
        # spans a line break: only the lines that hold one need the patterns
        starts = [ln.start for ln in lines]
        found = set()
        for m in _FULL_STOP.finditer(text):
            k = m.start()
            if k and text[k - 1].isdigit():  # isdigit() takes in every digit \d does
                found.add(bisect.bisect_right(starts, k) - 1)
        rows = sorted(found)
    out = []
    n_lines = len(lines)
    for i in rows:
        ln = lines[i]
        if ln.furniture or i in headings:
            continue
        t = ln.text
        m = _END_NUMBER.search(t)
        end_cand = None
        if m and int(m.group(1)) >= 1 and i + 1 < n_lines:
            # the number ran onto the end of the line before its paragraph ('... well. 12.')
            end_cand = _Cand(i, ln.start + m.start(), int(m.group(1)), W_MID_LINE, lines[i + 1].start, eol=True)
        m = _START.match(t) or _GLUED_START.match(t)
        if m:
            n = int(m.group(1))
            if n >= 1:
                out.append(_Cand(i, ln.start, n, W_LINE_START, ln.start + m.end()))
            if end_cand:
                out.append(end_cand)
            continue
        mids = [m for m in _MID.finditer(t) if int(m.group(1)) >= 1]
        if mids:
            # the number slipped into its paragraph's first line: the paragraph starts with the
            # line when the line before closes something (blank, heading, end of sentence)
            prev_j = next((j for j in range(i - 1, -1, -1) if lines[j].text.strip() and not lines[j].furniture), None)
            at_line_start = prev_j is None or not lines[i - 1].text.strip() \
                or bool(_SENTENCE_END.search(lines[prev_j].text)) or prev_j in headings \
                or is_grade_line(lines[prev_j].text)
            for m in mids:
                n = int(m.group(1))
                if at_line_start:
                    b = _BULLET_LINE.match(t)
                    pos = ln.start + (b.end() if b else len(t) - len(t.lstrip()))
                    out.append(_Cand(i, pos, n, W_MID_LINE, pos, (ln.start + m.start(), ln.start + m.end())))
                else:
                    out.append(_Cand(i, ln.start + m.start(), n, W_MID_LINE, ln.start + m.end()))
        if end_cand:
            out.append(end_cand)
    return out


def _best_chain(cands: list[_Cand]) -> list[int]:
    """Indices of the candidates forming the best increasing run of numbers.

    For each candidate the predecessors are tried nearest first, and the search stops as soon
    as no earlier candidate can beat the best found: a predecessor adds at most its score plus
    this candidate's weight (the gap cost is never negative), so once the highest score among
    all earlier candidates (``top``) cannot do better, none can. The result is the one the full
    quadratic search gives (ties go to the nearest predecessor, as before).
    """
    n = len(cands)
    if not n:
        return []
    score = [0.0] * n
    back = [-1] * n
    top = [0.0] * n  # top[i] = max(score[:i + 1])
    nums = [c.number for c in cands]
    rows = [c.line for c in cands]
    for j, c in enumerate(cands):
        cn, w, cl, ceol = c.number, c.weight, c.line, c.eol
        best, arg = w - START_COST * (cn - 1), -1
        for i in range(j - 1, -1, -1):
            if top[i] + w <= best:
                break
            pn = nums[i]
            if pn >= cn or (rows[i] == cl and not ceol):
                continue
            s = score[i] + w - min(GAP_COST_MAX, GAP_COST * (cn - pn - 1))
            if s > best:
                best, arg = s, i
        score[j], back[j] = best, arg
        top[j] = best if j == 0 or best > top[j - 1] else top[j - 1]
    j = max(range(n), key=lambda k: (score[k], -k))
    chain = []
    while j != -1:
        chain.append(j)
        j = back[j]
    return chain[::-1]


def _orphan_line(lines: list[Line], i: int, headings: dict[int, str]) -> bool:
    """An unnumbered line that reads like the start of a paragraph whose number was lost."""
    t = lines[i].text.strip()
    b = _BULLET_LINE.match(t)
    body = t[b.end():] if b else t
    if not body or not body[0].isupper() or i in headings or is_grade_line(t):
        return False
    prev = next((j for j in range(i - 1, -1, -1) if lines[j].text.strip() and not lines[j].furniture), None)
    if prev is None:
        return False
    pt = lines[prev].text
    if prev in headings or is_grade_line(pt):
        return True
    return bool(b) and bool(_FULL_SENTENCE_END.search(pt))


def split(text: str, *, is_heading: Callable[[str], str | None] | None = None,
          furniture: bool = True) -> list[Span]:
    """The numbered paragraphs of ``text`` with their offsets, in text order.

    ``is_heading`` (line -> heading text or None) replaces the generic heading test for a
    layout whose headings are known; ``furniture=False`` keeps page furniture lines.
    """
    return analyse(text, is_heading=is_heading, furniture=furniture).spans


def analyse(text: str, *, is_heading: Callable[[str], str | None] | None = None,
            furniture: bool = True) -> Layout:
    """Lines, heading lines and numbered paragraphs of ``text`` (see :func:`split`)."""
    lines = _lines(text)
    if furniture:
        mark_furniture(text, lines)
    headings = _heading_lines(lines, is_heading)
    cands = _candidates(lines, headings, text)
    chain = [cands[k] for k in _best_chain(cands)]
    kept_lines = {c.line for c in chain}
    starts: list[_Cand] = list(chain)
    # fill gaps: k missing numbers and exactly k orphan starts between two kept paragraphs
    for a, b in zip(chain, chain[1:]):
        missing = b.number - a.number - 1
        if missing <= 0:
            continue
        between = range(a.line + 1, b.line)
        numbered = [c for c in cands if c.line in between and c.weight == W_LINE_START and c.line not in kept_lines]
        if len(numbered) == missing:
            fill = [(c.line, c.pos, c.body) for c in numbered]
        else:
            orphans = [i for i in between if not lines[i].furniture and _orphan_line(lines, i, headings)]
            if len(orphans) != missing:
                continue
            fill = []
            for i in orphans:
                bm = _BULLET_LINE.match(lines[i].text)
                off = lines[i].start + (bm.end() if bm else len(lines[i].text) - len(lines[i].text.lstrip()))
                fill.append((i, off, off))
        for k, (line, pos, body) in enumerate(fill, 1):
            starts.append(_Cand(line, pos, a.number + k, 0.0, body))
    starts.sort(key=lambda c: c.pos)

    spans: list[Span] = []
    heading_idx = sorted(headings)
    for k, c in enumerate(starts):
        nxt = starts[k + 1] if k + 1 < len(starts) else None
        hpos = bisect.bisect_left(heading_idx, c.line)
        stop = nxt.line + 1 if nxt else len(lines)  # the next start's line may end this paragraph
        if hpos < len(heading_idx) and heading_idx[hpos] < stop:
            stop = heading_idx[hpos]
        parts: list[str] = []
        end = c.body
        for i in range(c.line, stop):
            ln = lines[i]
            if ln.furniture:
                continue
            a0 = c.body if i == c.line else ln.start
            b0 = nxt.pos if nxt and i == nxt.line else ln.end
            if a0 >= b0:
                continue
            seg = ln.text if a0 == ln.start and b0 == ln.end else text[a0:b0]
            if c.cut and i == c.line:
                ca, cb = c.cut
                seg = text[a0:ca] + text[cb:b0]
            seg_flat = " ".join(seg.split())
            if not seg_flat:  # a blank line
                continue
            bullet = _BULLET_LINE.match(seg)
            if bullet and bullet.end() == len(seg):  # a bullet alone
                continue
            if parts and bullet:  # a list item: on its own line, bullet written '- '
                parts.append("\n- " + _BULLET_LINE.sub("", seg_flat, count=1))
            elif parts and ":" in seg and _LABEL_LINE.match(seg):
                parts.append("\n" + seg_flat)
            else:
                parts.append((" " if parts else "") + seg_flat)
            end = b0
        prev_heads = heading_idx[:hpos]
        heading = headings[prev_heads[-1]] if prev_heads else None
        spans.append(Span(Paragraph(c.number, "".join(parts).strip(), heading), c.pos, max(end, c.pos)))
    return Layout(lines, headings, spans)


def numbered_paragraphs(text: str, **kwargs) -> list[Paragraph]:
    """The report's numbered paragraphs, in text order (see :func:`split` for the options)."""
    return [s.paragraph for s in split(text, **kwargs)]


def paragraph_at(spans: list[Span], offset: int) -> int | None:
    """Number of the paragraph whose text contains ``offset`` (None outside every paragraph)."""
    starts = [s.start for s in spans]
    k = bisect.bisect_right(starts, offset) - 1
    if k >= 0 and spans[k].start <= offset <= spans[k].end:
        return spans[k].paragraph.number
    return None


def first_paragraph_after(spans: list[Span], offset: int, before: int | None = None) -> int | None:
    """Number of the first paragraph starting at or after ``offset`` (and before ``before``)."""
    starts = [s.start for s in spans]
    k = bisect.bisect_left(starts, offset)
    if k < len(spans) and (before is None or spans[k].start < before):
        return spans[k].paragraph.number
    return None
