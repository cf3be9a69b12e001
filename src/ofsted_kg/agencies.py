"""Named organisations in a report: find, type, canonicalise; recommendation addressees.

The same steps for every framework (term lists in ``data/agency_terms.json``):

1. **Find.** One left-to-right pass of one regular expression over the report text stops where an
   organisation's name ends in a *head* phrase that gives its type ('... NHS Foundation Trust',
   '... Constabulary', '... Safeguarding Children Board', '... County Council'), at 'NHS <place>',
   at an organisation known by its name alone (Cafcass, Barnardo's, ...), at a board named without
   its place ('the Local Safeguarding Children Board', 'the LSCB'), and at 'London Borough of ...' /
   'University of ...'. A head's name is completed by walking back over the capitalised words right
   before it, in a bounded window that never reaches past the previous match, a sentence end or a
   short line (a heading). A head with no name before it ('the NHS Trust', 'the police') is generic
   and dropped; so are words that start sentences and titles ('In', 'Inspection of', ...).
2. **Abbreviations.** '<name> (ABBR)' makes ABBR another name of that organisation when ABBR's
   letters are drawn, in order, from the initials of the name.
3. **One canonical name.** Names of one kind are keyed by their distinctive words (without 'The',
   'NHS', 'Foundation', the head's own words, plural 's'), less 'soft' words ('Healthcare', 'City'),
   so 'The Solent NHS Trust' = 'Solent NHS Trust', 'Sussex Partnership NHS Trust' = 'Sussex
   Partnership NHS Foundation Trust', 'Winchester and Eastleigh (Healthcare) NHS Trust' are one.
   Bodies with a conventional name get it from a template ('<place> Safeguarding Children Board',
   'NHS <place>'); that is how a generic 'Local Safeguarding Children Board' becomes the inspected
   authority's own board and why one body has the same name in every report. Other organisations
   take their most complete spelling (with 'NHS' and 'Foundation', most words, then most mentions).
4. **Mentions and paragraphs.** Every name found (and each later use of a defined abbreviation)
   counts as a mention; every spelling is looked up (``str.find``) in ``report.paragraphs`` to list
   the numbered paragraphs that name each organisation.
5. **Addressees.** A recommendation that opens with organisations ('X and Y to ensure ...',
   'X should ...', 'X (aside) and partners together with Z to ...') is addressed to them; an
   abbreviation the report misspells by swapping letters ('PCSB' for 'PSCB') still resolves.

Everything is linear in the text: the regular expressions have no nested unbounded repetition, the
walk back looks at a bounded window, and no candidate rescans the text.
"""
from __future__ import annotations

import bisect
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .model import Agency

TERMS_FILE = Path(__file__).resolve().parent / "data" / "agency_terms.json"

_KEY_STOP = frozenset({"the", "and", "&", "of", "upon", "on", "in", "under", "le"})
_WINDOW = 160          # characters looked at before a head for its name
_MAX_NAME_WORDS = 9    # capitalised words (and connectors) before a head
_SHORT_LINE = 50       # a line shorter than this (a heading, a title) does not continue into the next
_WORD = re.compile(r"\S+")
_GLUED = re.compile(r"[\w'&-]")
_GLUED_AFTER = re.compile(r"[\w-]")
_PARA_MARK = re.compile("\x00")
_ABBR_DEF = re.compile(r"\s*\(\s*([A-Z][A-Za-z&]{1,9})\s*\)")
_FORWARD_WORD = re.compile(r"[ \t]*\n?[ \t]*([A-Z][A-Za-z'-]*|and|&|of)(?![\w'-])")


def _ws(pattern: str) -> str:
    """Spaces in a term pattern match any run of whitespace (names wrap across lines)."""
    return pattern.replace(" ", r"\s+")


def _literal(s: str) -> str:
    """A regular expression for the words of s, any whitespace between them."""
    return r"\s+".join(map(re.escape, s.split()))


def _norm_word(w: str) -> str:
    w = w.lower().replace("'", "").replace("\u2019", "")
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


