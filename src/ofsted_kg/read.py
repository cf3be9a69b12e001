"""Source file -> text.

The format is decided by the bytes, never by the file name: ``%PDF-`` is a PDF (text via
pypdfium2, pages joined by form feeds), an HTML document is rejected (real downloads are
sometimes an error page saved as .pdf), anything else must be UTF-8 (or UTF-16 with a BOM)
text, from which markdown emphasis, headings and stray HTML tags are removed.
"""
from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

READABLE_SUFFIXES = {".pdf", ".txt", ".md", ".markdown", ".text"}


class ReadError(Exception):
    """A file that cannot be read as an inspection report; the message is the reason."""


@dataclass
class Document:
    path: Path
    kind: str  # "pdf" or "text"
    text: str
    sha256: str
    pages: int = 0


_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.I)


def sniff(data: bytes) -> str:
    """'pdf', 'html', 'binary' or 'text' by content."""
    head = data[:1024]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return "pdf"
    if _HTML_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"
    if b"\x00" in head:
        return "binary"
    return "text"


def read_document(path: str | Path) -> Document:
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ReadError("is a directory") from None
    except OSError as e:
        raise ReadError(e.strerror or str(e)) from None
    if not data.strip():
        raise ReadError("empty file")
    sha = hashlib.sha256(data).hexdigest()
    kind = sniff(data)
    if kind == "html":
        raise ReadError("an HTML page, not a report (a failed download saved under a report's name?)")
    if kind == "binary":
        raise ReadError("binary data that is neither PDF nor text")
    if kind == "pdf":
        text, pages = pdf_text(data)
        if not text.strip():
            raise ReadError("PDF has no extractable text (scanned images?)")
        return Document(path, "pdf", text, sha, pages)
    return Document(path, "text", clean_markup(decode_text(data)), sha)


def pdf_text(data: bytes) -> tuple[str, int]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as e:  # pdfium raises PdfiumError with the library's reason
        raise ReadError(f"not a readable PDF ({_pdfium_reason(e)})") from None
    try:
        pages = []
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            pages.append(tp.get_text_range())
            tp.close()
            page.close()
        return "\f".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in pages), len(pages)
    except Exception as e:
        raise ReadError(f"PDF text could not be extracted ({_pdfium_reason(e)})") from None
    finally:
        pdf.close()


def _pdfium_reason(e: Exception) -> str:
    msg = str(e).strip() or type(e).__name__
    return msg.splitlines()[0][:120]


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ReadError(f"not UTF-8 text (invalid byte at offset {e.start})") from None


_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.M)
_MD_RULE = re.compile(r"^[ \t]*(-{3,}|\*{3,}|_{3,})[ \t]*$", re.M)
_MD_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-*:?[ \t]*)*\|?[ \t]*$", re.M)
_MD_EMPH = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def clean_markup(text: str) -> str:
    """Remove markdown and HTML noise; keep words, line structure and table cells."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _MD_TABLE_RULE.sub("", text)
    text = _MD_RULE.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):
        text = _MD_EMPH.sub(lambda m: m.group(2) or m.group(3), text)
    return text


def iter_inputs(paths: list[str | Path]) -> list[Path]:
    """Files named, plus report files found by walking directories (sorted, recursive).

    Inside directories only files with a report-like suffix are taken, so that stray files
    (CSV sidecars, .DS_Store) are not reported as errors; files named explicitly are always tried.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in READABLE_SUFFIXES))
        else:
            out.append(p)
    return out
