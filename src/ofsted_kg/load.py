"""Push the graph into a triple store the user runs (Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune, ...).

Source: a pyoxigraph store directory (every named graph in it: one per report, the ontology and
reference graphs, the build log) or an RDF file with named graphs (N-Quads ``.nq``, TriG ``.trig``).
Triples in the source's default graph are not pushed (a warning says how many).

Two ways in, both idempotent (a reload replaces each graph, it never duplicates):

* SPARQL 1.1 Graph Store HTTP Protocol (``--graph-store URL``): one ``PUT URL?graph=IRI`` per named graph
  with an N-Triples body, ``jobs`` in parallel; the server replaces the graph atomically. With
  ``non_atomic`` (Oxigraph servers only) graphs go in batches of about 20,000 triples: one SPARQL Update
  drops the batch's graphs, one POST of their N-Quads with Oxigraph's ``no_transaction`` option loads them
  with the server's bulk loader. Several times faster, but a batch cut off part-way stays partial until
  the next load (the count check names its graphs).
* SPARQL 1.1 Update (``--update URL``, used when there is no Graph Store endpoint, or when a PUT is
  answered 404/405/501): ``DROP SILENT GRAPH`` then ``INSERT DATA`` in batches of at most ``batch``
  triples per request (several small graphs share a request; a large graph spans several requests, the
  first one dropping the old graph). Triples linked by a blank node stay in the same request, so
  blank nodes keep their identity. Sent with SPARQLWrapper.

Every request is bounded: a timeout per request, at most ``retries`` retries with exponential backoff
(on connection errors and HTTP 5xx only), and an overall deadline. After loading, the triples of each
graph are counted on the server (``--endpoint``, a SPARQL query endpoint) and any graph whose count
differs from the source is reported. A load interrupted part-way (server stopped, network lost) leaves
the server with some graphs old and some new; running the same load again converges to exactly the
source's content, graph by graph.

Credentials come from the environment only: ``OFSTED_KG_USER`` and ``OFSTED_KG_PASSWORD``, sent with
HTTP basic or digest authentication as the server asks (Virtuoso's ``/sparql-auth`` and
``/sparql-graph-crud-auth`` ask for digest). They are never printed, logged or put in error messages.
"""
from __future__ import annotations

import os
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox

ENV_USER = "OFSTED_KG_USER"
ENV_PASSWORD = "OFSTED_KG_PASSWORD"
NO_GSP_STATUSES = (404, 405, 501)  # "there is no Graph Store endpoint here": fall back to Update
COUNT_GRAPHS_PER_QUERY = 100
BULK_BATCH_TRIPLES = 20_000  # --non-atomic: triples per bulk-load request (many graphs per request)


class LoadError(Exception):
    """The store or endpoint could not be used (exit code 4). The message is one line, without secrets."""


# --------------------------------------------------------------------------------------------- source
@dataclass
class Source:
    store: ox.Store
    name: str
    graphs: list[ox.NamedNode]
    default_graph_triples: int


def open_source(path: str | Path) -> Source:
    """Open a pyoxigraph store directory (read-only) or load an N-Quads / TriG file into memory."""
    p = Path(path)
    if p.is_dir():
        if not (p / "CURRENT").exists():
            raise LoadError(f"{p}: not a store directory (no Oxigraph/RocksDB files in it)")
        from .store import StoreError, open_store

        try:
            store = open_store(p, create=False, read_only=True)
        except StoreError as e:
            raise LoadError(_one_line(e)) from None
    elif p.is_file():
        fmt = ox.RdfFormat.from_extension(p.suffix.lstrip(".").lower()) if p.suffix else None
        if fmt is None or not fmt.supports_datasets:
            raise LoadError(f"{p}: not an RDF file with named graphs (give a store directory, .nq or .trig)")
        store = ox.Store()
        try:
            store.bulk_load(path=str(p), format=fmt)
        except (SyntaxError, ValueError, OSError) as e:
            raise LoadError(f"{p}: cannot be read as {fmt.name}: {_one_line(e)}") from None
    else:
        raise LoadError(f"{p}: no such store directory or file")
    graphs = sorted(store.named_graphs(), key=lambda g: g.value)
    dflt = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return Source(store, str(p), graphs, dflt)


def source_counts(source: Source) -> dict[str, int]:
    """Triples per named graph of the source (one native query, no Python object per triple)."""
    counts = {g.value: 0 for g in source.graphs}
    for sol in source.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        counts[sol["g"].value] = int(sol["n"].value)
    return counts