def _words(s: str) -> list[str]:
    s = re.sub(r"(?i)health\s*care", "health care", s)
    return [_norm_word(w) for w in re.findall(r"[A-Za-z0-9']+|&", s)]


def flat(s: str) -> str:
    return " ".join(s.split())


@dataclass(frozen=True)
class Head:
    gid: str
    type: str
    pattern: str
    template: str | None
    key_drop: frozenset
    soft: frozenset


class Terms:
    """The compiled term lists (one instance, loaded lazily)."""

    def __init__(self, data: dict):
        self.types = tuple(data["types"])
        self.stop_leading = frozenset(data["stop_leading"])
        self.never_inside = frozenset(data["never_inside"])
        self.of_words = frozenset(data["of_words"])
        self.connectors = frozenset(data["connectors"])
        self.nhs_place_stop = frozenset(data["nhs_place_stop"])
        # the name words (capitalised, not ending in a full stop) and connectors right before a head,
        # each followed by spaces and at most one line break
        word = r"(?:[A-Z](?:[A-Za-z0-9'&.-]*[A-Za-z0-9'&-])?|[0-9]+[A-Za-z]+|" + "|".join(
            re.escape(c) for c in sorted(self.connectors)) + ")"
        self.tail = re.compile(rf"(?<!\S)(?:{word}[ \t]*(?:\n[ \t]*)?){{1,{_MAX_NAME_WORDS}}}\Z")
        self.heads = [Head(f"head_{i}", h["type"], h["pattern"], h.get("template"),
                           frozenset(h.get("key_drop", [])), frozenset(h.get("soft", [])))
                      for i, h in enumerate(data["heads"])]
        for h in self.heads:
            if h.type not in self.types:
                raise ValueError(f"agency_terms.json: head type {h.type!r} is not in 'types'")
        self.head_by_gid = {h.gid: h for h in self.heads}
        self.named = data["named"]
        for e in self.named:
            if e["type"] not in self.types:
                raise ValueError(f"agency_terms.json: {e['name']!r} has unknown type {e['type']!r}")
        # generic boards: which head (by its pattern) they stand for
        self.generic = []
        for i, g in enumerate(data["generic_local"]):
            head = next(h for h in self.heads if re.fullmatch(_ws(h.pattern), g["head"]))
            self.generic.append((f"local_{i}", g["pattern"], head))
        self.pct = next(h for h in self.heads if h.type == "primary-care-trust")
        self.ccg = next(h for h in self.heads if h.type == "clinical-commissioning-group")
        self.icb = next(h for h in self.heads if h.type == "integrated-care-board")
        self.la = next(h for h in self.heads if h.type == "local-authority")
        self.uni = next(h for h in self.heads if h.type == "education")

        e = r"(?![\w-])"
        parts = []
        self.named_by_gid = {}
        for i, n in enumerate(self.named):
            alts = sorted([_literal(_strip_the(n["name"]))] + list(n.get("match", [])), key=len, reverse=True)
            parts.append(f"(?P<named_{i}>(?:{'|'.join(_ws(a) for a in alts)}){e})")
            self.named_by_gid[f"named_{i}"] = n
        for gid, pat, _ in self.generic:
            parts.append(f"(?P<{gid}>(?:{_ws(pat)}){e})")
        for h in self.heads:
            pat = _ws(h.pattern)
            if h is self.uni:
                pat = r"University(?!\s+(?:of\b|[A-Z]))"
            parts.append(f"(?P<{h.gid}>(?:{pat}){e})")
        parts.append(r"(?P<borough>(?:London|Royal)\s+Borough\s+of(?=\s+[A-Z]))")
        parts.append(r"(?P<univof>University\s+of(?:\s+the)?(?=\s+[A-Z]))")
        parts.append(r"(?P<nhs>NHS(?=[ \t]*\n?[ \t]*[A-Z]))")
        parts.append(rf"(?P<council>Council{e})")
        # Anchored at the places a trigger finds: the first word of every alternative. A plain
        # alternation of literal words lets the regex engine skip to candidate letters in C.
        self.master = re.compile("|".join(parts))
        firsts = set()
        for part in parts:
            body = re.sub(r"^\(\?P<\w+>(?:\(\?:)?", "", part)
            for alt in _top_level_alternatives(body):
                m = re.match(r"([A-Za-z0-9]+)([?*{])?", alt)
                if not m or (m.group(2) and len(m.group(1)) < 2):
                    raise ValueError(f"agency_terms.json: pattern alternative {alt!r} must start with a word")
                word = m.group(1)[:-1] if m.group(2) else m.group(1)
                if word[0].islower():  # lower-case starts are rare phrases: take two words
                    word = re.match(r"[a-z]+(?:\\s\+[a-z]+)?", alt).group()
                firsts.add(word)
        upper = sorted((f for f in firsts if f[0].isupper() or f[0].isdigit()), key=len, reverse=True)
        lower = sorted((f for f in firsts if f not in upper), key=len, reverse=True)
        self.triggers = [re.compile("|".join(upper))] + ([re.compile("|".join(lower))] if lower else [])
        self.head_at = re.compile(r"\s+(?:" + "|".join(f"(?P<{h.gid}>{_ws(h.pattern)})" for h in self.heads
                                                      if h is not self.uni and h is not self.la) + r")(?![\w-])")
        self.fillers = re.compile(r"\s*(?:,\s*)?(?:and\s+|&\s+)?" + data["addressee_fillers"] + r"(?![\w-])", re.I)
        self.addressee_generic = [(typ, re.compile(pat + r"(?![\w-])"))
                                  for typ, pat in data["addressee_generic"].items()]
        self.verbs = re.compile(r"\s*,?\s*(?:" + data["addressee_verbs"] + ")")


