"""The agency network: exact checks on an invented fixture, exports that round-trip, the CLI, the
same network from a real SPARQL endpoint, and (with ../shared) the seed and dev-corpus networks.

The fixture (tests/fixtures/network/reports.json) is invented text in the extract layout: Portsmouth
(SLAC 2011, ILACS 2019), Southampton (SLAC 2012, stored twice: as text and as PDF) and an authority not
in the reference list (Northshire, ILACS 2019). Its expected network was worked out by hand.
"""
from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from ofsted_kg import network as N
from ofsted_kg import store as S
from ofsted_kg.cli import main
from ofsted_kg.model import Report
from ofsted_kg.rdf_map import map_report

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "network" / "reports.json"
AUTH = "https://w3id.org/ofsted-kg/id/authority/"
AG = "https://w3id.org/ofsted-kg/id/agency/"
PORTSMOUTH, SOUTHAMPTON, NORTHSHIRE = AUTH + "portsmouth", AUTH + "southampton", AUTH + "unmatched/northshire"
SOLENT, HC, BARNARDOS = AG + "solent-nhs-trust", AG + "hampshire-constabulary", AG + "barnardos"
NPOLICE, PSCB, SSCB = AG + "northshire-police", AG + "portsmouth-safeguarding-children-board", AG + "southampton-safeguarding-children-board"


def fill_store(store: ox.Store) -> ox.Store:
    S.load_static(store)
    for d in json.loads(FIXTURE.read_text()):
        m = map_report(Report.from_dict(d))
        S.replace_graph(store, m.iri, m.ntriples())
    return store


@pytest.fixture(scope="module")
def rows():
    return N.run_queries(fill_store(ox.Store()))


@pytest.fixture(scope="module")
def G(rows):
    return N.build_graph(rows)


def edge_table(G):
    short = lambda iri: iri.rsplit("/", 1)[1]  # noqa: E731
    return sorted((short(u), short(v), k, d["weight"], tuple(N.decode(d["years"]))) for u, v, k, d in G.edges(keys=True, data=True))


# --- the fixture network, exactly ---------------------------------------------------------------

def test_nodes_of_the_fixture(G):
    got = {n: (d["type"], d["label"], d["reports"], d.get("agency_type"), d.get("latest_grade")) for n, d in G.nodes(data=True)}
    assert got == {
        PORTSMOUTH: ("authority", "Portsmouth", 2, None, "requires-improvement"),
        SOUTHAMPTON: ("authority", "Southampton", 1, None, "inadequate"),
        NORTHSHIRE: ("authority", "Northshire", 1, None, "good"),
        SOLENT: ("agency", "Solent NHS Trust", 3, "nhs-trust", None),
        HC: ("agency", "Hampshire Constabulary", 3, "police", None),
        BARNARDOS: ("agency", "Barnardo's", 2, "voluntary", None),
        NPOLICE: ("agency", "Northshire Police", 1, "police", None),
        PSCB: ("agency", "Portsmouth Safeguarding Children Board", 1, "safeguarding-board", None),
        SSCB: ("agency", "Southampton Safeguarding Children Board", 1, "safeguarding-board", None),
    }


def test_edges_of_the_fixture(G):
    assert edge_table(G) == sorted([
        ("portsmouth", "solent-nhs-trust", "authority-agency", 2, (2011, 2019)),
        ("portsmouth", "hampshire-constabulary", "authority-agency", 2, (2011, 2019)),
        ("portsmouth", "barnardos", "authority-agency", 1, (2011,)),
        ("portsmouth", "portsmouth-safeguarding-children-board", "authority-agency", 1, (2011,)),
        ("southampton", "solent-nhs-trust", "authority-agency", 1, (2012,)),
        ("southampton", "hampshire-constabulary", "authority-agency", 1, (2012,)),
        ("southampton", "southampton-safeguarding-children-board", "authority-agency", 1, (2012,)),
        ("northshire", "northshire-police", "authority-agency", 1, (2019,)),
        ("northshire", "barnardos", "authority-agency", 1, (2019,)),
        # named in the same paragraph: Portsmouth 2011 ¶3, Southampton 2012 ¶2 (stored twice, counted once), Portsmouth 2019 ¶2
        ("hampshire-constabulary", "solent-nhs-trust", "agency-agency", 3, (2011, 2012, 2019)),
        ("barnardos", "solent-nhs-trust", "agency-agency", 1, (2011,)),
        ("barnardos", "northshire-police", "agency-agency", 1, (2019,)),
        ("portsmouth", "solent-nhs-trust", "addressee", 1, (2011,)),
    ])


