"""Recommendation themes: which of the codes in ``data/themes/themes.toml`` a recommendation is about.

The method is a weighted term list kept as data users can read and change:

* ``data/themes/themes.toml`` holds the scheme (code, label, definition, in order) and the scoring
  settings;
* ``data/themes/terms.csv`` holds the terms, one ``code,weight,pattern`` row each.

A recommendation's text is scanned once, left to right, word start by word start; at each one only
the terms beginning with its first letters are tried, the longest match wins the words and they are
not reused, so the work is linear in the text's length. The terms sharing their first letters are
compiled together, into one regular expression of optional look-aheads (one capture per term, so one
call tells where each term matches), and only when a text first needs them: at most one expression
per pair of first letters (about 120 for the shipped list) instead of one per term
(bench/themes_bench.py times it). Each matched term adds its weight to its codes; terms in the "aim" of the item (after the
first purpose connective such as "so that" or "to ensure" that follows the first matched term) count
``tail_factor`` times as much. Codes with at least ``min_score`` and ``keep_ratio`` x the best score
are kept, best first (ties: the code with the heavier term, then the earlier one); an item matching
nothing gets the ``fallback`` code. The same inputs always give the same codes in the same order.

``assign(text)`` gives the codes, ``explain(text)`` the evidence behind them, ``annotate(report)``
fills ``themes`` on every recommendation of a parsed report.
"""
from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .resources import resource_dir


IGNORE = "-"  # the terms.csv code of phrases that are matched and ignored


class ThemeDataError(ValueError):
    """The theme scheme or term list is malformed (names the file, line and reason)."""


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    definition: str


@dataclass(frozen=True)
class Term:
    code: str
    weight: float
    pattern: str
    line: int  # line in terms.csv, for messages


@dataclass
class Evidence:
    """One code's score for a text and the terms behind it (``explain``)."""

    code: str
    score: float
    terms: list[str] = field(default_factory=list)  # matched words as written in the text
    patterns: list[str] = field(default_factory=list)  # the terms.csv patterns that matched

    def as_tuple(self) -> tuple[str, float, list[str]]:
        return (self.code, self.score, list(self.terms))


# --------------------------------------------------------------------------- patterns

_WORD_SEP = r"[\s,;:/\-\u2010-\u2015]+"  # between the words of a term: spaces, line breaks, hyphens, commas
_APOS = "['\u2019\u2018]?"


def _word_regex(word: str) -> str:
    """One word of a term -> regex (``*`` = any word ending/start, ``(s)`` = optional ending)."""
    out = []
    i = 0
    caps = sum(c.isalpha() for c in re.sub(r"\([^)]*\)", "", word)) >= 2 and not any(
        c.islower() for c in re.sub(r"\([^)]*\)", "", word))
    while i < len(word):
        c = word[i]
        if c == "*":
            out.append(r"\w*")
        elif c == "(":
            j = word.find(")", i)
            if j < 0:
                raise ValueError(f"unclosed '(' in {word!r}")
            out.append("(?:" + re.escape(word[i + 1:j]) + ")?")
            i = j
        elif c in "'\u2019":
            out.append(_APOS)
        elif c == "-":
            out.append(r"[\s\-\u2010-\u2015]?")
        else:
            out.append(re.escape(c))
        i += 1
    rx = "".join(out)
    return f"(?-i:{rx})" if caps else rx


def compile_pattern(pattern: str) -> str:
    """A terms.csv pattern -> regex source (no capturing groups), whole words only."""
    words = pattern.split()
    if not words:
        raise ValueError("empty pattern")
    body = _WORD_SEP.join(_word_regex(w) for w in words)
    return rf"(?<!\w){body}(?!\w)"


_WORD_START = re.compile(r"(?<!\w)\w")


def _index_key(pattern: str) -> str:
    """The lower-cased letters a pattern must start with (up to two; '' when it starts with '*')."""
    key = ""
    for c in pattern.split()[0]:
        if not c.isalnum() or len(key) == 2:
            break
        key += c.lower()
    return key


# --------------------------------------------------------------------------- the term set