def _top_level_alternatives(pattern: str) -> list[str]:
    out, depth, cur, esc = [], 0, [], False
    for ch in pattern:
        if esc:
            cur.append(ch)
            esc = False
            continue
        if ch == "\\":
            esc = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    out.append("".join(cur))
    return out


@lru_cache(maxsize=1)
def terms() -> Terms:
    return Terms(json.loads(TERMS_FILE.read_text(encoding="utf-8")))


@dataclass
class Mention:
    start: int
    end: int
    surface: str            # as written, whitespace folded, without a leading 'The'
    type: str
    gid: str                # which kind of name (head, named organisation, ...) it is
    key: frozenset
    place: str | None = None
    template: str | None = None
    acronym: str | None = None
    acronym_at: int = -1      # where the abbreviation's definition '(ABBR)' stands
    generic: bool = False     # 'the LSCB': placed at the inspected authority, not by the text


@dataclass
class Cluster:
    gid: str
    type: str
    mentions: list[Mention] = field(default_factory=list)
    acronyms: list[str] = field(default_factory=list)
    extra_mentions: int = 0
    name: str = ""


# ---------------------------------------------------------------- context of one report

@dataclass
class Context:
    authority: str            # short name of the inspected authority ('' when unknown)
    authority_key: frozenset
    official: str | None
    nhs_head: Head            # what a bare 'NHS <place>' was at the time of the inspection


def _context(report) -> Context:
    t = terms()
    auth = getattr(report, "authority", None)
    name = flat(getattr(auth, "name", "") or "")
    official = flat(getattr(auth, "official_name", "") or "") or None
    insp = getattr(report, "inspection", None)
    when = (getattr(insp, "start_date", None) or getattr(insp, "published_date", None) or "") if insp else ""
    fw = getattr(report, "framework", "unknown")
    if when:
        nhs_head = t.pct if when < "2013-04-01" else (t.ccg if when < "2022-07-01" else t.icb)
    else:
        nhs_head = {"sif": t.ccg, "ilacs": t.ccg}.get(fw, t.pct)
    return Context(name, _la_key(name), official, nhs_head)


