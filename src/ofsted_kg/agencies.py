"""Named organisations in a report: find, type, canonicalise; recommendation addressees."""
from __future__ import annotations


def annotate(text: str, report) -> None:
    """Fill ``report.agencies`` and each recommendation's ``addressees`` (to be written)."""
