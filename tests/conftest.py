"""Shared fixtures. ../shared (corpus, gold, spec) is optional: tests that need it skip with a message."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is not present (a fresh clone has no ../shared)")
    return p


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("corpus", "seeds")


@pytest.fixture
def pdf_dir() -> Path:
    return shared_path("corpus", "pdf")


@pytest.fixture
def extract_schema() -> dict:
    import json

    return json.loads(shared_path("spec", "extract.schema.json").read_text())


import sys as _sys

_sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ helpers such as pdfmaker