def graph_triples(store: ox.Store, graph: ox.NamedNode) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, graph)]


def graph_ntriples(store: ox.Store, graph: ox.NamedNode) -> bytes:
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)


def blank_node_units(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """Group triples so that triples sharing a blank node (directly or through others) stay together."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    plain, linked = [], []
    for t in triples:
        bnodes = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
        if not bnodes:
            plain.append([t])
            continue
        linked.append((t, bnodes[0]))
        for b in bnodes[1:]:
            ra, rb = find(bnodes[0]), find(b)
            if ra != rb:
                parent[ra] = rb
    groups: dict[str, list[ox.Triple]] = {}
    for t, b in linked:
        groups.setdefault(find(b), []).append(t)
    return plain + list(groups.values())


# ----------------------------------------------------------------------------------------------- http
def _one_line(e: object, limit: int = 300) -> str:
    s = " ".join(str(e).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def check_url(url: str, option: str) -> str:
    """An http(s) URL with a host, else LoadError naming the option (never echoing user information)."""
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc:
        raise LoadError(f"{option}: user information in the URL is not accepted (credentials go in "
                        f"{ENV_USER} and {ENV_PASSWORD})")
    try:
        parts.port
    except ValueError:
        raise LoadError(f"{option}: the port is not a number: {url}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoadError(f"{option}: not an http(s) URL: {url}")
    return url


def _redact_url(url: str) -> str:
    """A URL fit for messages: user information (``user:pass@``) removed."""
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])
    return urllib.parse.urlunsplit(parts)


@dataclass
class Credentials:
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Credentials":
        env = os.environ if env is None else env
        return cls(env.get(ENV_USER) or None, env.get(ENV_PASSWORD) or None)

    def __bool__(self) -> bool:
        return bool(self.user)

    def scrub(self, text: str) -> str:
        """Defence in depth: remove the password from any text about to be shown."""
        if self.password and len(self.password) >= 3:
            text = text.replace(self.password, "***")
        return text


def _wrapper_body(exc: Exception) -> str:
    """The server's answer kept in a SPARQLWrapper exception (its text ends with ``Response:\\n b'...'``)."""
    import ast

    text = str(exc)
    if "Response:\n" not in text:
        return ""
    raw = text.split("Response:\n", 1)[1]
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return _one_line(raw, 300)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return _one_line(value, 300)


class HttpStatusError(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}")
        self.status, self.body = status, body


class _Retryable(Exception):
    pass


@dataclass
class Policy:
    timeout: float = 120.0      # seconds per request
    retries: int = 5            # retries after the first attempt (connection errors and 5xx only)
    backoff: float = 0.5        # first wait; doubles each retry, capped at 10 s
    deadline: float = 3600.0    # seconds for the whole load


class Client:
    """HTTP for the loader: urllib (Graph Store PUT, probes) and SPARQLWrapper (Update, count queries).

    Retries connection errors and 5xx with backoff, bounded in count and time; turns the rest into
    one-line ``LoadError``s without secrets."""

    def __init__(self, creds: Credentials, policy: Policy, auth: str = "auto", log: Callable[[str], None] | None = None):
        self.creds, self.policy, self.auth = creds, policy, auth
        self.log = log or (lambda msg: None)
        self.started = time.monotonic()
        self._schemes: dict[str, tuple[str, str | None]] = {}  # url -> (basic|digest, realm)
        self._lock = threading.Lock()
        self.retried = 0
        handlers: list = []
        if creds:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            self._mgr = mgr
            if auth in ("auto", "basic"):
                handlers.append(urllib.request.HTTPBasicAuthHandler(mgr))
            if auth in ("auto", "digest"):
                handlers.append(urllib.request.HTTPDigestAuthHandler(mgr))
        self._opener = urllib.request.build_opener(*handlers)

    # -- the retry loop ------------------------------------------------------------------------
    def call(self, what: str, fn: Callable[[], object]):
        attempt = 0
        while True:
            try:
                return fn()
            except _Retryable as e:
                attempt += 1
                elapsed = time.monotonic() - self.started
                wait = min(self.policy.backoff * (2 ** (attempt - 1)), 10.0)
                if attempt > self.policy.retries or elapsed + wait > self.policy.deadline:
                    raise LoadError(self.creds.scrub(
                        f"{what}: {e} (gave up after {attempt} attempts)")) from None
                with self._lock:
                    self.retried += 1
                self.log(self.creds.scrub(f"{what}: {e}; retrying in {wait:.1f} s ({attempt}/{self.policy.retries})"))
                time.sleep(wait)

    def _classify(self, url: str, exc: BaseException):
        """Raise _Retryable for transient failures, LoadError/HttpStatusError for the rest."""
        where = _redact_url(url)
        if isinstance(exc, urllib.error.HTTPError):
            status = exc.code
            try:
                body = exc.read(2000).decode("utf-8", "replace")
            except Exception:  # noqa: BLE001 - the body is only for the message
                body = ""
            exc.close()
            if status >= 500:
                raise _Retryable(f"{where} answered HTTP {status}") from None
            raise HttpStatusError(status, body) from None
        if isinstance(exc, (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError, HTTPException, OSError)):
            reason = getattr(exc, "reason", exc)
            host = urllib.parse.urlsplit(where).netloc or where
            raise _Retryable(f"{host} unreachable: {_one_line(reason)}") from None
        raise exc

    def status_error(self, what: str, url: str, e: HttpStatusError) -> LoadError:
        where = _redact_url(url)
        if e.status in (401, 403):
            who = f"as the user in {ENV_USER}" if self.creds else f"without credentials (set {ENV_USER} and {ENV_PASSWORD})"
            return LoadError(f"{what}: {where} refused access {who} (HTTP {e.status})")
        detail = _one_line(re.sub(r"<[^>]+>", " ", e.body), 200)
        return LoadError(self.creds.scrub(f"{what}: {where} answered HTTP {e.status}" + (f": {detail}" if detail else "")))

    # -- plain HTTP (urllib) -------------------------------------------------------------------
    def request(self, method: str, url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        if self.creds:
            self._mgr.add_password(None, url, self.creds.user, self.creds.password or "")
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self._opener.open(req, timeout=self.policy.timeout) as r:
                return r.status, dict(r.headers), r.read()
        except BaseException as exc:  # noqa: BLE001 - classified below
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            self._classify(url, exc)
            raise

    # -- SPARQL (SPARQLWrapper) ----------------------------------------------------------------
    def _scheme(self, url: str) -> tuple[str, str | None]:
        """Which HTTP authentication the endpoint asks for (probe without credentials, once per URL)."""
        if self.auth in ("basic", "digest"):
            return self.auth, None
        with self._lock:
            if url in self._schemes:
                return self._schemes[url]
        scheme: tuple[str, str | None] = ("basic", None)
        req = urllib.request.Request(url, method="GET")
        try:
            with urllib.request.urlopen(req, timeout=self.policy.timeout) as r:
                r.read(0)
        except urllib.error.HTTPError as e:
            challenge = e.headers.get("WWW-Authenticate", "") if e.code == 401 else ""
            e.close()
            if challenge.lower().startswith("digest"):
                m = re.search(r'realm="([^"]*)"', challenge)
                scheme = ("digest", m.group(1) if m else None)
        except OSError:
            pass  # unreachable: the real request will say so
        with self._lock:
            self._schemes[url] = scheme
        return scheme

    def _wrapper(self, url: str):
        from SPARQLWrapper import BASIC, DIGEST, JSON, SPARQLWrapper

        sw = SPARQLWrapper(url)
        sw.setTimeout(max(1, int(self.policy.timeout)))
        sw.setReturnFormat(JSON)
        if self.creds:
            scheme, realm = self._scheme(url)
            sw.setHTTPAuth(DIGEST if scheme == "digest" else BASIC)
            if realm:
                sw.setCredentials(self.creds.user, self.creds.password or "", realm=realm)
            else:
                sw.setCredentials(self.creds.user, self.creds.password or "")
        return sw

    def _sparql(self, url: str, text: str, update: bool):
        from SPARQLWrapper import POST, POSTDIRECTLY, URLENCODED

        sw = self._wrapper(url)
        sw.setMethod(POST)
        sw.setRequestMethod(POSTDIRECTLY if update else URLENCODED)
        sw.setQuery(text)
        try:
            if update:
                r = sw.query()
                r.response.read()
                r.response.close()
                return None
            return sw.queryAndConvert()
        except BaseException as exc:  # noqa: BLE001 - classified below
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

            if isinstance(exc, SPARQLWrapperException):
                status = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404,
                          "URITooLong": 414, "EndPointInternalError": 500}.get(type(exc).__name__, 500)
                if status >= 500:
                    raise _Retryable(f"{_redact_url(url)} answered HTTP {status}") from None
                raise HttpStatusError(status, _wrapper_body(exc)) from None
            if isinstance(exc, ValueError) and not update:  # the answer was not JSON
                raise HttpStatusError(200, "the answer is not SPARQL JSON results") from None
            self._classify(url, exc)
            raise

    def update(self, url: str, text: str) -> None:
        self._sparql(url, text, update=True)

    def select(self, url: str, text: str) -> list[dict]:
        res = self._sparql(url, text, update=False)
        try:
            return res["results"]["bindings"]
        except (TypeError, KeyError):
            raise HttpStatusError(200, "the answer is not SPARQL JSON results") from None


# ----------------------------------------------------------------------------------------------- load
@dataclass
class Target:
    endpoint: str                      # SPARQL query endpoint (counting)
    graph_store: str | None = None     # Graph Store Protocol endpoint
    update: str | None = None          # SPARQL Update endpoint
    non_atomic: bool = False           # Oxigraph only: ?no_transaction on each PUT (its bulk loader)


@dataclass
class LoadReport:
    graphs: int = 0
    triples: int = 0
    method: str = ""
    seconds: float = 0.0
    failed: list[tuple[str, str]] = field(default_factory=list)      # (graph, reason)
    mismatches: list[tuple[str, int, int]] = field(default_factory=list)  # (graph, source, server)
    skipped_default: int = 0
    retried: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.mismatches


def _gsp_url(base: str, graph: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}" + urllib.parse.urlencode({"graph": graph})


class _NoGraphStore(Exception):
    pass


def _run_tasks(client: Client, tasks: list[tuple[list[str], str, str, Callable[[], object]]], jobs: int,
               report: LoadReport, progress: Callable[[str], None]) -> None:
    """Run (graphs, what, url, send) tasks on ``jobs`` threads. An HTTP 4xx fails the task's graphs (401/403:
    the whole load); retries exhausted stop the whole load; 404/405/501 means no Graph Store endpoint."""
    abort = threading.Event()
    fatal: list[LoadError] = []

    def run(task) -> None:
        graphs, what, url, send = task
        if abort.is_set():
            return
        try:
            client.call(what, send)
        except HttpStatusError as e:
            if e.status in NO_GSP_STATUSES and not report.failed:
                abort.set()
                raise _NoGraphStore(f"HTTP {e.status}") from None
            err = client.status_error(what, url, e)
            if e.status in (401, 403):
                abort.set()
                fatal.append(err)
                return
            report.failed.extend((g, str(err)) for g in graphs)
            progress(str(err))
        except LoadError as e:  # retries exhausted: the server is gone, stop the whole load
            abort.set()
            fatal.append(e)

    no_gsp = None
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        for f in [ex.submit(run, t) for t in tasks]:
            try:
                f.result()
            except _NoGraphStore as e:
                no_gsp = e
    if fatal:
        raise fatal[0]
    if no_gsp is not None:
        raise _NoGraphStore(str(no_gsp))


def _push_gsp(client: Client, src: Source, target: Target, jobs: int, report: LoadReport,
              progress: Callable[[str], None]) -> None:
    """One PUT per graph: the standard way, atomic per graph on the server."""
    def task(g: ox.NamedNode):
        url = _gsp_url(target.graph_store, g.value)

        def send():
            body = graph_ntriples(src.store, g)
            return client.request("PUT", url, body, {"Content-Type": "application/n-triples; charset=utf-8"})
        return [g.value], f"PUT graph <{g.value}>", target.graph_store, send

    _run_tasks(client, [task(g) for g in src.graphs], jobs, report, progress)


def _oxigraph_update_url(target: Target) -> str:
    if target.update:
        return target.update
    parts = urllib.parse.urlsplit(target.graph_store)
    if parts.path.endswith("/store"):
        return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len("store")] + "update", query=""))
    raise LoadError("--non-atomic needs --update URL (an Oxigraph server's is http://HOST:PORT/update)")


