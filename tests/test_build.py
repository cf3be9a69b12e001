"""Building into the embedded store: determinism, replacement, invalid reports kept out, exit codes,
exports, and the cross-framework SPARQL walk (fixture reports; the real corpus where ../shared exists)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from ofsted_kg.cli import main
from ofsted_kg.iris import GRAPH_BUILD_LOG, report_iri
from ofsted_kg.store import graph_ntriples, open_store, report_graphs

FIX = Path(__file__).parent / "fixtures"
GOOD = sorted(str(p) for p in (FIX / "build-reports").glob("*.json"))
INVALID = str(FIX / "build-invalid" / "southampton-2014.json")

# Follow an authority along one cross-framework line, oldest first. Parameters are bound, not pasted.
FOLLOW_LINE = """
PREFIX okg: <https://w3id.org/ofsted-kg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?line ?start ?fw ?area ?grade WHERE {
  ?authority skos:prefLabel ?name .
  ?inspection okg:inspectedAuthority ?authority ; okg:framework ?fw ; okg:startDate ?start ;
              okg:hasJudgement [ okg:area ?area ; okg:grade ?grade ] .
  ?area skos:broadMatch ?line .
} ORDER BY ?start ?area"""


def follow(store, name: str, line: str) -> list[tuple[str, str, str, str]]:
    rows = store.query(FOLLOW_LINE, use_default_graph_as_union=True,
                       substitutions={ox.Variable("name"): ox.Literal(name),
                                      ox.Variable("line"): ox.NamedNode(f"https://w3id.org/ofsted-kg/concept/line/{line}")})
    return [(r["start"].value[:4], r["fw"].value.rsplit("/", 1)[1], r["area"].value.rsplit("/", 1)[1],
             r["grade"].value.rsplit("/", 1)[1]) for r in rows]


def report_graph_texts(path) -> dict[str, str]:
    store = open_store(path)
    try:
        return {g: graph_ntriples(store, g) for g in report_graphs(store)}
    finally:
        del store


def store_size(path) -> int:
    store = open_store(path)
    try:
        return len(store)
    finally:
        del store


def test_build_twice_gives_identical_graphs_and_size(tmp_path, capsys):
    s = tmp_path / "store"
    assert main(["build", *GOOD, "--store", str(s), "--quiet"]) == 0
    first, size1 = report_graph_texts(s), store_size(s)
    assert main(["build", *GOOD, "--store", str(s), "--quiet", "--force"]) == 0
    second, size2 = report_graph_texts(s), store_size(s)
    assert len(first) == len(GOOD)
    assert first == second
    assert size1 == size2
    for g in first:
        a, b = rdflib.Graph(), rdflib.Graph()
        a.parse(data=first[g], format="nt")
        b.parse(data=second[g], format="nt")
        assert isomorphic(a, b)


def test_unchanged_files_are_skipped(tmp_path, capsys):
    s = tmp_path / "store"
    assert main(["build", *GOOD, "--store", str(s)]) == 0
    first = report_graph_texts(s)
    capsys.readouterr()
    assert main(["build", *GOOD, "--store", str(s)]) == 0
    assert f"stored 0, unchanged {len(GOOD)}, failed validation 0, rejected 0" in capsys.readouterr().err
    assert report_graph_texts(s) == first


def test_progress_bar_on_stderr():
    import io

    from ofsted_kg.build import Progress

    buf = io.StringIO()
    bar = Progress(4, enabled=True, stream=buf)
    for outcome in ("stored", "stored", "invalid", "rejected"):
        bar.step(outcome)
    bar.close()
    last = buf.getvalue().rstrip("\n").split("\r")[-1]
    assert last.startswith("build [" + "#" * 28 + "] 4/4 stored 2 unchanged 0 invalid 1 rejected 1")


def test_build_log_holds_the_time_and_report_graphs_do_not(tmp_path):
    s = tmp_path / "store"
    assert main(["build", *GOOD, "--store", str(s), "--quiet"]) == 0
    store = open_store(s)
    log = graph_ntriples(store, GRAPH_BUILD_LOG)
    assert "endedAtTime" in log and f'"{len(GOOD)}"' in log
    for g in report_graphs(store):
        assert "dateTime" not in graph_ntriples(store, g)


def test_invalid_report_is_not_stored_and_the_others_are(tmp_path, capsys):
    s = tmp_path / "store"
    assert main(["build", *GOOD, INVALID, "--store", str(s), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "southampton-2014.json: failed validation, not stored" in err
    assert "grade grade:adequate is not used by framework fw:sif" in err
    assert "end date 2014-07-01 is before start date 2014-07-08" in err
    assert "Traceback" not in err
    graphs = report_graph_texts(s)
    assert report_iri("southampton_2014_sif.pdf") not in graphs
    assert len(graphs) == len(GOOD)


def test_rebuilding_a_file_replaces_its_graph(tmp_path):
    s = tmp_path / "store"
    src = tmp_path / "h.json"
    d = json.loads(Path(GOOD[0]).read_text())
    src.write_text(json.dumps(d))
    assert main(["build", str(src), "--store", str(s), "--quiet"]) == 0
    iri = report_iri(d["source"])
    before = report_graph_texts(s)[iri]
    assert "Invented recommendation to act at once." in before
    d["recommendations"] = [{"text": "A different invented item.", "timescale": None, "section": "safeguarding",
                             "addressees": [], "themes": []}]
    src.write_text(json.dumps(d))
    assert main(["build", str(src), "--store", str(s), "--quiet"]) == 0
    after = report_graph_texts(s)[iri]
    assert "A different invented item." in after and "Invented recommendation to act at once." not in after
    # a broken rebuild of the same file leaves the stored graph whole
    d["judgements"][0]["grade"] = "requires-improvement"
    src.write_text(json.dumps(d))
    assert main(["build", str(src), "--store", str(s), "--quiet"]) == 3
    assert report_graph_texts(s)[iri] == after


def test_rejected_input_exit_code_and_one_line_reason(tmp_path, capsys):
    html = tmp_path / "report.pdf"
    html.write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    s = tmp_path / "store"
    assert main(["build", GOOD[0], str(html), "--store", str(s), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{html}: an HTML page, not a report (a failed download saved under a report's name?)"]
    assert len(report_graph_texts(s)) == 1


def test_unusable_store_exit_code_4(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["build", GOOD[0], "--store", str(blocker / "store"), "--quiet"]) == 4
    assert "cannot open store" in capsys.readouterr().err
    assert main(["stats", "--store", str(tmp_path / "missing")]) == 4


@pytest.mark.parametrize("fmt", ["trig", "nq", "ttl", "nt", "jsonld"])
def test_out_formats_parse_back(tmp_path, fmt):
    out = tmp_path / f"kg.{fmt}"
    assert main(["build", *GOOD, "--out", str(out), "--format", fmt, "--quiet"]) == 0
    rdflib_format = {"trig": "trig", "nq": "nquads", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt]
    ds = rdflib.Dataset()
    ds.parse(out, format=rdflib_format)
    total = sum(len(g) for g in ds.graphs())
    assert total > 1500
    if fmt in ("trig", "nq"):
        names = {str(g.identifier) for g in ds.graphs() if len(g)}
        assert {report_iri(json.loads(Path(p).read_text())["source"]) for p in GOOD} <= names
    if fmt == "jsonld":
        doc = json.loads(out.read_text())
        assert isinstance(doc["@context"], dict)  # the shipped context inline, nothing remote


def test_validate_and_stats_commands(tmp_path, capsys):
    s = tmp_path / "store"
    assert main(["build", *GOOD, "--store", str(s), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["validate", "--store", str(s)]) == 0
    assert f"{len(GOOD) + 2} of {len(GOOD) + 2} graph(s) conform" in capsys.readouterr().err
    assert main(["stats", "--store", str(s), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["reports"] == len(GOOD)
    assert st["reports_per_framework"] == {"ilacs": 3, "sif": 1, "slac": 1}
    assert st["authorities_inspected"] == 2 and st["authorities_unmatched"] == 0


def test_validate_file_finds_violations(tmp_path, capsys):
    out = tmp_path / "bad.trig"
    shutil.copy(INVALID, tmp_path / "bad.json")
    d = json.loads((tmp_path / "bad.json").read_text())
    d["judgements"][0]["grade"] = "good"
    d["inspection"]["end_date"] = "2014-07-18"
    (tmp_path / "ok.json").write_text(json.dumps(d))
    assert main(["build", str(tmp_path / "ok.json"), "--out", str(out), "--quiet"]) == 0
    text = out.read_text().replace("grade:good", "grade:adequate").replace("grade/good>", "grade/adequate>")
    out.write_text(text)
    assert main(["validate", str(out)]) == 3
    assert "grade grade:adequate is not used by framework fw:sif" in capsys.readouterr().err


def test_follow_hampshire_across_frameworks_fixture(tmp_path):
    s = tmp_path / "store"
    assert main(["build", *GOOD, "--store", str(s), "--quiet"]) == 0
    store = open_store(s)
    assert follow(store, "Hampshire", "help-and-protection") == [
        ("2011", "slac", "slac.safeguarding.overall-effectiveness", "good"),
        ("2014", "sif", "sif.help-and-protection", "good"),
        ("2019", "ilacs", "ilacs.help-and-protection", "outstanding"),
        ("2024", "ilacs", "ilacs.help-and-protection", "outstanding"),
    ]
    partnership = follow(store, "Hampshire", "partnership-working")
    assert [(y, fw) for y, fw, _, _ in partnership] == [("2011", "slac"), ("2014", "sif")]


# --- the real corpus (skipped without ../shared) -------------------------------------------------

@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    from conftest import shared_path

    seeds, pdf = shared_path("corpus", "seeds"), shared_path("corpus", "pdf")
    s = tmp_path_factory.mktemp("corpus") / "store"
    code = main(["build", str(seeds), str(pdf), "--store", str(s), "--jobs", "2", "--quiet"])
    return s, code, (seeds, pdf)


@pytest.mark.corpus
def test_corpus_builds_every_report_validates_and_rebuilds_identically(corpus_store, capsys):
    s, code, (seeds, pdf) = corpus_store
    assert code == 2  # the one HTML file saved as a PDF is rejected; every real report is stored
    files = [p for d in (seeds, pdf) for p in sorted(d.iterdir()) if p.suffix in (".txt", ".pdf")]
    graphs = report_graph_texts(s)
    assert len(graphs) == len(files) - 1
    size = store_size(s)
    assert main(["validate", "--store", str(s), "--jobs", "2"]) == 0
    assert main(["build", str(seeds), str(pdf), "--store", str(s), "--jobs", "2", "--quiet", "--force"]) == 2
    assert report_graph_texts(s) == graphs
    assert store_size(s) == size


@pytest.mark.corpus
def test_corpus_follows_hampshire_from_2011_slac_through_later_frameworks(corpus_store):
    s, _, _ = corpus_store
    store = open_store(s)
    rows = follow(store, "Hampshire", "help-and-protection")
    years_fw = sorted({(y, fw) for y, fw, _, _ in rows})
    assert years_fw[0] == ("2011", "slac")
    assert {("2014", "sif"), ("2019", "ilacs"), ("2024", "ilacs")} <= set(years_fw)
    overall = follow(store, "Hampshire", "overall-effectiveness")
    assert {fw for _, fw, _, _ in overall} >= {"slac", "sif", "ilacs"}


def test_a_report_that_cannot_be_mapped_is_rejected_and_the_others_go_in(tmp_path, capsys):
    d = json.loads(Path(GOOD[0]).read_text())
    d["agencies"][0]["mentions"] = "many"
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(d))
    s = tmp_path / "store"
    assert main(["build", str(bad), GOOD[1], "--store", str(s), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: could not be mapped to RDF (ValueError:" in err and "Traceback" not in err
    assert list(report_graph_texts(s)) == [report_iri(json.loads(Path(GOOD[1]).read_text())["source"])]