class ThemeSet:
    """A compiled scheme + term list. Build once, use for any number of texts."""

    def __init__(self, themes: list[Theme], terms: list[Term], settings: dict):
        self.themes = themes
        self.codes = [t.code for t in themes]
        self._rank = {c: i for i, c in enumerate(self.codes)}
        self.terms = terms
        self.tail_factor = float(settings.get("tail_factor", 0.5))
        self.min_score = float(settings.get("min_score", 1.0))
        self.keep_ratio = float(settings.get("keep_ratio", 0.5))
        self.max_codes = int(settings.get("max_codes", 3))
        self.fallback = settings.get("fallback", "casework")
        if self.fallback not in self._rank:
            raise ThemeDataError(f"fallback code {self.fallback!r} is not a theme of the scheme")
        # distinct patterns grouped by the first one or two letters they need ('' for those starting
        # with '*'); each group is compiled into one expression when a text first needs it
        self._by_pattern: dict[str, list[Term]] = {}
        for t in terms:
            self._by_pattern.setdefault(t.pattern, []).append(t)
        self._index: dict[str, list[str]] = {}
        for p in sorted(self._by_pattern):
            self._index.setdefault(_index_key(p), []).append(p)
        self._compiled: dict[str, tuple[re.Pattern, list[str]]] = {}
        drop = [d for d in settings.get("drop", []) if d.strip()]
        try:
            self._drop = re.compile("|".join(f"(?:{d})" for d in drop), re.I) if drop else None
        except re.error as e:
            raise ThemeDataError(f"settings.drop: bad regular expression: {e}") from None
        words = [re.escape(w) for w in settings.get("addressee_words", []) if w.strip()]
        name = r"(?:[A-Z][\w'\u2019&.\-]*|\([^()]{0,60}\)" + "".join("|" + w for w in words) + ")"
        self._addressee = re.compile(rf"\s*{name}(?:\s+{name}){{0,15}}\s+(?:to|should)\s") if words else None
        conn = [c for c in settings.get("connectives", []) if c.strip()]
        self._connectives = (re.compile("|".join(compile_pattern(c) for c in sorted(conn, key=len, reverse=True)), re.I)
                             if conn else None)

    def _group(self, key: str) -> tuple[re.Pattern, list[str]] | None:
        """The patterns indexed under ``key`` as one expression: ``(?:(?=(term)))?`` per term, so a
        match at a position holds in capture ``k`` where term ``k`` matches there (as ``re.match``
        would: look-aheads are atomic) and -1 where it does not."""
        g = self._compiled.get(key)
        if g is None:
            pats = self._index.get(key)
            if not pats:
                return None
            rx = re.compile("".join(f"(?:(?=({compile_pattern(p)})))?" for p in pats), re.I)
            g = self._compiled[key] = (rx, pats)
        return g

    def _matches(self, text: str) -> list[tuple[int, int, str, dict[str, tuple[float, str]]]]:
        """Left to right over word starts: the longest term wins the words; every term matching
        exactly those words counts (each code once, with its heaviest term)."""
        out = []
        taken = 0
        for w in _WORD_START.finditer(text):
            pos = w.start()
            if pos < taken:
                continue
            low = text[pos:pos + 2].lower()
            best_end, best = -1, []
            for key in {low: None, low[:1]: None, "": None}:  # the two-letter, one-letter and '*' groups
                g = self._group(key) if key in self._index else None
                if g is None:
                    continue
                rx, pats = g
                regs = rx.match(text, pos).regs
                for k, p in enumerate(pats, 1):
                    end = regs[k][1]
                    if end < 0:
                        continue
                    if end > best_end:
                        best_end, best = end, [p]
                    elif end == best_end:
                        best.append(p)
            if best_end < 0:
                continue
            taken = best_end
            codes: dict[str, tuple[float, str]] = {}
            for p in sorted(best):
                for t in self._by_pattern[p]:
                    if t.code == IGNORE or t.weight <= 0:
                        continue
                    if t.code not in codes or t.weight > codes[t.code][0]:
                        codes[t.code] = (t.weight, p)
            if codes:  # phrases listed under "-" only take their words out of play
                out.append((pos, best_end, " ".join(text[pos:best_end].split()), codes))
        return out

    def explain(self, text: str) -> list[Evidence]:
        """Every code with a positive score, best first, with the terms that gave it."""
        text = normalise(text)
        if self._drop is not None:
            text = self._drop.sub(" ", text)
        matches = self._matches(text)
        boundary = len(text) + 1
        if matches and self._connectives is not None:
            lead = self._addressee.match(text) if self._addressee is not None else None
            c = self._connectives.search(text, max(matches[0][1], lead.end() if lead else 0))
            if c:
                boundary = c.start()
        ev: dict[str, Evidence] = {}
        first: dict[str, int] = {}
        strongest: dict[str, float] = {}
        for start, _end, words, codes in matches:
            factor = self.tail_factor if start >= boundary else 1.0
            for code, (weight, pattern) in codes.items():
                e = ev.setdefault(code, Evidence(code, 0.0))
                e.score += weight * factor
                e.terms.append(words)
                if pattern not in e.patterns:
                    e.patterns.append(pattern)
                first.setdefault(code, start)
                strongest[code] = max(strongest.get(code, 0.0), weight)
        for e in ev.values():
            e.score = round(e.score, 3)
        # ties: the code with the more specific (heavier) term, then the earlier evidence, then scheme order
        return sorted(ev.values(), key=lambda e: (-e.score, -strongest[e.code], first[e.code],
                                                  self._rank.get(e.code, 99)))

    def assign(self, text: str) -> list[str]:
        """The codes for one recommendation, most important first; never empty."""
        ranked = self.explain(text)
        if not ranked or ranked[0].score < self.min_score:
            return [self.fallback]
        top = ranked[0].score
        keep = [e.code for e in ranked if e.score >= self.min_score and e.score >= self.keep_ratio * top]
        return keep[: self.max_codes]



