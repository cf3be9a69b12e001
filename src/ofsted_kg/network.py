"""The agency network: who works with whom, read from the graph by SPARQL, as a networkx graph.

The data comes from the canned queries ``queries/network-*.rq`` (reports, headline grades,
authorities, agencies, agency mentions with their paragraphs, recommendation addressees), so the
same network is built from the embedded store or from any SPARQL endpoint holding the graph.

The graph (:class:`networkx.MultiGraph`, one edge per kind between two nodes, the kind as the key):

- nodes are IRIs. Authorities (``type='authority'``): label, reports (inspections in the network),
  latest headline grade (``latest_grade``, ``latest_grade_rank``, ``latest_inspection``,
  ``latest_framework``: the latest inspection that has a headline grade; SLAC's two headline areas
  give the worse of the two), identifiers (``ofsted_urn``, ``dfe_code``, ``ons_code``), region.
  Agencies (``type='agency'``): label, ``agency_type``, reports (inspections naming it),
  ``authorities`` (how many authorities' reports name it), ``alt_labels``, ``agency_of``.
- edges, each with ``kind`` and ``weight``:
  ``authority-agency`` (the authority's reports name the agency; weight = reports; ``years``),
  ``agency-agency`` (named in the same numbered paragraph; weight = paragraphs),
  ``addressee`` (a recommendation of the authority's report asks the agency to act; weight =
  recommendations). Each edge carries ``evidence``: where it was read (authority, report date,
  framework, file, paragraph and the sentence that names the agency, or the recommendation).
- analysis attributes on every node: ``degree`` (distinct neighbours), ``weighted_degree``,
  ``betweenness`` (normalised, unweighted: brokers such as police forces and NHS trusts that serve
  several authorities score high) and ``community`` (Louvain, fixed seed; 0 is the largest).

An inspection stored twice (a text extraction and the PDF of the same report) is counted once: the
reports of one authority with the same framework and start date are one inspection.

Every attribute is a string, an int or a float, so GraphML and GEXF keep it; lists and records are
JSON text (``years``, ``frameworks``, ``alt_labels``, ``evidence``): decode them with :func:`decode`.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import networkx as nx

from .iris import CONCEPT

QUERIES = ("network-reports", "network-headline-grades", "network-authorities", "network-agencies",
           "network-mentions", "network-paragraphs", "network-addressees")
EDGE_KINDS = ("authority-agency", "agency-agency", "addressee")
LIST_ATTRIBUTES = ("years", "frameworks", "alt_labels", "evidence")
"""Attributes holding JSON text (lists, records): read them with :func:`decode`."""
FORMATS = ("html", "graphml", "gexf", "json", "png")
DEFAULT_MAX_NODES = 400
"""Above this many nodes the network is pruned by raising --min-reports (see :func:`prune`)."""
BETWEENNESS_EXACT_UP_TO = 1000
BETWEENNESS_SAMPLES = 200
"""Betweenness is exact up to BETWEENNESS_EXACT_UP_TO nodes; above, estimated from this many sampled
source nodes (fixed seed: same graph, same numbers)."""
EVIDENCE_PER_EDGE = 12
"""At most this many evidence records are kept on one edge (the latest first)."""
GRADE_RANKS = {"outstanding": 1, "good": 2, "adequate": 3, "requires-improvement": 3, "inadequate": 4}


class NetworkError(Exception):
    """The network cannot be built as asked (a filter that matches nothing known, say)."""


class SourceError(Exception):
    """The store or endpoint cannot be queried (exit code 4)."""


@dataclass
class Filters:
    authorities: list[str] = field(default_factory=list)
    framework: str | None = None
    min_reports: int = 1
    grade: str | None = None
    agency_types: list[str] = field(default_factory=list)


@dataclass
class PruneInfo:
    nodes_before: int
    nodes_after: int
    min_reports: int
    max_nodes: int


# --- fetching the rows ------------------------------------------------------------------------

def run_queries(store=None, endpoint: str | None = None) -> dict[str, list[dict]]:
    """Run the network queries (through :mod:`ofsted_kg.query`) on a pyoxigraph store or folder, or on
    a SPARQL endpoint URL: query name -> rows (dicts of column -> plain value, unbound ones None)."""
    from .query import EndpointError, QueryError, rows

    out = {}
    for name in QUERIES:
        try:
            out[name] = rows(name, store=store, endpoint=endpoint)
        except (QueryError, EndpointError) as e:
            raise SourceError(f"query {name} failed: {e}") from None
    return out


def decode(value: str):
    """A list/record attribute (JSON text) back as Python data."""
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def _code(iri: str | None) -> str | None:
    """The last segment of a concept IRI ('…/concept/grade/good' -> 'good')."""
    if iri is None:
        return None
    return iri.rsplit("/", 1)[-1] if iri.startswith(CONCEPT) else iri


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z(\u2018'\"0-9\u2022-])|\s+[-\u2022\u2013]\s+")


def _clip(s: str, at: int, limit: int) -> str:
    """At most ``limit`` characters of ``s``, keeping position ``at`` in view."""
    if len(s) <= limit:
        return s
    start = max(0, min(at - limit // 3, len(s) - limit))
    out = s[start:start + limit]
    return ("\u2026" if start else "") + out + ("\u2026" if start + limit < len(s) else "")


def _find_name(low: str, name: str) -> int:
    """Where lower-cased ``name`` stands in lower-cased ``low`` as whole words, else -1."""
    at = low.find(name)
    while at >= 0:
        end = at + len(name)
        if (at == 0 or not low[at - 1].isalpha()) and (end == len(low) or not low[end].isalpha()):
            return at
        at = low.find(name, at + 1)
    return -1


@lru_cache(maxsize=4096)
def _sentences(text: str) -> list[str]:
    return _SENTENCE_END.split(text)


def naming_sentence(text: str | None, names: list[str], limit: int = 400) -> str:
    """The first sentence (or list item) of ``text`` that names one of ``names``, clipped around the
    name to ``limit`` characters; the paragraph's start when no name is found (an abbreviation, say)."""
    if not text:
        return ""
    text = " ".join(text.split())
    wanted = sorted({n.lower() for n in names if n}, key=lambda n: (-len(n), n))
    for s in _sentences(text):
        low = s.lower()
        for n in wanted:
            at = _find_name(low, n)
            if at >= 0:
                lead = len(s) - len(s.lstrip(" -\u2022\u2013"))
                return _clip(s[lead:].rstrip(), at - lead, limit)
    return _clip(text, 0, limit)