@lru_cache(maxsize=4096)
def _la_key(s: str) -> frozenset:
    return frozenset(_words(s)) - terms().la.key_drop - _KEY_STOP


# ---------------------------------------------------------------- finding names

def _walk_back(text: str, start: int, floor: int) -> tuple[int, list[str], bool]:
    """The capitalised name words right before ``start``: (start of the first, words, listed).

    ``listed`` says the words look like the last of a list of places sharing the head
    ('Southampton, Hampshire and Portsmouth PCTs', 'A & B and C PCTs')."""
    t = terms()
    lo = max(floor, start - _WINDOW)
    window = text[lo:start]
    if not window or not window[-1].isspace():
        return start, [], False
    m = t.tail.search(window)  # the run of name words and connectors that ends the window
    if not m:
        return start, [], False
    toks = list(_WORD.finditer(window, m.start()))
    taken: list[tuple[int, str]] = []
    comma = window[:m.start()].rstrip()[-1:] in (",", ";")
    nxt = len(window)
    for tok in reversed(toks):
        if "\n" in window[tok.end():nxt] and tok.group() not in t.connectors:
            line_start = text.rfind("\n", 0, lo + tok.start()) + 1
            if lo + tok.end() - line_start < _SHORT_LINE:
                comma = False
                break
        taken.append((lo + tok.start(), tok.group()))
        nxt = tok.start()
    taken.reverse()
    # 'of' only inside names such as 'Isle of Wight', 'London Borough of ...'
    for i in range(len(taken) - 1, -1, -1):
        if taken[i][1] == "of" and (i == 0 or taken[i - 1][1] not in t.of_words):
            taken = taken[i + 1:]
            comma = False
            break
    for i in range(len(taken) - 1, -1, -1):
        if taken[i][1] in t.never_inside:
            taken = taken[i + 1:]
            comma = False
            break
    while taken and (taken[0][1] in t.stop_leading or taken[0][1] in t.connectors or taken[0][1].isdigit()):
        taken.pop(0)
        comma = False
    if taken and taken[-1][1] in t.connectors:   # 'partners and Police'
        return start, [], False
    # two names sharing 'and': 'Hampshire Community Health and Hampshire Partnership Trust',
    # 'Chelsea and Westminster and Imperial College NHS Trust': keep the last name
    ands = [i for i, (_, w) in enumerate(taken) if w in ("and", "&")]
    listed = (comma and bool(ands)) or len(ands) > 1
    cut = None
    if len(ands) > 1:
        cut = ands[-1]
    else:
        cut = next((i for i in ands if i + 1 < len(taken) and taken[i + 1][1] == taken[0][1]), None)
    if cut is not None:
        taken = taken[cut + 1:]
    if not taken:
        return start, [], False
    return taken[0][0], [w for _, w in taken], listed


def _walk_forward(text: str, pos: int, limit: int = 8) -> tuple[list[int], list[str]]:
    """Place words after 'NHS', 'London Borough of', 'University of' (up to a head: 'NHS X PCT'):
    (where each word ends, the words); never starting or ending with a connector."""
    t = terms()
    words: list[str] = []
    ends: list[int] = []
    while len(words) < limit:
        if words and t.head_at.match(text, pos):
            break
        m = _FORWARD_WORD.match(text, pos)
        if not m:
            break
        if ("\n" in text[pos:m.start(1)] and pos - (text.rfind("\n", 0, pos) + 1) < _SHORT_LINE
                and not (words and words[-1] in t.connectors)):
            break  # a title line ('London Borough of Croydon') does not run on into the next line
        w = m.group(1)
        if words and w in t.stop_leading and w not in t.connectors:
            break
        if not words and w in ("and", "&", "of"):
            break
        if w == "of" and (not words or words[-1] not in t.of_words):
            break
        if w not in ("and", "&", "of") and (w in t.nhs_place_stop or w == "NHS"):
            break
        words.append(w)
        ends.append(m.end())
        pos = m.end()
    while words and words[-1] in ("and", "&", "of"):
        words.pop()
        ends.pop()
    return ends, words