_SPACE_LIKE = str.maketrans({"\ufffe": "-", "\u00ad": "-", "\u2011": "-", "\u00a0": " ", "\u2019": "'", "\u2018": "'"})


def normalise(text: str) -> str:
    return (text or "").translate(_SPACE_LIKE)


# --------------------------------------------------------------------------- loading


def load(folder: str | Path | None = None) -> ThemeSet:
    """Read ``themes.toml`` and ``terms.csv`` from ``folder`` (default: the packaged ones)."""
    folder = Path(folder) if folder is not None else resource_dir("themes")
    toml_path, csv_path = folder / "themes.toml", folder / "terms.csv"
    try:
        with open(toml_path, "rb") as f:
            conf = tomllib.load(f)
    except OSError as e:
        raise ThemeDataError(f"{toml_path}: cannot read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ThemeDataError(f"{toml_path}: not valid TOML: {e}") from None
    themes = []
    for i, t in enumerate(conf.get("theme", []), 1):
        try:
            themes.append(Theme(code=str(t["code"]), label=str(t["label"]), definition=str(t["definition"])))
        except KeyError as e:
            raise ThemeDataError(f"{toml_path}: theme {i} has no {e.args[0]!r}") from None
    if not themes:
        raise ThemeDataError(f"{toml_path}: no [[theme]] tables")
    codes = {t.code for t in themes}
    terms = []
    try:
        with open(csv_path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        raise ThemeDataError(f"{csv_path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ThemeDataError(f"{csv_path}: not UTF-8 text") from None
    for n, row in enumerate(rows, 1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if n == 1 and row[:3] == ["code", "weight", "pattern"]:
            continue
        if len(row) < 3:
            raise ThemeDataError(f"{csv_path}:{n}: want code,weight,pattern, got {','.join(row)!r}")
        code, weight, pattern = row[0].strip(), row[1].strip(), ",".join(row[2:]).strip()
        if code not in codes and code != IGNORE:
            raise ThemeDataError(f"{csv_path}:{n}: unknown code {code!r} (not in {toml_path.name})")
        try:
            w = float(weight)
        except ValueError:
            raise ThemeDataError(f"{csv_path}:{n}: weight {weight!r} is not a number") from None
        try:
            compile_pattern(pattern)  # every character is escaped but for the term syntax: no re.compile needed
        except ValueError as e:
            raise ThemeDataError(f"{csv_path}:{n}: bad pattern {pattern!r}: {e}") from None
        terms.append(Term(code, w, pattern, n))
    return ThemeSet(themes, terms, conf.get("settings", {}))


@lru_cache(maxsize=1)
def default() -> ThemeSet:
    return load()


def scheme() -> list[Theme]:
    """The theme codes with labels and definitions, in scheme order (for the ontology and tables)."""
    return list(default().themes)


def assign(text: str) -> list[str]:
    """Theme codes for one recommendation text, most important first (at least one)."""
    return default().assign(text)


def explain(text: str) -> list[tuple[str, float, list[str]]]:
    """``(code, score, matched terms)`` for every code the text scores on, best first."""
    return [e.as_tuple() for e in default().explain(text)]


def annotate(report, themeset: ThemeSet | None = None) -> None:
    """Fill ``themes`` on every recommendation of a :class:`~ofsted_kg.model.Report`."""
    ts = themeset or default()
    for rec in report.recommendations:
        rec.themes = ts.assign(rec.text)
