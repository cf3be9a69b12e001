"""Every canned query gives the same rows from Virtuoso 7 as from the embedded store on a store of 700
synthetic reports (bench/make_synthetic.py: invented, seeded, same files every run), loaded with
``ofsted-kg load``. The seeds-store comparison (test_queries_on_servers.py) did not show some of
Virtuoso's answers that go wrong only on bigger stores: rows lost by a one-report-per-inspection filter,
no rows at all from FILTER EXISTS inside sub-selects, one grade repeated down a column (all found by
hand during issue 4's speed work and mended). Two queries Virtuoso answers wrongly, differently from run
to run, are held to "nearly the same" (see UNRELIABLE). Real server on 127.0.0.1, no mocks; ~3 minutes.
"""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from servers import VirtuosoServer
from test_queries_on_servers import CLI, assert_same_rows, canonical, concat_columns

from ofsted_kg import query

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from make_synthetic import generate  # noqa: E402  (bench/make_synthetic.py)
from query_bench import sample_params  # noqa: E402

pytestmark = pytest.mark.server
REPORTS = 700
QUERY_TIMEOUT = 120.0
NAMES = [q.name for q in query.list_queries()]
# answers Virtuoso 7 gets wrong on this store, and not the same way from one load (or one run) to the next,
# so neither "same rows" nor "known failure" can be asserted for them (CI saw both). Measured on this store
# (2026-11-23, 6 loads x 2 runs, ThreadsPerQuery 1 and 4, loader --jobs 1 and 4): theme-asked-again lost 64-90
# of 3,659 rows, different ones on every run; theme-frequency-by-grade gave 0 or 31-36 of 280 rows with a
# count one lower; grade-changes gave 385-400 rows of 400, some with the wrong next inspection. The embedded
# store and an Oxigraph server agree on them (test_queries_on_servers.py). (grade-changes was rewritten
# after: one top-level aggregate; since then it gave all 400 rows right in 17 runs over 6 loads (2026-11-22/23),
# so it is held to the same rows again.) What is asserted for these: the
# query runs on Virtuoso, gives the same columns and nearly the same rows (at most UNRELIABLE_SHARE of the
# embedded store's rows missing or different); README (Virtuoso) tells users.
UNRELIABLE = {"theme-asked-again", "theme-frequency-by-grade"}
UNRELIABLE_SHARE = 0.15
RUNS = 3


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


def _params(name, store):
    given = sample_params(store)
    return {p.name: given.get(p.name, "x") for p in query.get_query(name).params if p.required}


def _both(name, store, endpoint):
    params = _params(name, store)
    return query.rows(name, params, store=store), query.rows(name, params, endpoint=endpoint, timeout=QUERY_TIMEOUT)


@pytest.mark.parametrize("name", [n for n in NAMES if n not in UNRELIABLE])
def test_same_rows_on_virtuoso_at_scale(name, store, endpoint):
    # Virtuoso 7 now and then loses rows of a query it otherwise answers right (seen once for
    # table-recommendations on this store), or leaves one unanswered past the timeout (seen once for
    # latest-grades, which it answers in 0.3 s otherwise): a query passes when one of RUNS runs gives
    # exactly the embedded store's rows; one that is wrong or unanswered every time still fails
    params = _params(name, store)
    local = query.rows(name, params, store=store)
    for run in range(RUNS):
        try:
            remote = query.rows(name, params, endpoint=endpoint, timeout=QUERY_TIMEOUT)
            assert_same_rows(name, local, remote)
            return
        except (AssertionError, query.EndpointError):
            if run == RUNS - 1:
                raise


@pytest.mark.parametrize("name", sorted(UNRELIABLE))
def test_nearly_the_same_rows_on_virtuoso_where_virtuoso_is_unreliable(name, store, endpoint):
    local, remote = _both(name, store, endpoint)
    concat = concat_columns(query.get_query(name).text)
    a, b = Counter(canonical(local, concat)), Counter(canonical(remote, concat))
    assert local, f"{name}: no rows from the embedded store (the comparison would prove nothing)"
    assert remote and all(set(r) == set(local[0]) for r in remote), f"{name}: other columns from Virtuoso"
    missing, extra = sum((a - b).values()), sum((b - a).values())
    assert max(missing, extra) <= UNRELIABLE_SHARE * len(local), (
        f"{name}: Virtuoso {len(remote)} rows, embedded store {len(local)}; {missing} missing, {extra} different")