# --- the graph --------------------------------------------------------------------------------

@dataclass
class _Inspection:
    key: tuple
    authority: str
    framework: str
    date: str  # start date, else publication date, else ''
    reports: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    grade: str | None = None
    grade_rank: int | None = None

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None


def _matches_authority(wanted: str, iri: str, labels: set[str]) -> bool:
    w = wanted.strip().lower()
    return w == iri.lower() or w == _slug(iri) or w in {x.lower() for x in labels}


def build_graph(rows: dict[str, list[dict]], filters: Filters | None = None, with_analysis: bool = True) -> nx.MultiGraph:
    """The agency network from the rows of the network queries (see the module docstring).
    ``with_analysis=False`` leaves out degree, betweenness and communities (:func:`analyse` adds them:
    the CLI analyses the network once, after pruning)."""
    f = filters or Filters()
    # the queries give rows in no particular order: sort them, so that where two rows could both
    # supply a value (the text and the PDF of one inspection), the same one always wins
    rows = {name: sorted(rs, key=lambda r: tuple((k, "" if v is None else str(v)) for k, v in sorted(r.items())))
            for name, rs in rows.items()}

    # authorities
    auth_info: dict[str, dict] = {}
    for r in rows["network-authorities"]:
        a = auth_info.setdefault(r["authority"], {})
        for k in ("label", "ofsted_urn", "dfe_code", "ons_code", "region_label", "authority_type"):
            if r.get(k) is not None and k not in a:
                a[k] = str(r[k])
        if r.get("region") is not None:
            a.setdefault("region_code", _slug(str(r["region"])))

    # reports -> inspections (the same authority, framework and start date are one inspection)
    printed: dict[str, set[str]] = defaultdict(set)
    insp: dict[tuple, _Inspection] = {}
    of_report: dict[str, _Inspection] = {}
    for r in rows["network-reports"]:
        fw = _code(r["framework"])
        date = str(r.get("start_date") or "")
        key = (r["authority"], fw, date) if date else (r["authority"], fw, "report:" + r["report"])
        i = insp.get(key)
        if i is None:
            i = insp[key] = _Inspection(key, r["authority"], fw, date or str(r.get("published") or ""))
        i.reports.append(r["report"])
        i.files.append(str(r.get("source_file") or _slug(r["report"])))
        of_report[r["report"]] = i
        for k in ("authority_name", "authority_official_name"):
            if r.get(k):
                printed[r["authority"]].add(str(r[k]))
    for r in rows["network-headline-grades"]:
        i = of_report.get(r["report"])
        if i is None:
            continue
        code = _code(r["grade"])
        rank = int(r["grade_rank"]) if r.get("grade_rank") is not None else GRADE_RANKS.get(code)
        if rank is not None and (i.grade_rank is None or rank > i.grade_rank):
            i.grade, i.grade_rank = code, rank

    # latest headline grade of every authority (over all its inspections, whatever the filters)
    latest: dict[str, _Inspection] = {}
    for i in sorted(insp.values(), key=lambda i: (i.date, i.key)):
        if i.grade is not None:
            latest[i.authority] = i

    def auth_label(a: str) -> str:
        return auth_info.get(a, {}).get("label") or min(printed.get(a) or {_slug(a)}, key=lambda x: (len(x), x))

    # filters on inspections
    wanted_auth: set[str] | None = None
    if f.authorities:
        wanted_auth = set()
        known = {i.authority for i in insp.values()}
        for w in f.authorities:
            hit = {a for a in known if _matches_authority(w, a, {auth_label(a), *printed.get(a, ())})}
            if not hit:
                raise NetworkError(f"--authority {w!r}: no inspected authority of that name "
                                   f"(known: {', '.join(sorted(auth_label(a) for a in known))})")
            wanted_auth |= hit
    grade = f.grade.strip().lower().replace(" ", "-") if f.grade else None
    if grade and grade not in GRADE_RANKS:
        raise NetworkError(f"--grade {f.grade!r}: not a grade (one of {', '.join(GRADE_RANKS)})")
    framework = f.framework.strip().lower() if f.framework else None

    def keep(i: _Inspection) -> bool:
        if wanted_auth is not None and i.authority not in wanted_auth:
            return False
        if framework and i.framework != framework:
            return False
        if grade and (i.authority not in latest or latest[i.authority].grade != grade):
            return False
        return True

    kept = {k: i for k, i in insp.items() if keep(i)}
    kept_reports = {r: i for r, i in of_report.items() if i.key in kept}

    # agencies
    ag_info: dict[str, dict] = {}
    for r in rows["network-agencies"]:
        a = ag_info.setdefault(r["agency"], {"labels": Counter(), "alt": set(), "types": Counter(), "of": None})
        a["labels"][str(r["label"])] += 1
        if r.get("alt_label") is not None:
            a["alt"].add(str(r["alt_label"]))
        if r.get("agency_type") is not None:
            a["types"][_code(str(r["agency_type"]))] += 1
        if r.get("agency_of") is not None:
            a["of"] = str(r["agency_of"])

    def ag_label(g: str) -> str:
        labels = ag_info.get(g, {}).get("labels")
        return sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if labels else _slug(g)

    def ag_type(g: str) -> str:
        types = ag_info.get(g, {}).get("types")
        return sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if types else "other"

    def ag_names(g: str) -> list[str]:
        info = ag_info.get(g, {})
        return [*info.get("labels", {}), *info.get("alt", ())] or [_slug(g)]

    types_wanted = {t.strip().lower() for t in f.agency_types}

    def agency_ok(g: str) -> bool:
        return not types_wanted or ag_type(g) in types_wanted

    # mentions: inspection -> agencies; (inspection, paragraph) -> agencies and text
    named: dict[tuple, set[str]] = defaultdict(set)           # inspection key -> agencies
    para_agencies: dict[tuple, set[str]] = defaultdict(set)    # (inspection key, paragraph) -> agencies
    para_text: dict[tuple, str] = {}

    def kept_rows(query: str):
        """(inspection, agency, row) of the rows of ``query`` that pass the filters."""
        for r in rows[query]:
            i = kept_reports.get(r["report"])
            if i is not None and agency_ok(r["agency"]):
                named[i.key].add(r["agency"])
                yield i, r["agency"], r

    for i, g, r in kept_rows("network-mentions"):
        if r.get("paragraph_number") is not None:
            pk = (i.key, int(r["paragraph_number"]))
            para_agencies[pk].add(g)
    # where one number holds several texts (a SIF report's LSCB part numbers its paragraphs afresh) the
    # least text is kept: the same choice whatever order the endpoint returns the rows in
    for r in rows["network-paragraphs"]:
        i = kept_reports.get(r["report"])
        if i is not None and r.get("paragraph_text"):
            pk, t = (i.key, int(r["paragraph_number"])), str(r["paragraph_text"])
            para_text[pk] = min(para_text.get(pk, t), t)
    asked: dict[tuple, dict[tuple, str]] = defaultdict(dict)   # (inspection key, agency) -> {position: text}
    for i, g, r in kept_rows("network-addressees"):
        pos = int(r["position"]) if r.get("position") is not None else 0
        t = str(r.get("text") or "")
        asked[(i.key, g)][pos] = min(asked[(i.key, g)].get(pos, t), t)

    agency_reports: Counter = Counter(g for gs in named.values() for g in gs)
    min_reports = max(1, int(f.min_reports or 1))
    agencies = {g for g, n in agency_reports.items() if n >= min_reports}

    G = nx.MultiGraph()
    G.graph.update({"name": "ofsted-kg agency network", "filters": _json({
        "authorities": sorted(f.authorities), "framework": framework, "grade": grade,
        "agency_types": sorted(types_wanted), "min_reports": min_reports}),
        "edge_kinds": _json(list(EDGE_KINDS))})

    # authority nodes (every authority with a kept inspection)
    by_auth: dict[str, list[_Inspection]] = defaultdict(list)
    for i in kept.values():
        by_auth[i.authority].append(i)
    for a in sorted(by_auth):
        info = auth_info.get(a, {})
        ins = sorted(by_auth[a], key=lambda i: (i.date, i.key))
        attrs = {"type": "authority", "label": auth_label(a), "iri": a, "reports": len(ins),
                 "years": _json(sorted({i.year for i in ins if i.year})),
                 "frameworks": _json(sorted({i.framework for i in ins}))}
        for k in ("ofsted_urn", "dfe_code", "ons_code", "authority_type"):
            if k in info:
                attrs[k] = info[k]
        if "region_label" in info:
            attrs["region"] = info["region_label"]
        if a in latest:
            li = latest[a]
            attrs.update(latest_grade=li.grade, latest_grade_rank=li.grade_rank, latest_inspection=li.date,
                         latest_framework=li.framework)
        G.add_node(a, **attrs)

    # indexes: agency -> inspections naming it; (inspection, agency) -> paragraphs naming it
    naming: dict[str, list[tuple]] = defaultdict(list)
    for key, gs in named.items():
        for g in gs:
            naming[g].append(key)
    paras_of: dict[tuple, list[int]] = defaultdict(list)
    for (key, n), gs in para_agencies.items():
        for g in gs:
            paras_of[(key, g)].append(n)

    # agency nodes
    for g in sorted(agencies):
        attrs = {"type": "agency", "label": ag_label(g), "iri": g, "agency_type": ag_type(g),
                 "reports": agency_reports[g], "authorities": len({k[0] for k in naming[g]}),
                 "years": _json(sorted({kept[k].year for k in naming[g] if kept[k].year})),
                 "alt_labels": _json(sorted(ag_info.get(g, {}).get("alt", set()) - {ag_label(g)}))}
        if ag_info.get(g, {}).get("of"):
            attrs["agency_of"] = ag_info[g]["of"]
        G.add_node(g, **attrs)

    def record(i: _Inspection, **more) -> dict:
        return {"authority": auth_label(i.authority), "date": i.date, "framework": i.framework,
                "report": i.files[0], **more}

    # authority-agency edges
    edges: dict[tuple, dict] = {}
    for key in sorted(named, key=lambda k: (kept[k].date, k)):
        i = kept[key]
        for g in sorted(named[key] & agencies):
            e = edges.setdefault((i.authority, g), {"reports": [], "evidence": []})
            e["reports"].append(i)
            paras = sorted(paras_of.get((key, g), ()))
            if paras:
                for n in paras:
                    e["evidence"].append(record(i, paragraph=n,
                                                sentence=naming_sentence(para_text.get((key, n)), ag_names(g))))
            else:
                e["evidence"].append(record(i, paragraph=None, sentence=""))
    for (a, g), e in edges.items():
        ins = e["reports"]
        G.add_edge(a, g, key="authority-agency", kind="authority-agency", weight=len(ins),
                   years=_json(sorted({i.year for i in ins if i.year})),
                   evidence=_json(_cap(e["evidence"])), id=f"e{G.number_of_edges()}")

    # agency-agency edges: named in the same paragraph
    pairs: dict[tuple, list] = defaultdict(list)
    for pk in sorted(para_agencies, key=lambda pk: (kept[pk[0]].date, pk)):
        gs = sorted(para_agencies[pk] & agencies)
        for x in range(len(gs)):
            for y in range(x + 1, len(gs)):
                pairs[(gs[x], gs[y])].append(pk)
    for (g1, g2), pks in sorted(pairs.items()):
        ev = [record(kept[k], paragraph=n, sentence=naming_sentence(para_text.get((k, n)), ag_names(g1) + ag_names(g2)))
              for k, n in pks]
        G.add_edge(g1, g2, key="agency-agency", kind="agency-agency", weight=len(pks),
                   years=_json(sorted({kept[k].year for k, _ in pks if kept[k].year})),
                   evidence=_json(_cap(ev)), id=f"e{G.number_of_edges()}")

    # addressee edges
    rec_edges: dict[tuple, list] = defaultdict(list)
    for (key, g), recs in sorted(asked.items(), key=lambda kv: (kept[kv[0][0]].date, kv[0])):
        if g not in agencies:
            continue
        i = kept[key]
        for pos, text in sorted(recs.items()):
            rec_edges[(i.authority, g)].append((i, pos, text))
    for (a, g), recs in rec_edges.items():
        ev = [record(i, recommendation=pos, sentence=text if len(text) <= 400 else text[:399] + "\u2026")
              for i, pos, text in recs]
        G.add_edge(a, g, key="addressee", kind="addressee", weight=len(recs),
                   years=_json(sorted({i.year for i, _, _ in recs if i.year})),
                   evidence=_json(_cap(ev)), id=f"e{G.number_of_edges()}")

    if with_analysis:
        analyse(G)
    return G