def test_same_inspection_stored_twice_counts_once(G):
    assert G.nodes[SOUTHAMPTON]["reports"] == 1
    assert G.edges[SOUTHAMPTON, SOLENT, "authority-agency"]["weight"] == 1
    ev = N.decode(G.edges[SOUTHAMPTON, SOLENT, "authority-agency"]["evidence"])
    assert len(ev) == 1 and ev[0]["date"] == "2012-04-23" and ev[0]["paragraph"] == 2


def test_authority_identifiers_and_latest_grade(G):
    p = G.nodes[PORTSMOUTH]
    assert p["ofsted_urn"] and p["ons_code"].startswith("E") and p["region"] == "South East"
    assert (p["latest_grade"], p["latest_grade_rank"], p["latest_inspection"], p["latest_framework"]) == \
        ("requires-improvement", 3, "2019-10-01", "ilacs")
    # SLAC has two headline grades: the worse one is the inspection's grade
    assert N.build_graph(N.run_queries(fill_store(ox.Store())), N.Filters(authorities=["Southampton"])) \
        .nodes[SOUTHAMPTON]["latest_grade_rank"] == 4
    assert "ofsted_urn" not in G.nodes[NORTHSHIRE]  # not in the reference list: no identifiers


def test_evidence_is_the_sentence_that_names_the_agency(G):
    ev = N.decode(G.edges[PORTSMOUTH, HC, "authority-agency"]["evidence"])
    assert ev[0] == {"authority": "Portsmouth", "date": "2011-05-09", "framework": "slac", "paragraph": 3,
                     "report": "portsmouth-2011.txt",
                     "sentence": "Staff from Solent NHS Trust and Hampshire Constabulary share a duty desk."}
    # found by an alias
    pscb = N.decode(G.edges[PORTSMOUTH, PSCB, "authority-agency"]["evidence"])
    assert pscb[0]["sentence"] == "The PSCB audits case files twice a year."
    asked = N.decode(G.edges[PORTSMOUTH, SOLENT, "addressee"]["evidence"])
    assert asked == [{"authority": "Portsmouth", "date": "2011-05-09", "framework": "slac", "recommendation": 1,
                      "report": "portsmouth-2011.txt",
                      "sentence": "Solent NHS Trust to set up a single point of contact for school nurses."}]


def test_every_attribute_is_a_plain_value_and_lists_are_json(G):
    items = [*(d for _, d in G.nodes(data=True)), *(d for _, _, d in G.edges(data=True))]
    for d in items:
        for k, v in d.items():
            assert isinstance(v, (str, int, float)) and v is not None, (k, v)
            if k in N.LIST_ATTRIBUTES:
                assert isinstance(N.decode(v), list), (k, v)
    assert {k for d in items for k in d} >= set(N.LIST_ATTRIBUTES)


def test_naming_sentence():
    text = "First part. Then - a list item naming Hampshire Constabulary - and more. Last."
    assert N.naming_sentence(text, ["Hampshire Constabulary"]) == "a list item naming Hampshire Constabulary"
    assert N.naming_sentence("Nothing here.", ["Solent"]) == "Nothing here."
    long = "x " * 400 + "Solent NHS Trust" + " y" * 400
    s = N.naming_sentence(long, ["Solent NHS Trust"], limit=100)
    assert "Solent NHS Trust" in s and len(s) <= 102
    assert N.naming_sentence("Solentia is not it. Solent is.", ["Solent"]) == "Solent is."


