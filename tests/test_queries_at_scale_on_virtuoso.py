"""Every canned query gives the same rows from Virtuoso 7 as from the embedded store on a store of 700
synthetic reports (bench/make_synthetic.py: invented, seeded, same files every run), loaded with
``ofsted-kg load``. The seeds-store comparison (test_queries_on_servers.py) did not show some of
Virtuoso's answers that go wrong only on bigger stores: rows lost by a one-report-per-inspection filter,
no rows at all from FILTER EXISTS inside sub-selects, one grade repeated down a column (all found by
hand during issue 4's speed work and mended). Real server on 127.0.0.1, no mocks; ~3 minutes.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import VirtuosoServer
from test_queries_on_servers import CLI, assert_same_rows

from ofsted_kg import query

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from make_synthetic import generate  # noqa: E402  (bench/make_synthetic.py)
from query_bench import sample_params  # noqa: E402

pytestmark = pytest.mark.server
REPORTS = 700
QUERY_TIMEOUT = 120.0
NAMES = [q.name for q in query.list_queries()]
# answers Virtuoso 7 still gets wrong on this store (the embedded store and an Oxigraph server agree):
# strict, so a mended query makes its test fail until it comes off this list
KNOWN = {
    "theme-asked-again": "Virtuoso 7 returns 3,498 of 3,570 rows (so did the query before issue 4's rewrites)",
    "theme-frequency-by-grade": "Virtuoso 7 counts one inspection fewer on one row (the query before the rewrite "
                                "timed out on Virtuoso)",
}


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    from ofsted_kg.build import build
    from ofsted_kg.store import open_store

    tmp = tmp_path_factory.mktemp("scale")
    files = generate(tmp / "json", REPORTS, seed=1)
    st = open_store(tmp / "store")
    build([str(f) for f in files], st, jobs=2, progress=False)
    st.flush()
    del st
    return tmp / "store"


@pytest.fixture(scope="module")
def endpoint(big_store, tmp_path_factory):
    if not VirtuosoServer.available():
        pytest.skip("Virtuoso 7 (virtuoso-t) is not installed here: apt-get install virtuoso-opensource")
    with VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), unlimited=True) as srv:
        p = subprocess.run([*CLI, "load", "--store", str(big_store), "--endpoint", srv.query_url,
                            "--graph-store", srv.store_url, "-q"], capture_output=True, text=True, timeout=600,
                           stdin=subprocess.DEVNULL, env=srv.env())
        assert p.returncode == 0, p.stderr
        yield srv.query_url


@pytest.fixture(scope="module")
def store(big_store):
    return ox.Store.read_only(str(big_store))


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN[n], strict=True))
                                  if n in KNOWN else n for n in NAMES])
def test_same_rows_on_virtuoso_at_scale(name, store, endpoint):
    given = sample_params(store)
    params = {p.name: given.get(p.name, "x") for p in query.get_query(name).params if p.required}
    local = query.rows(name, params, store=store)
    remote = query.rows(name, params, endpoint=endpoint, timeout=QUERY_TIMEOUT)
    assert_same_rows(name, local, remote)
