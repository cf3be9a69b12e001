"""Bad input: one line per rejected file on stderr (FILE: reason), exit 2, no traceback, others still out."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ofsted_kg.cli import main
from ofsted_kg.read import ReadError, read_document, sniff
from pdfmaker import text_to_pdf

# Invented: a minimal report in the ILACS title layout (no real report's text).
TINY_REPORT = """Inspection of Examplebury local authority children's services
Inspection dates: 3 to 14 March 2025
Lead inspector: Alex Example, His Majesty's Inspector
Judgement Grade
Overall effectiveness Good
"""


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def good(tmp_path):
    p = tmp_path / "good.txt"
    p.write_text(TINY_REPORT)
    return p


def assert_one_line_error(err, path, reason_part):
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{path}: "), lines[0]
    assert reason_part in lines[0].lower()
    assert "Traceback" not in err


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty"),
    ("blank.md", b"  \n\n", "empty"),
    ("random.pdf", bytes(range(256)) * 8, "binary"),
    ("error-page.pdf", b"<!DOCTYPE html>\n<html><head><title>404</title></head><body>Not found</body></html>", "html"),
    ("latin1.txt", "Inspection caf\u00e9 r\u00e9sum\u00e9".encode("latin-1"), "utf-8"),
    ("shopping.txt", b"Eggs, flour, milk and sugar.\nBake for 40 minutes.\n", "no inspection report"),
])
def test_bad_file_rejected(tmp_path, capsys, name, content, reason):
    p = tmp_path / name
    p.write_bytes(content)
    code, out, err = run(["extract", str(p)], capsys)
    assert code == 2
    assert out == ""
    assert_one_line_error(err, p, reason)


def test_truncated_pdf_rejected(tmp_path, capsys):
    data = text_to_pdf(TINY_REPORT * 20)
    p = tmp_path / "truncated.pdf"
    p.write_bytes(data[: len(data) // 3])
    code, out, err = run(["extract", str(p)], capsys)
    assert code == 2
    assert_one_line_error(err, p, "pdf")


def test_real_pdf_is_read(tmp_path, capsys):
    p = tmp_path / "named-as-text.txt"  # format decided by bytes, not name
    p.write_bytes(text_to_pdf(TINY_REPORT))
    code, out, err = run(["extract", str(p)], capsys)
    assert code == 0, err
    d = json.loads(out)
    assert d["framework"] == "ilacs"
    assert read_document(p).kind == "pdf"


def test_directory_with_a_mix(tmp_path, capsys, good):
    sub = tmp_path / "nested" / "deeper"
    sub.mkdir(parents=True)
    (sub / "report.pdf").write_bytes(text_to_pdf(TINY_REPORT))
    (tmp_path / "nested" / "broken.pdf").write_bytes(b"<html><body>error</body></html>")
    (tmp_path / "nested" / "empty.md").write_bytes(b"")
    (tmp_path / "nested" / "notes.csv").write_text("a,b\n")  # not a report suffix: not walked
    code, out, err = run(["extract", str(tmp_path)], capsys)
    assert code == 2
    sources = sorted(json.loads(l)["source"] for l in out.splitlines())
    assert sources == ["good.txt", "report.pdf"]
    errs = sorted(l.split(": ", 1)[0] for l in err.splitlines())
    assert errs == sorted([str(tmp_path / "nested" / "broken.pdf"), str(tmp_path / "nested" / "empty.md")])


def test_missing_file(tmp_path, capsys):
    p = tmp_path / "nope.pdf"
    code, out, err = run(["extract", str(p)], capsys)
    assert code == 2
    assert_one_line_error(err, p, "no such file")


def test_usage_error_exit_code(capsys):
    with pytest.raises(SystemExit) as e:
        main(["extract", "--format", "xml", "x"])
    assert e.value.code == 64


def test_sniff():
    assert sniff(b"%PDF-1.7\n...") == "pdf"
    assert sniff(b"\xef\xbb\xbf<!doctype html><html>") == "html"
    assert sniff(b"plain words") == "text"
    with pytest.raises(ReadError):
        read_document(os.devnull)


def test_console_script_no_traceback(tmp_path):
    p = tmp_path / "r.bin"
    p.write_bytes(os.urandom(64) + b"\x00")
    proc = subprocess.run([sys.executable, "-m", "ofsted_kg.cli", "extract", str(p)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.startswith(str(p) + ": ")
