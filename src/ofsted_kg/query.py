"""Named SPARQL questions (``queries/*.rq``) and ad-hoc SPARQL, run on the embedded store or an endpoint.

A named query is a ``.rq`` file whose header the tool reads::

    # title: Timeline of one authority's inspections
    # description: Every inspection of one local authority, oldest first, ...
    # param: authority (string, required) the authority's name or IRI slug

``# param: NAME (TYPE, DEFAULT) description``: TYPE is one of ``string``, ``integer``, ``decimal``,
``boolean``, ``date``, ``iri``; DEFAULT is ``required`` or a value (``""`` for the empty string, which
the queries read as "not given"). Every parameter is the SPARQL variable ``?NAME``.

Parameters are bound as typed RDF terms, never pasted into the query text:

- on the embedded store (pyoxigraph) with ``substitutions`` (SEP-0007), which is why every
  parameter must appear in the query's SELECT clause (and its GROUP BY when it aggregates);
- on a remote endpoint with one ``BIND(value AS ?NAME)`` per parameter put first in the query's
  outermost WHERE group (the same solutions as a one-row ``VALUES`` block there; a ``VALUES`` block made
  Virtuoso 7 hang, holding locks that stalled every later query, on ``search`` over the seeds and dev PDFs);
  the values are serialised by pyoxigraph (N-Triples escaping), so a quote or brace in a value stays data.

Both bind the parameters for the outermost query, so a query must not use them inside a sub-SELECT
(there they are unbound either way), and they are always bound: optional ones to their default.
Parameter columns are dropped from the rows (they hold what was asked, the same in every row).

Rows are lists of plain dicts ``{column: value}``: IRIs and strings as ``str``, ``xsd:integer`` as
``int``, ``xsd:decimal``/``double``/``float`` as ``float``, ``xsd:boolean`` as ``bool``, other
literals (dates, ...) as their lexical ``str``; an unbound column is ``None``.

Both stores are queried with the union of all named graphs as the default graph (the canned queries
name their graphs with ``GRAPH`` and do not depend on it; ad-hoc queries may).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox

from .resources import resource_dir

XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = {"string": XSD + "string", "integer": XSD + "integer", "decimal": XSD + "decimal",
         "boolean": XSD + "boolean", "date": XSD + "date", "iri": None}
ENV_USER, ENV_PASSWORD = "OFSTED_KG_USER", "OFSTED_KG_PASSWORD"


class QueryError(Exception):
    """A query could not be run (bad SPARQL, bad parameter value): exit code 64 on the command line."""


class UnknownQuery(QueryError):
    """No named query of that name."""


class ParamError(QueryError):
    """A parameter is missing, unknown or not of its type."""


class EndpointError(Exception):
    """The store or the endpoint could not be used: exit code 4 on the command line."""


@dataclass
class Param:
    name: str
    type: str = "string"
    default: str | None = None  # None: required
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: list[Param] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def is_check(self) -> bool:
        """A data-quality check: must return no rows on a clean build."""
        return self.name.endswith("-violation")


@dataclass
class Result:
    columns: list[str]
    rows: list[dict[str, Any]]


# --------------------------------------------------------------------------------------- the library

_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?P<type>[a-z]+)\s*,\s*(?P<default>\"[^\"]*\"|'[^']*'|[^)]*?)\s*\)\s*(?P<desc>.*)$")


def parse_header(path: Path) -> NamedQuery:
    """The title, description and parameters of a ``.rq`` file's header comments."""
    title = description = ""
    params: list[Param] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        body = s.lstrip("#").strip()
        key, _, value = body.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = value
        elif key == "param":
            m = _PARAM.match(value)
            if not m or m["type"] not in TYPES:
                raise QueryError(f"{path}: bad '# param:' line (want 'NAME (TYPE, DEFAULT) description', "
                                 f"TYPE one of {', '.join(TYPES)}): {value}")
            d = m["default"].strip()
            default = None if d == "required" else (d[1:-1] if d[:1] in "\"'" and d[-1:] == d[:1] and len(d) >= 2 else d)
            params.append(Param(m["name"], m["type"], default, m["desc"].strip()))
    return NamedQuery(path.stem, path, title, description, params)


def query_dir() -> Path:
    return resource_dir("queries")


def list_queries(directory: str | Path | None = None) -> list[NamedQuery]:
    """Every named query (``*.rq``) with its header, sorted by name."""
    d = Path(directory) if directory else query_dir()
    return [parse_header(p) for p in sorted(d.glob("*.rq"))]