def _cap(evidence: list[dict]) -> list[dict]:
    """The latest EVIDENCE_PER_EDGE records, kept in date order."""
    return evidence[-EVIDENCE_PER_EDGE:]


def simple_graph(G: nx.MultiGraph) -> nx.Graph:
    """One edge per connected pair, weights of all kinds summed (for layout and centrality)."""
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes))
    for u, v, w in G.edges(data="weight"):
        if H.has_edge(u, v):
            H[u][v]["weight"] += w
        else:
            H.add_edge(u, v, weight=w)
    return H


def analyse(G: nx.MultiGraph) -> None:
    """Degree, weighted degree, betweenness and community as node attributes (deterministic)."""
    H = simple_graph(G)
    if len(H) <= 2:
        bc = {n: 0.0 for n in H}
    elif len(H) <= BETWEENNESS_EXACT_UP_TO:
        bc = nx.betweenness_centrality(H, normalized=True)
    else:  # estimated from a fixed sample of sources: same graph, same numbers
        bc = nx.betweenness_centrality(H, k=BETWEENNESS_SAMPLES, normalized=True, seed=7)
    comms = nx.community.louvain_communities(H, weight="weight", seed=7) if H.number_of_edges() else [{n} for n in H]
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))
    community = {n: k for k, c in enumerate(comms) for n in c}
    for n in G.nodes:
        G.nodes[n]["degree"] = H.degree(n)
        G.nodes[n]["weighted_degree"] = int(H.degree(n, weight="weight"))
        G.nodes[n]["betweenness"] = round(float(bc.get(n, 0.0)), 6)
        G.nodes[n]["community"] = community.get(n, 0)


