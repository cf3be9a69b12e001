"""``ofsted-kg explain-themes``: each recommendation's themes with the terms that gave them."""
from __future__ import annotations

import json
import sys


def _evidence_rows(ts, text: str) -> list[dict]:
    chosen = ts.assign(text)
    rows = []
    for e in ts.explain(text):
        rows.append({"code": e.code, "score": e.score, "assigned": e.code in chosen,
                     "terms": e.terms, "patterns": e.patterns})
    return rows


def _print_item(ts, label: str, text: str, out) -> None:
    chosen = ts.assign(text)
    evidence = ts.explain(text)
    print(label, file=out)
    print(f"    themes: {', '.join(chosen)}" + ("" if evidence else "  (no term matched: fallback)"), file=out)
    width = max((len(e.code) for e in evidence), default=0)
    for e in evidence:
        mark = "*" if e.code in chosen else " "
        print(f"    {mark} {e.code:<{width}} {e.score:>5g}  {'; '.join(e.terms)}", file=out)


def _cmd_explain_themes(args) -> int:
    from . import themes
    from .cli import EXIT_OK, EXIT_REJECTED, EXIT_USAGE

    try:
        ts = themes.load(args.themes_dir) if args.themes_dir else themes.default()
    except themes.ThemeDataError as e:
        print(f"ofsted-kg: {e}", file=sys.stderr)
        return EXIT_USAGE
    if not args.paths and not args.text:
        print("ofsted-kg explain-themes: give report FILEs or --text", file=sys.stderr)
        return EXIT_USAGE
    out = sys.stdout
    records = []
    for i, text in enumerate(args.text or [], 1):
        if args.json:
            records.append({"source": None, "index": i, "text": text, "themes": ts.assign(text),
                            "evidence": _evidence_rows(ts, text)})
        else:
            _print_item(ts, f"--text {i}: {text}", text, out)
    rejected = 0
    if args.paths:
        from .extract import extract_paths

        for o in extract_paths(args.paths):
            if o.error:
                rejected += 1
                print(f"{o.path}: {o.error}", file=sys.stderr)
                continue
            recs = o.report.recommendations
            if not args.json:
                print(f"{o.path}  ({o.report.framework}, {len(recs)} recommendation{'s' if len(recs) != 1 else ''})",
                      file=out)
            for n, rec in enumerate(recs, 1):
                if args.json:
                    records.append({"source": o.report.source, "index": n, "text": rec.text,
                                    "section": rec.section, "timescale": rec.timescale,
                                    "themes": ts.assign(rec.text), "evidence": _evidence_rows(ts, rec.text)})
                else:
                    where = ", ".join(x for x in (rec.section, rec.timescale) if x)
                    _print_item(ts, f"  {n}. {'[' + where + '] ' if where else ''}{rec.text}", rec.text, out)
    if args.json:
        for r in records:
            print(json.dumps(r, ensure_ascii=False))
    return EXIT_REJECTED if rejected else EXIT_OK


def register(sub) -> None:
    p = sub.add_parser(
        "explain-themes", help="show each recommendation's themes and the terms that gave them",
        description="For every recommendation of the given reports (or for each --text), print the theme "
                    "codes assigned (marked *) and every code the text scored on, with its score and the "
                    "matched words. The terms and weights are data: data/themes/terms.csv and themes.toml "
                    "in the package; copy that folder, edit it and pass --themes-dir to try changes. "
                    "Exit 0 ok, 2 when some files were rejected (named on stderr), 64 for a bad command "
                    "line or a malformed themes folder.")
    p.add_argument("paths", nargs="*", metavar="FILE", help="report files or directories")
    p.add_argument("--text", action="append", metavar="TEXT", help="explain this recommendation text (repeatable)")
    p.add_argument("--themes-dir", metavar="DIR", help="folder with themes.toml and terms.csv (default: packaged)")
    p.add_argument("--json", action="store_true", help="one JSON object per recommendation instead of text")
    p.set_defaults(func=_cmd_explain_themes)