def _push_oxigraph_bulk(client: Client, src: Source, target: Target, jobs: int, counts: dict[str, int],
                        report: LoadReport, progress: Callable[[str], None]) -> None:
    """Oxigraph servers: per batch of graphs, one SPARQL Update dropping them, then one POST of their N-Quads
    with ``no_transaction`` (the server's bulk loader, which pays off on many graphs at once)."""
    update_url = _oxigraph_update_url(target)
    sep = "&" if "?" in target.graph_store else "?"
    post_url = f"{target.graph_store}{sep}no_transaction"
    batches: list[list[ox.NamedNode]] = [[]]
    size = 0
    for g in src.graphs:
        if batches[-1] and size + counts[g.value] > BULK_BATCH_TRIPLES:
            batches.append([])
            size = 0
        batches[-1].append(g)
        size += counts[g.value]

    def task(graphs: list[ox.NamedNode]):
        names = [g.value for g in graphs]

        def send():
            client.update(update_url, " ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs))
            body = b"".join(graph_ntriples(src.store, g).replace(b" .\n", b" " + str(g).encode() + b" .\n")
                            for g in graphs)  # N-Triples lines end in " .\n" (newlines in literals are escaped)
            return client.request("POST", post_url, body, {"Content-Type": "application/n-quads; charset=utf-8"})
        return names, f"bulk load of {len(graphs)} graph(s) from <{names[0]}>", target.graph_store, send

    _run_tasks(client, [task(b) for b in batches if b], jobs, report, progress)


@dataclass
class _Op:
    """One operation of an update request: ``drop`` a graph, or insert ``units`` (lists of triples) into it."""
    graph: ox.NamedNode
    units: list[list[ox.Triple]] | None = None  # None: DROP SILENT GRAPH

    @property
    def size(self) -> int:
        return sum(len(u) for u in self.units) if self.units else 0

    def render(self) -> str:
        gi = str(self.graph)
        if self.units is None:
            return f"DROP SILENT GRAPH {gi}"
        plain = [t for u in self.units if len(u) == 1 and not _has_bnode(u[0]) for t in u]
        linked = [t for u in self.units if len(u) > 1 or _has_bnode(u[0]) for t in u]
        parts = []
        if plain:
            parts.append(f"INSERT DATA {{ GRAPH {gi} {{\n" + " .\n".join(map(str, plain)) + " .\n} }")
        if linked:  # blank nodes: a template (INSERT DATA with blank nodes is refused by e.g. Virtuoso 7)
            parts.append(f"INSERT {{ GRAPH {gi} {{\n" + " .\n".join(map(str, linked)) + " .\n} } WHERE {}")
        return " ;\n".join(parts)


def _has_bnode(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def render_update(ops: list[_Op]) -> str:
    return " ;\n".join(op.render() for op in ops if op.units is None or op.units)


def _update_batches(src: Source, limit: list[int]) -> Iterable[list[_Op]]:
    """Requests of at most ``limit[0]`` triples (read as each request is cut, so it can shrink; a
    blank-node group larger than that goes alone): each graph's DROP comes first, its INSERTs in the same
    or the following requests."""
    ops: list[_Op] = []
    size = 0
    for g in src.graphs:
        ops.append(_Op(g))
        current = _Op(g, [])
        for unit in blank_node_units(graph_triples(src.store, g)):
            if size + len(unit) > limit[0] and size:
                if current.units:
                    ops.append(current)
                yield ops
                ops, size, current = [], 0, _Op(g, [])
            current.units.append(unit)
            size += len(unit)
        if current.units:
            ops.append(current)
    if ops:
        yield ops


def _regroup(atoms: list[tuple[ox.NamedNode, list[ox.Triple] | None]]) -> list[_Op]:
    ops: list[_Op] = []
    for g, unit in atoms:
        if unit is None:
            ops.append(_Op(g))
        elif ops and ops[-1].units is not None and ops[-1].graph == g:
            ops[-1].units.append(unit)
        else:
            ops.append(_Op(g, [unit]))
    return ops


def _split(ops: list[_Op]) -> tuple[list[_Op], list[_Op]] | None:
    """Two halves by triple count, order kept (a graph's DROP stays before its INSERTs); None when
    the request is a single triple or a single blank-node group."""
    atoms = [(op.graph, u) for op in ops for u in (op.units if op.units is not None else [None])]
    if sum(1 for _, u in atoms if u is not None) < 2:
        return None
    half = sum(op.size for op in ops) / 2
    acc, cut = 0, 0
    for i, (_, u) in enumerate(atoms):
        if u is not None and acc and acc + len(u) > half:
            cut = i
            break
        acc += len(u) if u is not None else 0
        cut = i + 1
    return _regroup(atoms[:cut]), _regroup(atoms[cut:])


def _push_update(client: Client, src: Source, update_url: str, batch: int, report: LoadReport,
                 progress: Callable[[str], None]) -> None:
    limit = [batch]  # shrinks when the server refuses a request (Virtuoso refuses large INSERT DATA)

    def send(ops: list[_Op], depth: int = 0) -> None:
        graphs = list(dict.fromkeys(op.graph.value for op in ops))
        what = f"SPARQL Update ({len(graphs)} graph(s) from <{graphs[0]}>)"
        text = render_update(ops)
        try:
            client.call(what, lambda: client.update(update_url, text))
        except HttpStatusError as e:
            err = client.status_error(what, update_url, e)
            if e.status in (401, 403, 404, 405):
                raise err from None
            halves = _split(ops) if depth < 40 else None
            if halves and halves[0] and halves[1]:  # too large, or one bad triple: halve and retry
                limit[0] = max(1, min(limit[0], sum(op.size for op in ops) // 2))
                progress(f"{what}: refused (HTTP {e.status}); sending it as two smaller requests "
                         f"(at most {limit[0]} triples each from now on)")
                send(halves[0], depth + 1)
                send(halves[1], depth + 1)
                return
            for g in graphs:
                if all(f != g for f, _ in report.failed):
                    report.failed.append((g, str(err)))
            progress(str(err))

    for ops in _update_batches(src, limit):
        send(ops)


def count_on_server(client: Client, endpoint: str, graphs: list[str]) -> dict[str, int]:
    """Triples per graph on the server (0 for graphs it does not have)."""
    counts = {g: 0 for g in graphs}
    for i in range(0, len(graphs), COUNT_GRAPHS_PER_QUERY):
        part = graphs[i:i + COUNT_GRAPHS_PER_QUERY]
        values = " ".join(str(ox.NamedNode(g)) for g in part)  # validated IRIs, serialised as terms
        text = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        what = "counting triples per graph"
        try:
            rows = client.call(what, lambda: client.select(endpoint, text))
        except HttpStatusError as e:
            raise client.status_error(what, endpoint, e) from None
        for row in rows:
            g = row.get("g", {}).get("value")
            if g in counts:
                counts[g] = int(row.get("n", {}).get("value", 0))
    return counts


def load(source: Source, target: Target, creds: Credentials | None = None, *, jobs: int = 4, batch: int = 1000,
         policy: Policy | None = None, auth: str = "auto", verify: bool = True,
         progress: Callable[[str], None] | None = None) -> LoadReport:
    """Push every named graph of ``source`` to ``target``; raise LoadError when the server is unusable."""
    progress = progress or (lambda msg: None)
    creds = creds if creds is not None else Credentials.from_env()
    client = Client(creds, policy or Policy(), auth, log=progress)
    report = LoadReport(graphs=len(source.graphs), skipped_default=source.default_graph_triples)
    expected = source_counts(source)
    report.triples = sum(expected.values())
    t0 = time.monotonic()
    done = False
    if target.graph_store:
        report.method = "graph-store"
        try:
            if target.non_atomic:
                report.method = "graph-store bulk (non-atomic)"
                _push_oxigraph_bulk(client, source, target, jobs, expected, report, progress)
            else:
                _push_gsp(client, source, target, jobs, report, progress)
            done = True
        except _NoGraphStore as e:
            if not target.update:
                raise LoadError(f"{_redact_url(target.graph_store)} is not a Graph Store endpoint ({e}); "
                                "give --update URL for SPARQL Update instead") from None
            progress(f"{_redact_url(target.graph_store)} is not a Graph Store endpoint ({e}): using SPARQL Update")
            report.failed.clear()
    if not done:
        report.method = "update"
        _push_update(client, source, target.update or target.endpoint, batch, report, progress)
    report.seconds = time.monotonic() - t0
    if verify:
        on_server = count_on_server(client, target.endpoint, list(expected))
        failed = {g for g, _ in report.failed}
        for g, n in expected.items():
            if on_server[g] != n and g not in failed:
                report.mismatches.append((g, n, on_server[g]))
    report.retried = client.retried
    return report


def progress_to_stderr(msg: str) -> None:
    print(f"ofsted-kg load: {msg}", file=sys.stderr, flush=True)


__all__ = ["ENV_USER", "ENV_PASSWORD", "LoadError", "Source", "open_source", "Target", "Credentials", "Policy",
           "LoadReport", "load", "count_on_server", "blank_node_units", "progress_to_stderr"]
