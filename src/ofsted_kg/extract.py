"""Source files -> parsed reports (read, then parse), with per-file errors kept apart.

Nothing here prints: callers get ``(path, report)`` or ``(path, error)`` pairs so the CLI can
write reports to stdout and one ``FILE: reason`` line per rejected file to stderr.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .model import Report
from .parse import parse_text
from .read import ReadError, iter_inputs, read_document


class NotAReport(ReadError):
    """Readable text that is no Ofsted inspection report."""


@dataclass
class Outcome:
    path: Path
    report: Report | None = None
    error: str | None = None


_OFSTED_SIGNS = re.compile(r"ofsted|inspection|inspector|safeguarding children board", re.I)


def extract_file(path: str | Path) -> Report:
    """Parse one file; raises :class:`ReadError` with a one-line reason when it cannot."""
    doc = read_document(path)
    report = parse_text(doc.text, Path(path).name)
    report.sha256 = doc.sha256
    if report.framework == "unknown" and not _OFSTED_SIGNS.search(doc.text[:20000]):
        raise NotAReport("no inspection report: no Ofsted inspection title, dates or judgements found")
    return report


def _outcome(path: Path) -> Outcome:
    try:
        return Outcome(path, report=extract_file(path))
    except ReadError as e:
        return Outcome(path, error=str(e))
    except RecursionError:
        return Outcome(path, error="text too deeply nested to parse")


def extract_paths(paths: list[str | Path], jobs: int = 1) -> Iterator[Outcome]:
    """Outcomes for every input file (directories walked), in input order."""
    files = iter_inputs(paths)
    if jobs <= 1 or len(files) < 4:
        for f in files:
            yield _outcome(f)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_outcome, files, chunksize=2)
