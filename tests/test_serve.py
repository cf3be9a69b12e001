"""`ofsted-kg serve`: a real Oxigraph server over a store directory, queried over HTTP on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from servers import EX, free_port, invented_quads, sparql_select, write_store

pytestmark = pytest.mark.server
CLI = [sys.executable, "-c", "import sys; from ofsted_kg.cli import main; sys.exit(main())"]


class Served:
    def __init__(self, store, *extra):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([*CLI, "serve", "--store", str(store), "--port", str(self.port), *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("serve did not answer within 60 s")

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


def http(method, url, data=None, content_type=None):
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type} if content_type else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in open(table).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if state == "0A" and int(p, 16) == port:  # 0A: LISTEN
                found.add(addr)
    return found


@pytest.fixture
def store(tmp_path):
    return write_store(tmp_path / "store", invented_quads("new", reports=3, paragraphs=2))


def test_serve_answers_queries_serves_the_page_and_refuses_updates(store):
    srv = Served(store)
    try:
        # a SPARQL query over HTTP, without GRAPH: the named graphs form the default graph
        rows = sparql_select(srv.base + "/query", "SELECT ?a WHERE { ?r <%sauthority> ?a } ORDER BY ?a" % EX)
        assert [r["a"]["value"] for r in rows] == [f"Invented Borough {i}" for i in range(3)]
        rows = sparql_select(srv.base + "/query", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert int(rows[0]["n"]["value"]) == 5  # 3 reports, ontology, build log

        # the query page, with its editor served by the server itself (nothing fetched from elsewhere)
        status, ctype, body = http("GET", srv.base + "/")
        assert status == 200 and ctype.startswith("text/html")
        page = body.decode()
        assert "yasgui" in page.lower() and "/query" in page
        status, _, js = http("GET", srv.base + "/yasgui.min.js")
        assert status == 200 and len(js) > 10_000

        # updates are refused, by SPARQL Update and by the Graph Store Protocol, and change nothing
        status, _, body = http("POST", srv.base + "/update", f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}".encode(),
                               "application/sparql-update")
        assert status == 403, body
        status, _, _ = http("PUT", srv.base + "/store?" + urllib.parse.urlencode({"graph": EX + "graph/report/0"}),
                            f"<{EX}x> <{EX}y> <{EX}z> .\n".encode(), "application/n-triples")
        assert status == 403
        rows = sparql_select(srv.base + "/query", "SELECT (COUNT(*) AS ?n) WHERE { <%sx> ?p ?o }" % EX)
        assert rows[0]["n"]["value"] == "0"

        assert listening_addresses(srv.port) == {"0100007F"}  # 127.0.0.1 only
    finally:
        code, err = srv.stop()
    assert code == 0, err
    assert "read-only" in err and f"http://127.0.0.1:{srv.port}/query" in err


def test_serve_writable_accepts_updates(store):
    srv = Served(store, "--writable")
    try:
        status, _, body = http("POST", srv.base + "/update", f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}x> <{EX}y> <{EX}z> }} }}".encode(),
                               "application/sparql-update")
        assert status in (200, 204), body
        rows = sparql_select(srv.base + "/query", "SELECT (COUNT(*) AS ?n) WHERE { <%sx> ?p ?o }" % EX)
        assert rows[0]["n"]["value"] == "1"
    finally:
        code, err = srv.stop()
    assert code == 0, err


def test_serve_missing_store_and_busy_port(tmp_path, store):
    p = subprocess.run([*CLI, "serve", "--store", str(tmp_path / "nowhere"), "--port", str(free_port())],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode == 4
    assert p.stderr.strip().count("\n") == 0 and "no such store directory" in p.stderr

    first = Served(store)
    try:  # the same port again: the server cannot bind, exit 4 with one message of ours at the end
        p = subprocess.run([*CLI, "serve", "--store", str(store), "--port", str(first.port)],
                           capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert p.returncode == 4
        assert "Traceback" not in p.stderr
        assert p.stderr.strip().splitlines()[-1].startswith("ofsted-kg serve: the Oxigraph server stopped")
    finally:
        first.stop()