def test_brokers_and_communities(G):
    # Barnardo's alone links Northshire to the rest; the boards are leaves
    assert G.nodes[BARNARDOS]["betweenness"] > G.nodes[HC]["betweenness"] > 0
    assert G.nodes[PSCB]["betweenness"] == 0 and G.nodes[PSCB]["degree"] == 1
    assert G.nodes[SOLENT]["degree"] == 4  # Portsmouth, Southampton, Hampshire Constabulary, Barnardo's
    assert G.nodes[SOLENT]["weighted_degree"] == 2 + 1 + 3 + 1 + 1
    comms = {d["community"] for _, d in G.nodes(data=True)}
    assert comms == set(range(len(comms))) and len(comms) >= 2
    assert G.nodes[NORTHSHIRE]["community"] == G.nodes[NPOLICE]["community"]


@pytest.mark.parametrize("filters, authorities, agencies", [
    (N.Filters(framework="ilacs"), {PORTSMOUTH, NORTHSHIRE}, {SOLENT, HC, NPOLICE, BARNARDOS}),
    (N.Filters(grade="inadequate"), {SOUTHAMPTON}, {SOLENT, HC, SSCB}),
    (N.Filters(grade="Requires improvement"), {PORTSMOUTH}, {SOLENT, HC, BARNARDOS, PSCB}),
    (N.Filters(min_reports=2), {PORTSMOUTH, SOUTHAMPTON, NORTHSHIRE}, {SOLENT, HC, BARNARDOS}),
    (N.Filters(agency_types=["police"]), {PORTSMOUTH, SOUTHAMPTON, NORTHSHIRE}, {HC, NPOLICE}),
    (N.Filters(authorities=["portsmouth city council", "northshire"]), {PORTSMOUTH, NORTHSHIRE},
     {SOLENT, HC, BARNARDOS, PSCB, NPOLICE}),
    (N.Filters(authorities=["southampton"], framework="ilacs"), set(), set()),
])
def test_filters(rows, filters, authorities, agencies):
    H = N.build_graph(rows, filters)
    assert {n for n, d in H.nodes(data=True) if d["type"] == "authority"} == authorities
    assert {n for n, d in H.nodes(data=True) if d["type"] == "agency"} == agencies


def test_filters_that_match_nothing_known(rows):
    with pytest.raises(N.NetworkError, match="Narnia.*known: Northshire, Portsmouth, Southampton"):
        N.build_graph(rows, N.Filters(authorities=["Narnia"]))
    with pytest.raises(N.NetworkError, match="not a grade"):
        N.build_graph(rows, N.Filters(grade="brilliant"))


def test_prune_raises_min_reports_until_the_network_fits(G):
    H, info = N.prune(G, max_nodes=6)
    assert info.min_reports == 2 and info.nodes_before == 9 and info.nodes_after == 6
    assert set(H) == {PORTSMOUTH, SOUTHAMPTON, NORTHSHIRE, SOLENT, HC, BARNARDOS}
    assert N.decode(H.graph["filters"])["min_reports"] == 2
    assert N.prune(G, max_nodes=9) == (G, None) and N.prune(G, max_nodes=0) == (G, None)


# --- exports ------------------------------------------------------------------------------------

def same_graph(G, H, graph_attrs=True):
    assert set(G.nodes) == set(H.nodes)
    for n in G:
        assert dict(G.nodes[n]) == dict(H.nodes[n]), n
    eg = {(frozenset((u, v)), k): d for u, v, k, d in G.edges(keys=True, data=True)}
    eh = {(frozenset((u, v)), k): d for u, v, k, d in H.edges(keys=True, data=True)}
    assert eg.keys() == eh.keys()
    for k in eg:
        assert dict(eg[k]) == dict(eh[k]), k
    if graph_attrs:
        assert {k: v for k, v in H.graph.items() if k not in ("node_default", "edge_default")} == G.graph
    else:
        assert H.graph["name"] == G.graph["name"]


def test_exports_round_trip(G, tmp_path):
    files = N.export(G, tmp_path, ["graphml", "gexf", "json"])
    assert [p.name for p in files] == ["agency-network.graphml", "agency-network.gexf", "agency-network.json"]
    same_graph(G, N.read_graphml(files[0]))
    same_graph(G, N.read_gexf(files[1]), graph_attrs=False)  # GEXF has no graph attributes but its name
    same_graph(G, N.read_json(files[2]))
    # every edge has its own GraphML/GEXF id (Cytoscape and Gephi key edges by it)
    import xml.etree.ElementTree as ET

    for f in files[:2]:
        ids = [e.get("id") for e in ET.parse(f).iter() if e.tag.endswith("}edge")]
        assert len(ids) == G.number_of_edges() == len(set(ids)), f.name
    plain = nx.read_graphml(files[0], force_multigraph=True)  # plain networkx: same edges, keyed by id
    assert sorted(d["kind"] for _, _, d in plain.edges(data=True)) == sorted(k for _, _, k in G.edges(keys=True))
    # types survive where the format has them
    H = N.read_graphml(files[0])
    assert isinstance(H.nodes[SOLENT]["reports"], int) and isinstance(H.nodes[SOLENT]["betweenness"], float)