def _place(words: list[str], head: Head) -> str:
    kept = [w for w in words if _norm_word(w) not in head.key_drop]
    return " ".join(kept)


def _key(words: list[str], head: Head) -> frozenset:
    """The distinctive words of a name of this kind (the same name recurs: cached)."""
    return _key_cached(tuple(words), head)


@lru_cache(maxsize=4096)
def _key_cached(words: tuple[str, ...], head: Head) -> frozenset:
    k = frozenset(_words(" ".join(words))) - head.key_drop - _KEY_STOP
    core = k - head.soft
    return core or k


def _abbr(text: str, end: int, surface: str) -> tuple[str | None, int, int]:
    """'(ABBR)' right after a name: (ABBR, where it stands, end) when its letters fit the name."""
    m = _ABBR_DEF.match(text, end)
    if not m:
        return None, -1, end
    abbr = m.group(1)
    letters = [c for c in abbr if c.isupper()]
    if len(letters) < 2:
        return None, -1, end
    initials = [w[0].upper() for w in re.findall(r"[A-Za-z][\w']*", surface) if w[0].isupper() or w in ("and", "&")]
    it = iter(initials)
    if all(any(c == i for i in it) for c in letters):
        return abbr, m.start(1), m.end()
    return None, -1, end


def find_mentions(text: str, ctx: Context) -> list[Mention]:
    """Every organisation mention in ``text``, in order (generic heads already dropped)."""
    t = terms()
    out: list[Mention] = []
    pos = floor = 0
    starts = sorted({m.start() for rx in t.triggers for m in rx.finditer(text)})
    for p in starts:
        if p < pos or _glued(text, p):
            continue
        m = t.master.match(text, p)
        if not m:
            continue
        kind = m.lastgroup
        end = m.end()
        mention = None
        if kind == "nhs":
            mention, end = _nhs(text, m, ctx)
        elif kind in t.named_by_gid:
            entry = t.named_by_gid[kind]
            mention = Mention(m.start(), end, _strip_the(flat(m.group())), entry["type"], kind,
                              frozenset({entry["name"]}))
        elif kind.startswith("local_"):
            head = next(h for gid, _, h in t.generic if gid == kind)
            if ctx.authority:
                mention = Mention(m.start(), end, _strip_the(flat(m.group())), head.type, head.gid,
                                  _key([ctx.authority], head), ctx.authority, head.template, generic=True)
        elif kind in t.head_by_gid:
            mention = _headed(text, m, floor, t.head_by_gid[kind])
        elif kind == "council":
            pstart, words, _ = _walk_back(text, m.start(), floor)
            if words and ctx.authority_key and _la_key(" ".join(words)) == ctx.authority_key:
                mention = Mention(pstart, end, flat(text[pstart:end]), t.la.type, t.la.gid, ctx.authority_key)
        elif kind in ("borough", "univof"):
            ends, words = _walk_forward(text, end, 5)
            if words:
                end = ends[-1]
                head = t.la if kind == "borough" else t.uni
                surface = flat(text[m.start():end])
                key = _la_key(" ".join(words)) if kind == "borough" else _key(words, head)
                mention = Mention(m.start(), end, surface, head.type, head.gid, key)
        if mention is not None:
            mention.acronym, mention.acronym_at, end2 = _abbr(text, mention.end, mention.surface)
            end = max(end, end2)
            out.append(mention)
        pos = floor = max(end, m.end())
    return out


def _glued(text: str, pos: int) -> bool:
    """Is the character before pos part of a word (so a hit at pos is inside another word)?"""
    return pos > 0 and _GLUED.match(text, pos - 1) is not None


def _strip_the(s: str) -> str:
    return s[4:] if s[:4] in ("The ", "the ") else s


