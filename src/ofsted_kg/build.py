"""Build the knowledge graph: read -> parse -> map -> validate (in worker processes) -> store.

Each input file becomes one report graph. Workers read, parse, map and validate; the main process
owns the store and writes each valid graph in one transaction. A file whose SHA-256, parser version
and mapping version match the stored graph is skipped (``force=True`` rebuilds it). A report that
fails validation is not stored (a graph stored earlier for the same file stays as it was); its
violations are returned for printing. Files that cannot be read or are no report are rejected.
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import PARSER_VERSION
from .iris import report_iri
from .model import Report
from .rdf_map import MAPPING_VERSION, map_report
from .read import ReadError, iter_inputs, read_document
from .validate import Result, engine_name, validate_triples


@dataclass
class Work:
    """What a worker returns for one file."""

    path: str
    iri: str
    ntriples: str | None = None
    error: str | None = None
    validation: Result | None = None
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    triples: int = 0


@dataclass
class BuildSummary:
    stored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    invalid: list[Work] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    mapping_warnings: list[tuple[str, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    triples: int = 0


def parse_document(doc, name: str):
    """Parsed report of a read document, as :func:`ofsted_kg.extract.extract_file` makes it."""
    from .extract import _OFSTED_SIGNS, NotAReport
    from .parse import parse_text

    report = parse_text(doc.text, name)
    report.sha256 = doc.sha256
    if report.framework == "unknown" and not _OFSTED_SIGNS.search(doc.text[:20000]):
        raise NotAReport("no inspection report: no Ofsted inspection title, dates or judgements found")
    return report


def parsed_report_json(path: str):
    """The report of a file holding one parsed report in the extract JSON (``ofsted-kg extract`` output),
    or None when the file is something else. Its ``source`` names the report graph."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.lstrip()[:1] == b"{":
        return None
    try:
        d = json.loads(data)
    except ValueError:
        return None
    if not isinstance(d, dict) or not {"source", "framework", "authority"} <= d.keys():
        return None
    try:
        report = Report.from_dict(d)
    except (TypeError, KeyError, AttributeError) as e:
        raise ReadError(f"extract JSON that does not fit the contract ({e})") from None
    if not report.sha256:
        report.sha256 = hashlib.sha256(data).hexdigest()
    return report


def process_file(path: str, validate: bool = True, engine: str | None = None) -> Work:
    """Read, parse, map and validate one file (runs in a worker process). A file holding a parsed
    report in the extract JSON is mapped as it is. ``engine``: the SHACL engine (see
    :func:`ofsted_kg.validate.engine_name`). Stage times: ``timings`` wall, ``cpu`` this process's CPU."""
    name = Path(path).name
    w = Work(path=path, iri=report_iri(name))
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        report = parsed_report_json(path) if name.lower().endswith(".json") else None
        t1, c1 = time.perf_counter(), time.process_time()
        if report is None:
            doc = read_document(path)
            t1, c1 = time.perf_counter(), time.process_time()
            report = parse_document(doc, name)
        else:
            w.iri = report_iri(report.source)
    except OSError as e:
        w.error = e.strerror or str(e)
        return w
    except ReadError as e:
        w.error = str(e)
        return w
    except RecursionError:
        w.error = "text too deeply nested to parse"
        return w
    except Exception as e:  # noqa: BLE001 - a parser bug on one file must not stop the others
        w.error = f"the parser failed on this file ({type(e).__name__}: {e}); please report it"
        return w
    t2, c2 = time.perf_counter(), time.process_time()
    try:
        mapped = map_report(report)
        w.ntriples = mapped.ntriples()
        w.triples = len(mapped.triples)
        w.warnings = mapped.warnings
        t3, c3 = time.perf_counter(), time.process_time()
        if validate:
            w.validation = validate_triples(mapped.triples, name, base=mapped.iri, engine=engine)
    except Exception as e:  # noqa: BLE001 - e.g. a value that is no valid IRI part
        w.error = f"could not be mapped to RDF ({type(e).__name__}: {e})"
        w.ntriples = None
        return w
    t4, c4 = time.perf_counter(), time.process_time()
    w.timings = {"read": t1 - t0, "parse": t2 - t1, "map": t3 - t2, "validate": t4 - t3}
    w.cpu = {"read": c1 - c0, "parse": c2 - c1, "map": c3 - c2, "validate": c4 - c3}
    return w


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_identity(path: Path) -> tuple[str, str]:
    """(report graph IRI, SHA-256 the graph records) of an input file, without parsing a source file:
    a source file is named by its file name and hashed whole; a parsed report (extract JSON) by its
    ``source`` and its own SHA-256 when it has one."""
    if path.name.lower().endswith(".json"):
        report = parsed_report_json(str(path))
        if report is not None:
            return report_iri(report.source), report.sha256
    return report_iri(path.name), file_sha256(path)


class Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal, or when forced)."""

    def __init__(self, total: int, enabled: bool | None = None, stream=None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.counts = {"stored": 0, "unchanged": 0, "invalid": 0, "rejected": 0}

    def step(self, outcome: str, name: str = "") -> None:
        self.done += 1
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        if not self.enabled or not self.total:
            return
        width = 28
        filled = int(width * self.done / self.total)
        c = self.counts
        line = (f"\rbuild [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                f"stored {c['stored']} unchanged {c['unchanged']} invalid {c['invalid']} rejected {c['rejected']} ")
        self.stream.write(line[:160])
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.total:
            self.stream.write("\n")
            self.stream.flush()


def build(paths: list[str | Path], store, jobs: int = 1, force: bool = False, progress: bool | None = None,
          on_invalid: Callable[[Work], None] | None = None,
          on_rejected: Callable[[str, str], None] | None = None, engine: str | None = None) -> BuildSummary:
    """Build ``paths`` into the open pyoxigraph ``store`` (see the module docstring); ``engine``: the
    SHACL engine (default: :func:`ofsted_kg.validate.engine_name`)."""
    from .store import load_static, replace_graph, stored_versions, write_build_log

    engine = engine_name(engine)
    t_start = time.perf_counter()
    summary = BuildSummary()
    files = iter_inputs(paths)
    load_static(store)
    stored = stored_versions(store)
    todo: list[str] = []
    seen: dict[str, Path] = {}
    bar = Progress(len(files), progress)
    for f in files:
        try:
            iri, sha = input_identity(f)
        except (OSError, ReadError):
            iri, sha = report_iri(f.name), None
        if iri in seen:
            reason = f"same file name as {seen[iri]} (one report graph per file name); not built"
            summary.rejected.append((str(f), reason))
            if on_rejected:
                on_rejected(str(f), reason)
            bar.step("rejected")
            continue
        seen[iri] = f
        if not force and iri in stored:
            if sha is not None and stored[iri] == (sha, PARSER_VERSION, MAPPING_VERSION):
                summary.unchanged.append(str(f))
                bar.step("unchanged")
                continue
        todo.append(str(f))

    done_iris: dict[str, str] = {}

    def handle(w: Work) -> None:
        for k, v in w.timings.items():
            summary.timings[k] = summary.timings.get(k, 0.0) + v
        for k, v in w.cpu.items():
            summary.cpu[k] = summary.cpu.get(k, 0.0) + v
        if w.error:
            summary.rejected.append((w.path, w.error))
            if on_rejected:
                on_rejected(w.path, w.error)
            bar.step("rejected")
            return
        if w.iri in done_iris:
            reason = f"describes the same report ({w.iri.rsplit('/', 1)[1]}) as {done_iris[w.iri]}; not stored"
            summary.rejected.append((w.path, reason))
            if on_rejected:
                on_rejected(w.path, reason)
            bar.step("rejected")
            return
        done_iris[w.iri] = w.path
        for msg in w.warnings:
            summary.mapping_warnings.append((w.path, msg))
        if w.validation is not None and not w.validation.conforms:
            summary.invalid.append(w)
            if on_invalid:
                on_invalid(w)
            bar.step("invalid")
            return
        t, c = time.perf_counter(), time.process_time()
        replace_graph(store, w.iri, w.ntriples or "")
        summary.timings["store"] = summary.timings.get("store", 0.0) + time.perf_counter() - t
        summary.cpu["store"] = summary.cpu.get("store", 0.0) + time.process_time() - c
        summary.stored.append(w.path)
        summary.triples += w.triples
        bar.step("stored")

    try:
        if jobs <= 1 or len(todo) < 2:
            for f in todo:
                handle(process_file(f, engine=engine))
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(process_file, f, True, engine) for f in todo]
                for fut in as_completed(futures):
                    handle(fut.result())
    finally:
        bar.close()
    from . import __version__
    from .store import report_graphs

    write_build_log(store, datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                    reports=len(report_graphs(store)), stored=len(summary.stored), unchanged=len(summary.unchanged),
                    invalid=len(summary.invalid), rejected=len(summary.rejected),
                    software=f"ofsted-kg {__version__}, parser {PARSER_VERSION}, mapping {MAPPING_VERSION}")
    summary.timings["total"] = time.perf_counter() - t_start
    return summary