def test_exports_are_deterministic(rows, tmp_path):
    a = N.export(N.build_graph(rows), tmp_path / "a", ["graphml", "gexf", "json", "html"])
    b = N.export(N.build_graph(rows), tmp_path / "b", ["graphml", "gexf", "json", "html"])
    for x, y in zip(a, b):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_exports_do_not_depend_on_row_order(rows, tmp_path):
    """Endpoints promise no row order (the network-* queries have no ORDER BY): the rows of every
    query reversed give the same files."""
    turned = {k: list(reversed(v)) if isinstance(v, list) else v for k, v in rows.items()}
    a = N.export(N.build_graph(rows), tmp_path / "a", ["graphml", "gexf", "json", "html"])
    b = N.export(N.build_graph(turned), tmp_path / "b", ["graphml", "gexf", "json", "html"])
    for x, y in zip(a, b):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_png(G, tmp_path):
    G = G.copy()
    G.nodes[NPOLICE]["agency_type"] = "a-type-added-later"  # unknown types get the fallback colour
    (p,) = N.export(G, tmp_path, ["png"])
    data = p.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_html_is_self_contained_and_escapes_the_data(G, tmp_path):
    from ofsted_kg.network_html import VIS_VERSION, render_html

    H = G.copy()
    H.nodes[SOLENT]["label"] = "Solent </script><script>alert(1)</script> {{VIS_JS}}"
    html = render_html(H)
    # only the page's own four elements close (data, colours, vis-network, the page script)
    assert html.lower().count("</script") == 4 and "<script>alert(1)" not in html
    assert f"@version {VIS_VERSION}" in html
    low = html.lower()
    for bad in ('src="http', "src='http", 'href="http', "@import", "<link"):
        assert bad not in low
    start = html.index('<script type="application/json" id="graph-data">') + len('<script type="application/json" id="graph-data">')
    data = json.loads(html[start:html.index("</script>", start)])
    assert data == json.loads(json.dumps(N.node_link(H)))


# --- the command line -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def disk_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("network") / "store"
    st = fill_store(ox.Store(str(path)))
    st.flush()
    del st
    return path


def test_cli_writes_every_format(disk_store, tmp_path, capsys):
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "3 authorities, 6 agencies, 9 authority-agency edges, 3 agency-agency edges, 1 addressee edges" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"agency-network.{x}" for x in ("gexf", "graphml", "html", "json", "png")]
    same_graph(N.read_json(tmp_path / "out" / "agency-network.json"), N.read_graphml(tmp_path / "out" / "agency-network.graphml"))


def test_cli_filters_and_pruning_message(disk_store, tmp_path, capsys):
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path), "--format", "json",
                 "--agency-type", "police", "--agency-type", "nhs-trust", "--framework", "slac"]) == 0
    H = N.read_json(tmp_path / "agency-network.json")
    assert {d["label"] for _, d in H.nodes(data=True)} == {"Portsmouth", "Southampton", "Solent NHS Trust", "Hampshire Constabulary"}
    capsys.readouterr()
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path), "--format", "json", "--max-nodes", "6"]) == 0
    err = capsys.readouterr().err
    assert "9 nodes is more than --max-nodes 6: pruning by --min-reports" in err
    assert "at least 2 reports" in err and "--max-nodes 0" in err
    assert len(N.read_json(tmp_path / "agency-network.json")) == 6