def _headed(text: str, m: re.Match, floor: int, head: Head) -> Mention | None:
    pstart, words, listed = _walk_back(text, m.start(), floor)
    if not words:
        return None
    if head.template and listed:
        return None  # 'Southampton, Hampshire and Portsmouth Primary Care Trust': a list sharing one head
    surface = flat(text[pstart:m.end()])
    if head.template:
        place = _place(words, head)
        if not place:
            return None
        return Mention(pstart, m.end(), surface, head.type, head.gid, _key(words, head), place, head.template)
    if head.type == "local-authority":
        key = _la_key(" ".join(words))
        return Mention(pstart, m.end(), surface, head.type, head.gid, key) if key else None
    key = _key(words + flat(m.group()).split(), head)
    return Mention(pstart, m.end(), surface, head.type, head.gid, key) if key else None


def _nhs(text: str, m: re.Match, ctx: Context) -> tuple[Mention | None, int]:
    ends, words = _walk_forward(text, m.end())
    if not words:
        return None, m.end()
    end = ends[-1]
    h = terms().head_at.match(text, end)
    if h:
        head = terms().head_by_gid[h.lastgroup]
        if head.template is None:  # 'NHS Foo NHS Trust' is not a form names take
            return None, m.end()
        place = _place(words, head)
        return (Mention(m.start(), h.end(), flat(text[m.start():h.end()]), head.type, head.gid,
                        _key(words, head), place, head.template), h.end())
    if "and" in words or "&" in words:  # 'NHS Northbury and Westshire County Council'
        cut = min(i for i, w in enumerate(words) if w in ("and", "&"))
        words = words[:cut]
        end = ends[cut - 1]
    head = ctx.nhs_head
    place = " ".join(words)
    return (Mention(m.start(), end, flat(text[m.start():end]), head.type, head.gid, _key(words, head), place,
                    "NHS {place}"), end)


# ---------------------------------------------------------------- one name per organisation

def cluster(mentions: list[Mention], ctx: Context) -> list[Cluster]:
    groups: dict[tuple, Cluster] = {}
    order: list[tuple] = []
    for mn in mentions:
        cid = (mn.gid, mn.key)
        c = groups.get(cid)
        if c is None:
            c = groups[cid] = Cluster(mn.gid, mn.type)
            order.append(cid)
        c.mentions.append(mn)
        if mn.acronym and mn.acronym not in c.acronyms:
            c.acronyms.append(mn.acronym)
    clusters = _join_generic(groups[cid] for cid in order)
    # an abbreviation names one organisation: the first that defined it
    seen: set[str] = set()
    for c in clusters:
        c.acronyms = [a for a in c.acronyms if not (a in seen or seen.add(a))]
    names: dict[str, Cluster] = {}
    for c in clusters:
        c.name = _canonical(c, ctx)
        if c.name in names:   # two keys that still spell one name (e.g. a template): merge
            keep = names[c.name]
            keep.mentions.extend(c.mentions)
            keep.acronyms.extend(a for a in c.acronyms if a not in keep.acronyms)
            c.name = ""
        else:
            names[c.name] = c
    return [c for c in clusters if c.name]


def _join_generic(clusters) -> list[Cluster]:
    """'The LSCB' is the board the report names with its place, also when the place is spelt
    otherwise than the authority ('Kingston' for 'Kingston upon Thames', a joint board of two
    authorities): a cluster of generic mentions only joins the one named cluster of its kind
    whose key contains, or is contained in, the authority's."""
    clusters = list(clusters)
    out = []
    for c in clusters:
        if all(mn.generic for mn in c.mentions):
            key = c.mentions[0].key
            named = [d for d in clusters if d is not c and d.gid == c.gid and not all(mn.generic for mn in d.mentions)
                     and (d.mentions[0].key <= key or key <= d.mentions[0].key)]
            if len(named) == 1:
                named[0].mentions.extend(c.mentions)
                named[0].acronyms.extend(a for a in c.acronyms if a not in named[0].acronyms)
                continue
        out.append(c)
    return out