def get_query(name: str, directory: str | Path | None = None) -> NamedQuery:
    d = Path(directory) if directory else query_dir()
    p = d / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or not p.is_file():
        names = ", ".join(q.name for q in list_queries(d))
        raise UnknownQuery(f"no query named {name!r}; the queries are: {names}")
    return parse_header(p)


# --------------------------------------------------------------------------------------- parameters

def to_term(value: Any, type_: str, name: str = "value") -> ox.NamedNode | ox.Literal:
    """``value`` (a Python value or the text given on the command line) as an RDF term of ``type_``."""
    if type_ not in TYPES:
        raise ParamError(f"parameter {name}: unknown type {type_!r} (types: {', '.join(TYPES)})")
    if type_ == "iri":
        s = str(value)
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*", s):
            raise ParamError(f"parameter {name}: not an absolute IRI: {s!r}")
        return ox.NamedNode(s)
    if type_ == "boolean":
        if isinstance(value, bool):
            b = value
        elif str(value).strip().lower() in ("true", "1", "yes"):
            b = True
        elif str(value).strip().lower() in ("false", "0", "no"):
            b = False
        else:
            raise ParamError(f"parameter {name}: not a boolean (true/false): {value!r}")
        return ox.Literal("true" if b else "false", datatype=ox.NamedNode(TYPES["boolean"]))
    if type_ == "integer":
        if isinstance(value, bool) or not re.fullmatch(r"[+-]?\d+", str(value).strip()):
            raise ParamError(f"parameter {name}: not an integer: {value!r}")
        return ox.Literal(str(int(str(value).strip())), datatype=ox.NamedNode(TYPES["integer"]))
    if type_ == "decimal":
        try:
            float(str(value))
        except ValueError:
            raise ParamError(f"parameter {name}: not a number: {value!r}") from None
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", str(value).strip()):
            raise ParamError(f"parameter {name}: not a decimal number: {value!r}")
        return ox.Literal(str(value).strip(), datatype=ox.NamedNode(TYPES["decimal"]))
    if type_ == "date":
        s = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            raise ParamError(f"parameter {name}: not a date (YYYY-MM-DD): {value!r}")
        return ox.Literal(s, datatype=ox.NamedNode(TYPES["date"]))
    return ox.Literal(str(value))


def bind_params(query: NamedQuery, given: dict[str, Any] | None) -> dict[str, ox.NamedNode | ox.Literal]:
    """Every parameter of ``query`` as a typed term: the value given, else the default."""
    given = dict(given or {})
    known = {p.name for p in query.params}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ParamError(f"query {query.name!r} has no parameter {', '.join(unknown)}; "
                         + _params_text(query))
    missing = [p.name for p in query.params if p.required and given.get(p.name) in (None, "")]
    if missing:
        raise ParamError(f"query {query.name!r} needs {', '.join(missing)}; " + _params_text(query))
    out = {}
    for p in query.params:
        value = given[p.name] if given.get(p.name) is not None else p.default
        out[p.name] = to_term(value, p.type, p.name)
    return out


def _params_text(query: NamedQuery) -> str:
    if not query.params:
        return "it takes no parameters"
    return "its parameters: " + "; ".join(
        f"{p.name} ({p.type}, {'required' if p.required else 'default ' + repr(p.default)})" for p in query.params)


# ------------------------------------------------------------------------- bound values for endpoints