def test_cli_errors(disk_store, tmp_path, capsys):
    assert main(["network", "--store", str(tmp_path / "none"), "--out", str(tmp_path)]) == 4
    assert "no store here" in capsys.readouterr().err
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path), "--authority", "Narnia"]) == 64
    assert "--authority 'Narnia'" in capsys.readouterr().err
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path), "--format", "svg"]) == 64
    assert "unknown format 'svg'" in capsys.readouterr().err
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path), "--max-nodes", "-1"]) == 64
    (tmp_path / "a-file").write_text("x")
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path / "a-file"), "--format", "json"]) == 4
    assert "cannot write to" in capsys.readouterr().err
    from servers import free_port

    assert main(["network", "--endpoint", f"http://127.0.0.1:{free_port()}/query", "--out", str(tmp_path)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "query network-reports failed" in err and "cannot connect" in err


@pytest.mark.server
def test_same_network_from_a_real_sparql_endpoint(disk_store, tmp_path, G):
    from servers import OxigraphServer

    with OxigraphServer(disk_store, read_only=True) as server:
        H = N.build_graph(N.run_queries(endpoint=server.query_url))
        assert main(["network", "--endpoint", server.query_url, "--out", str(tmp_path / "remote"), "--format", "json"]) == 0
    assert main(["network", "--store", str(disk_store), "--out", str(tmp_path / "local"), "--format", "json"]) == 0
    assert json.dumps(N.node_link(H), sort_keys=True) == json.dumps(N.node_link(G), sort_keys=True)
    assert (tmp_path / "remote" / "agency-network.json").read_bytes() == (tmp_path / "local" / "agency-network.json").read_bytes()


# --- the real reports (../shared) -------------------------------------------------------------------

@pytest.fixture(scope="session")
def seeds_store(tmp_path_factory):
    from conftest import shared_path
    from ofsted_kg.build import build

    seeds = shared_path("corpus", "seeds")
    st = ox.Store(str(tmp_path_factory.mktemp("seeds") / "store"))
    build([seeds], st, jobs=2, progress=False)
    return st


_BUILT: dict[str, ox.Store] = {}


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory):
    """seeds + ../shared/corpus/pdf, built once per test run (about a minute on 2 cores), also when
    test_network_browser.py imports this fixture (pytest then holds two definitions of it)."""
    from conftest import shared_path
    from ofsted_kg.build import build

    seeds, pdf = shared_path("corpus", "seeds"), shared_path("corpus", "pdf")
    if "corpus" not in _BUILT:
        st = ox.Store(str(tmp_path_factory.mktemp("corpus") / "store"))
        build([seeds, pdf], st, jobs=2, progress=False)
        _BUILT["corpus"] = st
    return _BUILT["corpus"]


@pytest.mark.corpus
def test_seed_network_joins_portsmouth_and_southampton(seeds_store):
    G = N.build_graph(N.run_queries(seeds_store))
    H = N.simple_graph(G)
    common = {G.nodes[n]["label"] for n in nx.common_neighbors(H, PORTSMOUTH, SOUTHAMPTON)}
    assert {"Hampshire Constabulary", "Solent NHS Trust"} <= common
    for agency in (HC, SOLENT):
        for a in (PORTSMOUTH, SOUTHAMPTON):
            ev = N.decode(G.edges[a, agency, "authority-agency"]["evidence"])
            assert any(G.nodes[agency]["label"].split()[0] in e["sentence"] for e in ev), (a, agency)
    assert G.nodes[HC]["agency_type"] == "police" and G.nodes[SOLENT]["agency_type"] == "nhs-trust"


@pytest.mark.corpus
def test_corpus_network_round_trips(corpus_store, tmp_path):
    rows = N.run_queries(corpus_store)
    G = N.build_graph(rows)
    reports = {r["report"] for r in rows["network-reports"]}
    inspections = {(r["authority"], r["framework"], r["start_date"] or r["report"]) for r in rows["network-reports"]}
    assert len(inspections) < len(reports)  # the seeds and the PDFs share inspections: counted once
    assert sum(d["reports"] for _, d in G.nodes(data=True) if d["type"] == "authority") == len(inspections)
    assert {k for _, _, k in G.edges(keys=True)} == set(N.EDGE_KINDS)
    files = N.export(G, tmp_path, ["graphml", "gexf", "json"])
    same_graph(G, N.read_graphml(files[0]))
    same_graph(G, N.read_gexf(files[1]), graph_attrs=False)
    same_graph(G, N.read_json(files[2]))
