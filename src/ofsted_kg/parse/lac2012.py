"""Layout parser for the 'lac2012' framework (to be written)."""
from __future__ import annotations

from . import common


def parse(text: str, report) -> None:
    common.fill_generic(text, report)
    report.warnings.append("lac2012 layout parser not written yet")