def _canonical(c: Cluster, ctx: Context) -> str:
    t = terms()
    first = c.mentions[0]
    if first.gid in t.named_by_gid:
        return t.named_by_gid[first.gid]["name"]
    templated = [mn for mn in c.mentions if mn.template]
    if any(not mn.generic for mn in templated):  # the text's own place for the body comes first
        templated = [mn for mn in templated if not mn.generic]
    if templated:
        places = Counter(mn.place for mn in templated)
        place = max(places, key=lambda p: (places[p], len(p), p))
        # the template of a head spelled out in the text wins over the bare 'NHS <place>'
        tmpl = Counter(mn.template for mn in templated)
        template = max(tmpl, key=lambda s: (s != "NHS {place}" or c.type == "primary-care-trust", tmpl[s], s))
        return template.format(place=place)
    counts = Counter(mn.surface for mn in c.mentions)
    if c.type == "local-authority" and ctx.official and _la_key(ctx.official) == first.key:
        counts[ctx.official] += 0  # the report's own name for its council competes as a spelling

    def rank(s: str):
        last = s.split()[-1]
        return (last.isupper() and len(last) > 1, last.endswith("s") and not last.endswith("ss"), "&" in s,
                "Foundation" not in s, "NHS" not in s, -len(s.split()), -counts[s], s)
    return min(counts, key=rank)


# ---------------------------------------------------------------- mentions, paragraphs, addressees

class Spellings:
    """Every spelling of a report's organisations (names, variants, abbreviations) -> its cluster.

    Searched with ``str.find`` per spelling (a handful per report), which is far cheaper than one
    more regular-expression pass over the whole text.
    """

    def __init__(self, clusters: list[Cluster]):
        self.of: dict[str, Cluster] = {}
        for c in clusters:
            for s in [c.name] + [mn.surface for mn in c.mentions] + c.acronyms:
                self.of.setdefault(flat(s), c)
        self.longest_first = sorted(self.of, key=lambda s: (-len(s), s))

    def _bounded(self, text: str, i: int, j: int) -> bool:
        return not _glued(text, i) and not (j < len(text) and _GLUED_AFTER.match(text, j))

    def find_all(self, text: str) -> list[tuple[int, int, Cluster]]:
        """(start, end, cluster) of each spelling in ``text``; the longest wins where two overlap."""
        hits = []
        for s in self.longest_first:
            i = text.find(s)
            while i >= 0:
                if self._bounded(text, i, i + len(s)):
                    hits.append((i, i + len(s), self.of[s]))
                i = text.find(s, i + 1)
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        out, end = [], -1
        for h in hits:
            if h[0] >= end:
                out.append(h)
                end = h[1]
        return out

    def match(self, text: str, pos: int) -> tuple[int, Cluster] | None:
        """The longest spelling starting at ``pos``: (its end, cluster)."""
        for s in self.longest_first:
            if text.startswith(s, pos) and self._bounded(text, pos, pos + len(s)):
                return pos + len(s), self.of[s]
        return None


def annotate(text: str, report) -> None:
    """Fill ``report.agencies`` and each recommendation's ``addressees``."""
    ctx = _context(report)
    mentions = find_mentions(text, ctx)
    clusters = cluster(mentions, ctx)
    spellings = Spellings(clusters)
    # abbreviations used on their own count as mentions too (not their definitions, nor those
    # already found as a mention, such as 'LSCB')
    defs = {mn.acronym_at for mn in mentions if mn.acronym} | {mn.start for mn in mentions}
    for c in clusters:
        for a in c.acronyms:
            i = text.find(a)
            while i >= 0:
                if i not in defs and spellings._bounded(text, i, i + len(a)):
                    c.extra_mentions += 1
                i = text.find(a, i + 1)
    paragraphs = _paragraphs_naming(getattr(report, "paragraphs", None) or [], spellings)
    agencies = []
    for c in clusters:
        aliases = sorted(({mn.surface for mn in c.mentions} | set(c.acronyms)) - {c.name})
        agencies.append(Agency(name=c.name, type=c.type, aliases=aliases,
                               mentions=len(c.mentions) + c.extra_mentions,
                               paragraphs=paragraphs.get(id(c), [])))
    report.agencies = agencies
    for rec in getattr(report, "recommendations", None) or []:
        rec.addressees = addressees(rec.text, spellings, clusters)