def prune(G: nx.MultiGraph, max_nodes: int, min_reports: int = 1) -> tuple[nx.MultiGraph, PruneInfo | None]:
    """Above ``max_nodes`` nodes, keep only agencies named in at least N reports, raising N from
    ``min_reports`` until the network fits (authorities always stay). ``max_nodes`` 0: no limit.
    The network returned is analysed (:func:`analyse`), whether pruned or not."""
    n0 = G.number_of_nodes()
    if not max_nodes or n0 <= max_nodes:
        if any("betweenness" not in d for _, d in G.nodes(data=True)):
            analyse(G)
        return G, None
    n = max(1, min_reports)
    H = G
    top = max((d.get("reports", 0) for _, d in G.nodes(data=True)), default=1)
    while H.number_of_nodes() > max_nodes and n <= top:
        n += 1
        drop = [v for v, d in G.nodes(data=True) if d["type"] == "agency" and d["reports"] < n]
        H = G.copy()
        H.remove_nodes_from(drop)
    filters = decode(H.graph.get("filters", "{}"))
    filters["min_reports"] = n
    H.graph["filters"] = _json(filters)
    analyse(H)
    return H, PruneInfo(n0, H.number_of_nodes(), n, max_nodes)


# --- exports ----------------------------------------------------------------------------------

