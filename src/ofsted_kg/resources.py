"""Where the packaged resources (ontology, shapes, queries, data files) live.

In a source checkout they are the top-level folders of the repository; in an installed
wheel they are copied into ``ofsted_kg/data`` by ``setup.py``.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


def resource_dir(name: str) -> Path:
    """The folder ``name`` ('ontology', 'shapes', 'queries', 'reference', ...)."""
    packaged = DATA_DIR / name
    if packaged.is_dir():
        return packaged
    checkout = PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"resource folder {name!r} not found in {DATA_DIR} or {checkout}")
