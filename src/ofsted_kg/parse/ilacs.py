"""Layout parser for the 'ilacs' framework (to be written)."""
from __future__ import annotations

from . import common


def parse(text: str, report) -> None:
    common.fill_generic(text, report)
    report.warnings.append("ilacs layout parser not written yet")