def _paragraphs_naming(paragraphs, spellings: Spellings) -> dict[int, list[int]]:
    """id(cluster) -> sorted numbers of the paragraphs that name it (one search over all of them)."""
    if not paragraphs or not spellings.of:
        return {}
    # all paragraphs as one text with whitespace folded (names wrap over lines), each opened by a
    # '\x00' mark so that a hit's paragraph is found by bisection
    joined = " ".join(" \x00 ".join(p.text for p in paragraphs).split())
    starts = [m.start() for m in _PARA_MARK.finditer(joined)]
    found: dict[int, set[int]] = defaultdict(set)
    for i, _, c in spellings.find_all(joined):
        found[id(c)].add(paragraphs[bisect.bisect_right(starts, i)].number)  # marks before i = its index
    return {k: sorted(v) for k, v in found.items()}


_LEAD = re.compile(r"\s*(?:[-\u2013\u2022*\u25cf\u25aa]\s*|\(?[0-9ivx]{1,4}[.)]\s+|\(?[a-z][.)]\s+)?")
_ACRONYM = re.compile(r"([A-Z]{3,6})(?![\w-])")
_THE = re.compile(r"[Tt]he ")
_PAREN = re.compile(r" ?\([^()]{0,80}\)")
_CONJ = re.compile(r" ?(?:, ?(?:and )?|and |& |together with |jointly with |with |as well as |in partnership with )")


def addressees(text: str, spellings: Spellings, clusters: list[Cluster]) -> list[str]:
    """The organisations a recommendation opens with, when it goes on 'to ...' / 'should ...'."""
    t = terms()
    text = flat(text)
    pos = _LEAD.match(text).end()
    found: list[str] = []

    def org_at(p: int) -> tuple[int, Cluster] | None:
        th = _THE.match(text, p)
        hit = spellings.match(text, th.end()) if th else None
        if hit is None:
            hit = spellings.match(text, p)
        if hit is None:
            a = _ACRONYM.match(text, p)
            c = _misspelt_acronym(a.group(1), clusters) if a else None
            hit = (a.end(), c) if c else None
        if hit is None:
            hit = _generic_addressee(text, p, clusters)
        return hit

    while True:
        hit = org_at(pos)
        if hit is None:
            f = t.fillers.match(text, pos) if found else None
            if not f:
                break
            pos = f.end()
        else:
            pos, c = hit
            if c.name not in found:
                found.append(c.name)
        paren = _PAREN.match(text, pos)
        if paren:
            pos = paren.end()
        conj = _CONJ.match(text, pos)
        if conj and (org_at(conj.end()) or t.fillers.match(text, conj.end())):
            pos = conj.end()
            continue
        f = t.fillers.match(text, pos)
        if f and found:
            pos = f.end()
            continue
        break
    if found and t.verbs.match(text, pos):
        return found
    return []


def _generic_addressee(text: str, pos: int, clusters: list[Cluster]) -> tuple[int, Cluster] | None:
    """'The PCT', 'the police': the report's one organisation of that type, if it has exactly one."""
    for typ, rx in terms().addressee_generic:
        m = rx.match(text, pos)
        if m:
            of_type = [c for c in clusters if c.type == typ]
            return (m.end(), of_type[0]) if len(of_type) == 1 else None
    return None


def _misspelt_acronym(a: str, clusters: list[Cluster]) -> Cluster | None:
    """'PCSB' for a report's 'PSCB': same letters, same first letter, one organisation only."""
    hits = [c for c in clusters for x in c.acronyms
            if x != a and x[0] == a[0] and sorted(x) == sorted(a)]
    return hits[0] if len({id(c) for c in hits}) == 1 else None
