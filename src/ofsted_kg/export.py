"""The graph as tidy tables: CSV files and one XLSX workbook for spreadsheet users.

Each table is the result of one named SPARQL query shipped in ``queries/table-<name>.rq`` (so the same
table can be had from any SPARQL endpoint), run on the embedded store or an endpoint:

=====================  ===================================================================================
``inspections.csv``    one row per stored inspection report: authority and its codes (Ofsted URN, DfE,
                       ONS, region), framework, dates, type, lead inspector, headline grades per line
``judgements.csv``     one row per judgement (long form): area, lines, headline flag, grade and rank
``latest.csv``         one row per authority: the grades of its latest graded inspection, in the layout of
                       Ofsted's published outcome summaries
``recommendations.csv`` one row per recommendation: text, timescale, section, addressees, themes by rank
``agencies.csv``       one row per agency named in the reports: type, other names, how often named
``agency_mentions.csv`` one row per agency named in a report, with the paragraphs naming it
=====================  ===================================================================================

Coded values come as the code (``requires-improvement``) and, in the next column, the label
(``Requires improvement to be good``); dates are ISO 8601 (``2019-04-29``); several values in one cell
are separated by ``"; "``. An inspection stored twice (say the text and the PDF of one report) gives two
rows in the per-report tables, with the same ``inspection_id`` (authority, framework and start date).

CSV files are UTF-8 (no byte-order mark) with one header row. The workbook has one sheet per table
(same columns, bold header row, filters, frozen header, dates as date cells shown as YYYY-MM-DD) and an
``about`` sheet; writing it needs openpyxl (``pip install 'ofsted-kg[xlsx]'``).
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import query


@dataclass(frozen=True)
class Table:
    name: str
    query: str
    about: str

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


TABLES: tuple[Table, ...] = (
    Table("inspections", "table-inspections", "One row per stored inspection report, with headline grades"),
    Table("judgements", "table-judgements", "One row per graded judgement (long form)"),
    Table("latest", "table-latest", "One row per authority: the grades of its latest graded inspection"),
    Table("recommendations", "table-recommendations",
          "One row per recommendation: text, timescale, section, addressees, themes (most important first)"),
    Table("agencies", "table-agencies", "One row per agency named in the reports"),
    Table("agency_mentions", "table-agency-mentions", "One row per agency named in a report"),
)


class XlsxUnavailable(Exception):
    """openpyxl is not installed, so no workbook can be written."""


def require_openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise XlsxUnavailable("writing an XLSX workbook needs the openpyxl package: "
                              "pip install 'ofsted-kg[xlsx]' (or pip install openpyxl)") from None
    return openpyxl


def fetch(store=None, endpoint: str | None = None, tables: tuple[Table, ...] = TABLES,
          timeout: float = 300.0) -> dict[str, query.Result]:
    """Run every table's query on ``store`` (a pyoxigraph Store or a store folder) or ``endpoint``."""
    if not endpoint and not hasattr(store, "query"):
        store = query.open_store(store)  # a folder, or None for the default location: opened once, read-only
    return {t.name: query.run(t.query, store=store, endpoint=endpoint, timeout=timeout) for t in tables}


def cell_text(value: Any) -> str:
    """A value as CSV text: empty for unbound, true/false for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _atomic_write(path: Path, write) -> None:
    """Write ``path`` through a temporary file in the same folder, so it is whole or untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; the result is an ordinary file
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_csv(result: query.Result, path: str | Path) -> None:
    def go(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(result.columns)
            for row in result.rows:
                w.writerow([cell_text(row.get(c)) for c in result.columns])

    _atomic_write(Path(path), go)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_XLSX_MAX = 32767  # characters in one cell


def _xlsx_value(column: str, value: Any, illegal: re.Pattern) -> Any:
    if value is None:
        return None
    if column.endswith("_date") and isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)
    if isinstance(value, str):
        value = illegal.sub("", value)  # control characters from PDF text are not allowed in XLSX
        if len(value) > _XLSX_MAX:
            value = value[: _XLSX_MAX - 1] + "\u2026"
    return value


def write_xlsx(results: dict[str, query.Result], path: str | Path, tables: tuple[Table, ...] = TABLES) -> None:
    """One workbook: an ``about`` sheet, then one sheet per table with a formatted header row."""
    openpyxl = require_openpyxl()
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    about = wb.active
    about.title = "about"
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E78")
    about.append(["sheet", "rows", "what", "query"])
    for t in tables:
        if t.name in results:
            about.append([t.name, len(results[t.name].rows), t.about, f"queries/{t.query}.rq"])
    about.append([])
    about.append(["Codes and labels come in pairs of columns; several values in one cell are separated by '; '; "
                  "inspection_id (authority/framework/start date) is the same for an inspection stored twice."])
    for sheet in [about]:
        for cell in sheet[1]:
            cell.font, cell.fill = head_font, head_fill
    about.column_dimensions["A"].width = 18
    about.column_dimensions["C"].width = 90
    about.column_dimensions["D"].width = 34

    for t in tables:
        if t.name not in results:
            continue
        res = results[t.name]
        ws = wb.create_sheet(t.name)
        ws.append(res.columns)
        widths = [len(c) for c in res.columns]
        date_cols = [i for i, c in enumerate(res.columns, 1) if c.endswith("_date")]
        for row in res.rows:
            values = [_xlsx_value(c, row.get(c), ILLEGAL_CHARACTERS_RE) for c in res.columns]
            ws.append(values)
            for i, v in enumerate(values):
                if v is not None:
                    widths[i] = max(widths[i], min(len(cell_text(v)), 60))
        for cell in ws[1]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(vertical="center")
        for col in date_cols:
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(8, w + 2)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions

    _atomic_write(Path(path), lambda tmp: wb.save(tmp))


def export_tables(tables_dir: str | Path | None = None, xlsx: str | Path | None = None, *, store=None,
                  endpoint: str | None = None, timeout: float = 300.0) -> dict[str, int]:
    """Write the CSV tables into ``tables_dir`` and/or the workbook ``xlsx``; returns rows per table.

    Raises :class:`XlsxUnavailable` before querying anything when a workbook is asked for and openpyxl
    is missing; :class:`ofsted_kg.query.EndpointError` when the store or endpoint cannot be used."""
    if xlsx is not None:
        require_openpyxl()
    results = fetch(store=store, endpoint=endpoint, timeout=timeout)
    if tables_dir is not None:
        for t in TABLES:
            write_csv(results[t.name], Path(tables_dir) / t.file_name)
    if xlsx is not None:
        write_xlsx(results, xlsx)
    return {t.name: len(results[t.name].rows) for t in TABLES}