def write_graphml(G: nx.MultiGraph, path: Path) -> None:
    """GraphML for Cytoscape and yEd: each edge's GraphML id is its unique ``id`` attribute (the
    networkx key, the edge kind, is kept in ``kind``; :func:`read_graphml` restores it)."""
    nx.write_graphml(G, str(path), named_key_ids=True, edge_id_from_attribute="id")


def _rekey(G: nx.MultiGraph) -> nx.MultiGraph:
    """The same graph with each edge's kind as its networkx key (as :func:`build_graph` makes it)."""
    H = nx.MultiGraph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    H.add_edges_from((u, v, d.get("kind"), d) for u, v, d in G.edges(data=True))
    return H


def write_gexf(G: nx.MultiGraph, path: Path) -> None:
    """GEXF 1.2 for Gephi, without the writer's date stamp (same graph, same bytes)."""
    import io

    buf = io.BytesIO()
    nx.write_gexf(G, buf)
    text = re.sub(r' lastmodifieddate="[^"]*"', "", buf.getvalue().decode("utf-8"), count=1)
    Path(path).write_text(text, encoding="utf-8")


def node_link(G: nx.MultiGraph) -> dict:
    return nx.node_link_data(G, edges="edges")


def write_json(G: nx.MultiGraph, path: Path) -> None:
    Path(path).write_text(json.dumps(node_link(G), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")


def read_graphml(path: Path) -> nx.MultiGraph:
    """A GraphML export back as the network (plain ``networkx.read_graphml(path, force_multigraph=True)``
    gives the same nodes, edges and attributes, keyed by edge id instead of kind)."""
    return _rekey(nx.read_graphml(str(path), force_multigraph=True))


def read_gexf(path: Path) -> nx.MultiGraph:
    G = nx.read_gexf(str(path))
    G.graph.pop("mode", None)
    return _rekey(G)


def read_json(path: Path) -> nx.MultiGraph:
    return nx.node_link_graph(json.loads(Path(path).read_text(encoding="utf-8")), edges="edges")


TYPE_COLOURS = {
    "authority": "#1d3557", "police": "#1f77b4", "nhs-trust": "#2ca02c", "primary-care-trust": "#98df8a",
    "clinical-commissioning-group": "#17becf", "safeguarding-board": "#d62728", "childrens-trust": "#ff7f0e",
    "local-authority": "#8c564b", "voluntary": "#e377c2", "probation": "#9467bd", "inspectorate": "#7f7f7f",
    "government": "#bcbd22", "education": "#ffbb78", "safeguarding-partnership": "#ff9896",
    "integrated-care-board": "#aec7e8", "other": "#c7c7c7",
}
"""Node colours by type (authorities) or agency type (agencies): shared by the PNG and the page."""


def node_colour(d: dict) -> str:
    return TYPE_COLOURS["authority"] if d.get("type") == "authority" else TYPE_COLOURS.get(d.get("agency_type"), "#c7c7c7")


def write_png(G: nx.MultiGraph, path: Path, labels: int = 12) -> None:
    """A static picture for reports (matplotlib): colour by type, size by reports; every authority and
    the ``labels`` agencies of highest betweenness are labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    H = simple_graph(G)
    fig, ax = plt.subplots(figsize=(14, 10), dpi=120)
    ax.set_axis_off()
    if len(H):
        pos = nx.spring_layout(H, seed=7, weight=None, k=1.6 / max(1, len(H)) ** 0.5, iterations=200)
        kinds = {"authority-agency": ("#9aa5b1", "solid"), "agency-agency": ("#f4a261", "dashed"),
                 "addressee": ("#c1121f", "solid")}
        for kind, (colour, style) in kinds.items():
            es = [(u, v) for u, v, k in G.edges(keys=True) if k == kind]
            if es:
                nx.draw_networkx_edges(H, pos, edgelist=es, ax=ax, edge_color=colour, style=style, alpha=0.5,
                                       width=[min(4.0, 0.5 + 0.5 * G.edges[u, v, kind]["weight"]) for u, v in es])
        nodes = list(H.nodes)
        nx.draw_networkx_nodes(H, pos, nodelist=nodes, ax=ax, node_color=[node_colour(G.nodes[n]) for n in nodes],
                               node_size=[60 + 50 * G.nodes[n].get("reports", 1) for n in nodes],
                               node_shape="o", edgecolors="white", linewidths=0.5)
        busiest = sorted(nodes, key=lambda n: (G.nodes[n]["type"] != "authority", -G.nodes[n]["betweenness"], n))
        n_auth = sum(1 for n in nodes if G.nodes[n]["type"] == "authority")
        nx.draw_networkx_labels(H, pos, ax=ax, font_size=7,
                                labels={n: G.nodes[n]["label"] for n in busiest[:n_auth + labels]})
        order = list(TYPE_COLOURS)
        present = sorted({("authority" if d["type"] == "authority" else d["agency_type"]) for _, d in G.nodes(data=True)},
                         key=lambda t: (order.index(t) if t in order else len(order), t))
        ax.legend(handles=[Line2D([], [], marker="o", ls="", color=TYPE_COLOURS.get(t, "#c7c7c7"), label=t)
                           for t in present],
                  loc="lower left", fontsize=8, frameon=False)
    ax.set_title(f"Agency network: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges "
                 "(size = reports, colour = type)", fontsize=10)
    fig.tight_layout()
    fig.savefig(str(path), metadata={"Software": None})
    plt.close(fig)


def export(G: nx.MultiGraph, out_dir: str | Path, formats: list[str], stem: str = "agency-network") -> list[Path]:
    """Write the network in each of ``formats`` to ``out_dir/stem.<ext>``; returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        p = out / f"{stem}.{fmt}"
        if fmt == "graphml":
            write_graphml(G, p)
        elif fmt == "gexf":
            write_gexf(G, p)
        elif fmt == "json":
            write_json(G, p)
        elif fmt == "png":
            write_png(G, p)
        elif fmt == "html":
            from .network_html import write_html

            write_html(G, p)
        else:
            raise ValueError(f"unknown format {fmt!r}")
        written.append(p)
    return written