def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's form, read past comments, strings and IRIs
    (so a parameter value such as 'INSERT DATA' can never make a client take the query for an update)."""
    return _scan(text)[1]


def _outer_where_brace(text: str) -> int:
    """Index of the ``{`` that opens the outermost WHERE group (comments, strings and IRIs skipped)."""
    at = _scan(text)[0]
    if at < 0:
        raise QueryError("cannot find the query's WHERE clause to bind its parameters")
    return at


def _scan(text: str) -> tuple[int, str]:
    i, n = 0, len(text)
    last_word = ""
    first_brace = -1
    form = None
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            long = text.startswith(c * 3, i)
            end = c * 3 if long else c
            j = i + len(end)
            while j < n and not text.startswith(end, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(end)
            last_word = ""
            continue
        if c == "<":
            m = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])
            if m:
                i += m.end()
                last_word = ""
                continue
        if c.isalpha():
            m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i:])
            word = m.group(0).upper()
            if form is None and word in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                form = word
            last_word = word
            i += m.end()
            continue
        if c in "?$":
            m = re.match(r"[?$][A-Za-z0-9_]+", text[i:])
            i += m.end() if m else 1
            last_word = ""
            continue
        if c == "{":
            if last_word == "WHERE":
                return i, form or "SELECT"
            if first_brace < 0:
                first_brace = i
                if form in ("SELECT", "ASK", "DESCRIBE"):
                    return i, form
            # a CONSTRUCT template: skip to its end
            depth, j = 1, i + 1
            while j < n and depth:
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                j += 1
            i = j
            last_word = ""
            continue
        if not c.isspace():
            last_word = ""
        i += 1
    return first_brace, form or "SELECT"


def with_values(text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with ``BIND(value AS ?name)`` for each of ``bindings`` first in its outermost WHERE group
    (for endpoints; the embedded store takes substitutions instead).

    BIND at the start of a group joins one solution holding the values with the rest of the group,
    as a one-row VALUES block there would; Virtuoso 7 hangs on some queries with such a VALUES block
    (regression test: test_queries_on_servers.py::test_virtuoso_search_with_a_bound_text_answers).
    The values are written by pyoxigraph's term serialisation (escaped N-Triples syntax), so they
    can only ever be data."""
    if not bindings:
        return text
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ParamError(f"bad parameter name {name!r}")
    at = _outer_where_brace(text) + 1
    binds = "".join(f"\n  BIND({v} AS ?{k})" for k, v in bindings.items())
    return f"{text[:at]}{binds}\n{text[at:]}"


# ------------------------------------------------------------------------------------------- running

_INTEGER = frozenset(ox.NamedNode(XSD + t) for t in ("integer", "int", "long", "nonNegativeInteger"))
_FLOAT = frozenset(ox.NamedNode(XSD + t) for t in ("decimal", "double", "float"))
_BOOLEAN = ox.NamedNode(XSD + "boolean")
_NUMBER_START = frozenset("0123456789+-.")


def _py(term) -> Any:
    """A result term as Python: IRIs and strings as str, numbers as int/float, booleans as bool.

    Only a literal whose text could be a number or a boolean has its datatype read (reading it costs
    more than the value: ~0.8 s per million terms), so most strings skip it."""
    if term is None:
        return None
    v = term.value
    if type(term) is not ox.Literal or not v or not (v[0] in _NUMBER_START or v in ("true", "false", "NaN", "INF")):
        return v
    dt = term.datatype
    try:
        if dt in _INTEGER:
            return int(v)
        if dt in _FLOAT:
            return float(v)
        if dt == _BOOLEAN:
            return v in ("true", "1")
    except ValueError:
        return v
    return v


def _json_py(b: dict | None) -> Any:
    if b is None:
        return None
    if b.get("type") == "literal" or b.get("type") == "typed-literal":
        return _py(ox.Literal(b["value"], datatype=ox.NamedNode(b["datatype"])) if b.get("datatype")
                   else ox.Literal(b["value"]))
    return b.get("value")


def open_store(path: str | Path | None = None, *, in_memory: bool = False) -> ox.Store:
    """The on-disk store, read-only (``path=None``: the default location, see store.py).

    ``in_memory=True``: a copy of it in memory instead (the copy takes a few seconds per 100,000
    quads; queries on it then run 2-4x faster: bench/results/queries.md). For sessions that run
    many queries (a notebook, ``ofsted-kg serve --in-memory``); the copy does not see later builds."""
    from .store import StoreError
    from .store import open_store as _open

    try:
        disk = _open(path, create=False, read_only=True)
    except StoreError as e:
        raise EndpointError(str(e)) from None
    if not in_memory:
        return disk
    mem = ox.Store()
    try:
        mem.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    except OSError as e:
        raise EndpointError(f"cannot read the store: {_one_line(e)}") from None
    return mem


def run_sparql(text: str, params: dict[str, Any] | None = None, *, store: ox.Store | str | Path | None = None,
               endpoint: str | None = None, types: dict[str, str] | None = None,
               hide: Iterable[str] = (), timeout: float = 120.0) -> Result:
    """Run a SELECT (or ASK) query with ``params`` bound (``types``: name -> type, default string).

    ``store``: a pyoxigraph Store or a store folder; ``endpoint``: a SPARQL endpoint URL instead."""
    types = types or {}
    bindings = {k: (v if isinstance(v, (ox.NamedNode, ox.Literal)) else to_term(v, types.get(k, "string"), k))
                for k, v in (params or {}).items()}
    hidden = set(hide) | set(bindings)
    if endpoint:
        return _run_remote(text, bindings, endpoint, hidden, timeout)
    st = store if isinstance(store, ox.Store) else open_store(store)
    try:
        res = st.query(text, use_default_graph_as_union=True,
                       substitutions={ox.Variable(k): v for k, v in bindings.items()} or None)
    except SyntaxError as e:
        raise QueryError(f"SPARQL syntax error: {_one_line(e)}") from None
    except RuntimeError as e:
        msg = _one_line(e)
        if "SELECT projection" in msg:
            msg += " (a parameter must be a variable of the SELECT clause)"
        raise QueryError(msg) from None
    except OSError as e:
        raise EndpointError(f"cannot read the store: {_one_line(e)}") from None
    if isinstance(res, ox.QueryBoolean):
        return Result(["result"], [{"result": bool(res)}])
    if not isinstance(res, ox.QuerySolutions):
        raise QueryError("only SELECT and ASK queries give rows (CONSTRUCT/DESCRIBE: use 'ofsted-kg export')")
    names = [v.value for v in res.variables]
    keep = [i for i, n in enumerate(names) if n not in hidden]
    columns = [names[i] for i in keep]
    # by position: a solution's terms come out of list() ~5x faster than by name (bench/time_query.py)
    rows = [dict(zip(columns, [_py(t[i]) for i in keep])) for t in map(list, res)]
    return Result(columns, rows)


def _one_line(e: object, limit: int = 400) -> str:
    s = " ".join(str(e).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _run_remote(text: str, bindings: dict, endpoint: str, hidden: set[str], timeout: float) -> Result:
    import urllib.error
    import urllib.parse

    from SPARQLWrapper import BASIC, JSON, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise QueryError(f"--endpoint: not an http(s) URL without user information: {endpoint.split('@')[-1]}")
    q = with_values(text, bindings)
    w = SPARQLWrapper(endpoint)
    w.setQuery(q)
    w.queryType = query_form(q)  # not SPARQLWrapper's guess, which a value like 'DROP ALL' could mislead
    w.setMethod(POST)
    w.setReturnFormat(JSON)
    w.setTimeout(int(max(1, timeout)))
    user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
    if user:
        w.setHTTPAuth(BASIC)
        w.setCredentials(user, password or "")

    def scrub(s: str) -> str:
        return s.replace(password, "***") if password and len(password) >= 3 else s

    try:
        data = w.query().convert()
    except SPARQLWrapperException as e:
        name = type(e).__name__
        if name == "QueryBadFormed":
            raise QueryError(f"{endpoint}: the endpoint rejected the query: {scrub(_one_line(e, 300))}") from None
        raise EndpointError(f"{endpoint}: {name}: {scrub(_one_line(e, 300))}") from None
    except urllib.error.HTTPError as e:
        raise EndpointError(f"{endpoint}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise EndpointError(f"{endpoint}: cannot connect: {scrub(_one_line(getattr(e, 'reason', e)))}") from None
    if isinstance(data, (bytes, str)):
        try:
            data = json.loads(data)
        except ValueError:
            raise EndpointError(f"{endpoint}: the answer is not SPARQL JSON results") from None
    if not isinstance(data, dict):
        raise EndpointError(f"{endpoint}: the answer is not SPARQL JSON results")
    if "boolean" in data:
        return Result(["result"], [{"result": bool(data["boolean"])}])
    columns = [v for v in data.get("head", {}).get("vars", []) if v not in hidden]
    rows = [{c: _json_py(b.get(c)) for c in columns} for b in data.get("results", {}).get("bindings", [])]
    return Result(columns, rows)


def run(name: str, params: dict[str, Any] | None = None, *, store: ox.Store | str | Path | None = None,
        endpoint: str | None = None, directory: str | Path | None = None, timeout: float = 120.0) -> Result:
    """Run the named query ``name`` with ``params`` (missing ones take their defaults)."""
    q = get_query(name, directory)
    bindings = bind_params(q, params)
    return run_sparql(q.text, bindings, store=store, endpoint=endpoint, timeout=timeout)


def rows(name: str, params: dict[str, Any] | None = None, **kw) -> list[dict[str, Any]]:
    """The rows of the named query ``name``: a list of dicts (see the module docstring)."""
    return run(name, params, **kw).rows
