"""`ofsted-kg load` against real servers on 127.0.0.1: Oxigraph server and Virtuoso 7 (no mocks).

Each test starts its own server over a scratch directory (tests/servers.py) and runs the real command
line in a subprocess, then reads back what the server holds with SPARQL and compares it, graph by graph,
with the source (rdflib isomorphism, so blank nodes are compared by structure).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from rdflib.compare import isomorphic
from servers import (EX, OxigraphServer, VirtuosoServer, _virtuoso_instance, error_server, invented_quads,  # noqa: F401
                     oxigraph_server, server_graph, server_graph_names, source_graphs, sparql_select,
                     virtuoso_server, write_store)

pytestmark = pytest.mark.server
CLI_TIMEOUT = 300
SECRET = "Wr0ng-s3cret-7751"
# the installed entry point (not ``-m ofsted_kg.cli``, which would run cli.py a second time as __main__)
CLI = [sys.executable, "-c", "import sys; from ofsted_kg.cli import main; sys.exit(main())"]


def run_load(*args, env=None, timeout=CLI_TIMEOUT):
    cmd = [*CLI, "load", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env or os.environ.copy(),
                          stdin=subprocess.DEVNULL)


def assert_server_holds(endpoint: str, quads: list, only: set[str] | None = None):
    """Every named graph of ``quads`` is on the server with exactly the same triples."""
    expected = source_graphs(quads)
    for iri, graph in expected.items():
        if only is not None and iri not in only:
            continue
        got = server_graph(endpoint, iri)
        assert len(got) == len(graph), f"{iri}: {len(got)} triples on the server, {len(graph)} in the source"
        assert same_graph(got, graph), f"{iri}: the server's triples differ from the source's"


def same_graph(a, b) -> bool:
    """Equal triples; with blank nodes, equal up to their renaming (isomorphic)."""
    from rdflib import BNode

    if any(isinstance(t, BNode) for tr in b for t in tr) or any(isinstance(t, BNode) for tr in a for t in tr):
        return isomorphic(a, b)
    return set(a) == set(b)


def no_traceback(p):
    assert "Traceback" not in p.stderr, p.stderr


# ------------------------------------------------------------------------------------ Oxigraph server
def test_graph_store_load_matches_source_and_reload_replaces(oxigraph_server, tmp_path):
    srv = oxigraph_server
    old, new = invented_quads("old"), invented_quads("new")
    old_store, new_store = write_store(tmp_path / "old", old), write_store(tmp_path / "new", new)

    p = run_load("--store", old_store, "--endpoint", srv.query_url, "--graph-store", srv.store_url)
    assert p.returncode == 0, p.stderr
    assert_server_holds(srv.query_url, old)
    assert "1 triples in the default graph not loaded" in p.stderr

    for _ in range(2):  # the new build replaces the old graphs; a second load changes nothing
        p = run_load("--store", new_store, "--endpoint", srv.query_url, "--graph-store", srv.store_url)
        assert p.returncode == 0, p.stderr
        assert "counts on the server match the source" in p.stdout
        assert_server_holds(srv.query_url, new)
    # graphs the source does not have are left alone; nothing else appears
    assert server_graph_names(srv.query_url) == set(source_graphs(new)) | {EX + "graph/retired"}
    total = sparql_select(srv.query_url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]["value"]
    assert int(total) == sum(len(g) for g in source_graphs(new).values()) + 1


def test_update_fallback_in_small_batches_matches_source(oxigraph_server, tmp_path):
    srv = oxigraph_server
    old, new = invented_quads("old"), invented_quads("new")
    src_old, src_new = tmp_path / "old.nq", tmp_path / "new.nq"
    for path, quads in ((src_old, old), (src_new, new)):
        path.write_text("".join(f"{q} .\n" for q in quads), encoding="utf-8")
    # batch 7: graphs span several requests, small graphs share one, the blank-node groups stay whole
    p = run_load(src_old, "--endpoint", srv.query_url, "--update", srv.update_url, "--batch", 7)
    assert p.returncode == 0, p.stderr
    for _ in range(2):
        p = run_load(src_new, "--endpoint", srv.query_url, "--update", srv.update_url, "--batch", 7)
        assert p.returncode == 0, p.stderr
        assert "by update" in p.stdout
        assert_server_holds(srv.query_url, new)


def test_missing_graph_store_falls_back_to_update(oxigraph_server, tmp_path):
    srv = oxigraph_server
    quads = invented_quads("new")
    store = write_store(tmp_path / "s", quads)
    p = run_load("--store", store, "--endpoint", srv.query_url, "--graph-store", srv.base + "/no-such-service",
                 "--update", srv.update_url)
    assert p.returncode == 0, p.stderr
    assert "is not a Graph Store endpoint (HTTP 404): using SPARQL Update" in p.stderr
    assert_server_holds(srv.query_url, quads)
    p = run_load("--store", store, "--endpoint", srv.query_url, "--graph-store", srv.base + "/no-such-service")
    assert p.returncode == 4
    assert p.stderr.strip().splitlines()[-1].startswith("ofsted-kg load: ")
    assert "give --update URL" in p.stderr


def _stop_mid_load_then_rerun(srv, how: list, tmp_path, reports: int, env=None) -> None:
    """Load an old build, start loading a new one, kill the server (SIGKILL) once the new triples
    arrive, start it again on the same files: the cut-off load ends with exit 4 and one line, and
    running the load again leaves exactly the new build on the server."""
    old = invented_quads("old", reports=reports, paragraphs=40)
    new = invented_quads("new", reports=reports, paragraphs=40)
    old_store, new_store = write_store(tmp_path / "old", old), write_store(tmp_path / "new", new)
    p = run_load("--store", old_store, "--endpoint", srv.query_url, *how, env=env)
    assert p.returncode == 0, p.stderr
    cmd = [*CLI, "load", "--store", str(new_store), "--endpoint",
           srv.query_url, *map(str, how), "--retries", "2", "--backoff", "0.1", "--jobs", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env=env or os.environ.copy())
    # wait until the new build has started to arrive, then stop the server abruptly
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        started = sparql_select(srv.query_url, "SELECT ?s WHERE { GRAPH ?g { ?s <%stext> ?t "
                                "FILTER(STRENDS(?t, ' new')) } } LIMIT 1" % EX)
        if started or proc.poll() is not None:
            break
        time.sleep(0.02)
    srv.kill()
    out, err = proc.communicate(timeout=CLI_TIMEOUT)
    assert proc.returncode == 4, (out, err)
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("ofsted-kg load: ") and "unreachable" in last and "gave up after 3 attempts" in last

    srv.start()  # same files, same port: the state the interrupted load left behind
    partial = sum(1 for iri, g in source_graphs(new).items() if same_graph(server_graph(srv.query_url, iri), g))
    assert partial < len(source_graphs(new)), "the load finished before the server was stopped: test proves nothing"
    p = run_load("--store", new_store, "--endpoint", srv.query_url, *how, env=env)
    assert p.returncode == 0, p.stderr
    assert_server_holds(srv.query_url, new)
    assert server_graph_names(srv.query_url) == set(source_graphs(new)) | {EX + "graph/retired"}


@pytest.mark.parametrize("mode", ["graph-store", "non-atomic", "update"])
def test_server_stopped_mid_load_then_rerun_converges(tmp_path, mode):
    reports = 400 if mode == "non-atomic" else 150  # the bulk mode sends ~20,000 triples per request
    srv = OxigraphServer(tmp_path / "server")
    srv.start()
    try:
        how = {"graph-store": ["--graph-store", srv.store_url],
               "non-atomic": ["--graph-store", srv.store_url, "--non-atomic"],
               "update": ["--update", srv.update_url, "--batch", 500]}[mode]
        _stop_mid_load_then_rerun(srv, how, tmp_path, reports)
    finally:
        srv.stop()


def test_server_answering_500_retries_then_one_line_error(error_server, tmp_path):
    store = write_store(tmp_path / "s", invented_quads("new"))
    env = dict(os.environ, OFSTED_KG_USER="someone", OFSTED_KG_PASSWORD=SECRET)
    for how in (["--graph-store", error_server.base + "/store"], ["--update", error_server.base + "/update"]):
        error_server.methods.clear()
        p = run_load("--store", store, "--endpoint", error_server.base + "/query", *how, "--jobs", "1",
                     "--retries", "2", "--backoff", "0.05", env=env)
        assert p.returncode == 4, p.stderr
        no_traceback(p)
        writes = [m for m in error_server.methods if m in ("PUT", "POST")]
        assert len(writes) == 3  # the first attempt and two retries, then it stops (GET: the auth probe)
        last = p.stderr.strip().splitlines()[-1]
        assert last.startswith("ofsted-kg load: ") and "HTTP 500" in last and "gave up after 3 attempts" in last
        assert SECRET not in p.stdout + p.stderr
        assert p.stderr.count("retrying") == 2


def test_unreachable_endpoint_is_bounded(tmp_path):
    from servers import free_port

    store = write_store(tmp_path / "s", invented_quads("new", reports=1))
    base = f"http://127.0.0.1:{free_port()}"
    t0 = time.monotonic()
    p = run_load("--store", store, "--endpoint", base + "/query", "--graph-store", base + "/store",
                 "--retries", "3", "--backoff", "0.05")
    assert p.returncode == 4
    assert time.monotonic() - t0 < 60
    assert "unreachable" in p.stderr.strip().splitlines()[-1]


def test_usage_errors(tmp_path):
    store = write_store(tmp_path / "s", invented_quads("new", reports=1))
    p = run_load("--store", store, "--endpoint", "localhost:7878/query")
    assert p.returncode == 64 and "not an http(s) URL" in p.stderr
    p = run_load("--store", store, "--endpoint", f"http://admin:{SECRET}@127.0.0.1:1/query")
    assert p.returncode == 64 and SECRET not in p.stderr + p.stdout
    p = run_load(tmp_path / "missing.nq", "--endpoint", "http://127.0.0.1:1/query")
    assert p.returncode == 4 and "no such store directory or file" in p.stderr
    (tmp_path / "x.ttl").write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    p = run_load(tmp_path / "x.ttl", "--endpoint", "http://127.0.0.1:1/query")
    assert p.returncode == 4 and "not an RDF file with named graphs" in p.stderr
    no_traceback(p)


# -------------------------------------------------------------------------------------------- Virtuoso
def test_virtuoso_graph_store_and_update_match_source(virtuoso_server, tmp_path):
    srv = virtuoso_server
    old, new = invented_quads("old"), invented_quads("new")
    old_store, new_store = write_store(tmp_path / "old", old), write_store(tmp_path / "new", new)
    env = srv.env()
    p = run_load("--store", old_store, "--endpoint", srv.query_url, "--graph-store", srv.store_url, env=env)
    assert p.returncode == 0, p.stderr
    assert_server_holds(srv.query_url, old)
    for how in (["--graph-store", srv.store_url], ["--graph-store", srv.store_url], ["--update", srv.update_url]):
        p = run_load("--store", new_store, "--endpoint", srv.query_url, *how, env=env)
        assert p.returncode == 0, p.stderr
        assert "counts on the server match the source" in p.stdout
        assert_server_holds(srv.query_url, new)
    assert server_graph_names(srv.query_url) == set(source_graphs(new)) | {EX + "graph/retired"}


def test_virtuoso_large_update_requests_are_split(virtuoso_server, tmp_path):
    """Virtuoso refuses INSERT DATA of a few thousand triples; the loader halves the request and goes on."""
    srv = virtuoso_server
    quads = invented_quads("new", reports=1, paragraphs=700)
    store = write_store(tmp_path / "s", quads)
    p = run_load("--store", store, "--endpoint", srv.query_url, "--update", srv.update_url, "--batch", 4000,
                 env=srv.env())
    assert p.returncode == 0, p.stderr
    assert "sending it as two smaller requests" in p.stderr  # else this test proves nothing
    assert_server_holds(srv.query_url, quads)


def test_virtuoso_wrong_credentials(virtuoso_server, tmp_path):
    srv = virtuoso_server
    store = write_store(tmp_path / "s", invented_quads("new"))
    for how in (["--graph-store", srv.store_url], ["--update", srv.update_url]):
        p = run_load("--store", store, "--endpoint", srv.query_url, *how, env=srv.env(password=SECRET))
        assert p.returncode == 4, p.stdout + p.stderr
        no_traceback(p)
        assert SECRET not in p.stdout + p.stderr
        last = p.stderr.strip().splitlines()[-1]
        assert "refused access as the user in OFSTED_KG_USER (HTTP 401)" in last, last
        env = {k: v for k, v in os.environ.items() if k not in ("OFSTED_KG_USER", "OFSTED_KG_PASSWORD")}
        p = run_load("--store", store, "--endpoint", srv.query_url, *how, env=env)
        assert p.returncode == 4
        assert "without credentials (set OFSTED_KG_USER and OFSTED_KG_PASSWORD)" in p.stderr
    assert server_graph_names(srv.query_url) == set()


@pytest.mark.parametrize("mode", ["graph-store", "update"])
def test_virtuoso_killed_mid_load_then_rerun_converges(tmp_path, mode):
    """Its own Virtuoso (the shared one must not be killed): after SIGKILL it restarts from its
    transaction log; the rerun replaces whatever the cut-off load left."""
    srv = VirtuosoServer(tmp_path / "virtuoso")
    srv.start()
    try:
        how = {"graph-store": ["--graph-store", srv.store_url], "update": ["--update", srv.update_url]}[mode]
        _stop_mid_load_then_rerun(srv, how, tmp_path, reports=50, env=srv.env())
    finally:
        srv.stop()


# ------------------------------------------------------------------- the real seeds, both servers
@pytest.mark.corpus
def test_seeds_store_loaded_into_oxigraph_and_virtuoso_matches_embedded(seeds_dir, tmp_path, oxigraph_server,
                                                                        virtuoso_server):
    """Acceptance: a store built from the seed reports, loaded into both servers: every graph the same
    as in the embedded store, and (Oxigraph server) every canned query without required parameters
    gives the same rows over HTTP as on the embedded store."""
    import pyoxigraph as ox

    from ofsted_kg import query

    store_dir = tmp_path / "kg"
    p = subprocess.run([*CLI, "build", str(seeds_dir), "--store", str(store_dir), "--quiet"], capture_output=True,
                       text=True, timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL)
    assert p.returncode in (0, 2, 3), p.stderr  # some seeds may be rejected; what was built is compared
    st = ox.Store.read_only(str(store_dir))
    quads = list(st)
    del st
    named = {q.graph_name.value for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert len(named) >= 4

    for srv, env in ((oxigraph_server, None), (virtuoso_server, virtuoso_server.env())):
        p = run_load("--store", store_dir, "--endpoint", srv.query_url, "--graph-store", srv.store_url, env=env)
        assert p.returncode == 0, p.stderr
        assert "counts on the server match the source" in p.stdout
        assert_server_holds(srv.query_url, quads)

    def rows(res):
        return sorted(repr(sorted(r.items())) for r in res.rows)

    names = [q.name for q in query.list_queries() if not any(par.required for par in q.params)]
    assert names
    for name in names:
        local = query.run(name, store=store_dir)
        remote = query.run(name, endpoint=oxigraph_server.query_url)
        assert rows(remote) == rows(local), name
