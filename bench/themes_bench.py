#!/usr/bin/env python3
"""Time the recommendation-theme classifier's start-up (reading the term lists, compiling patterns)
and its first pass over real recommendations, for the working tree and for an older git revision.

    python bench/themes_bench.py [--rev REV ...] [--rounds N] [--out bench/results/themes.md]

Each round runs in a fresh interpreter (so Python's own regex cache starts empty, as in a new
``ofsted-kg extract``) and reports process CPU time for ``themes.load()`` and then for assigning
themes to every recommendation of ../shared/corpus/seeds (read by the working tree's parser once, up
front). ``--rev`` takes src/ofsted_kg/themes.py as it was in that revision (the data files of the
working tree are used for both). Best of N rounds. Results (with machine and date) are printed and,
with --out, written as markdown.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location("ofsted_kg._bench_themes", sys.argv[1],
                                              submodule_search_locations=None)
mod = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = mod
spec.loader.exec_module(mod)
texts = json.load(open(sys.argv[2]))
t0 = time.process_time()
ts = mod.load()
t1 = time.process_time()
out = [ts.assign(t) for t in texts]
t2 = time.process_time()
print(json.dumps({"load": t1 - t0, "assign": t2 - t1, "themes": out}))
"""


def seed_texts() -> list[str]:
    from ofsted_kg.extract import extract_file

    seeds = ROOT.parent / "shared" / "corpus" / "seeds"
    if not seeds.is_dir():
        sys.exit("bench/themes_bench.py: ../shared/corpus/seeds is not present")
    return [r.text for p in sorted(seeds.iterdir()) if p.is_file() for r in extract_file(p).recommendations]


def module_file(rev: str | None, tmp: Path) -> Path:
    if rev is None:
        return ROOT / "src" / "ofsted_kg" / "themes.py"
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:src/ofsted_kg/themes.py"], check=True,
                          capture_output=True, text=True).stdout
    p = tmp / f"themes_{rev}.py"
    p.write_text(text.replace("from .resources import", "from ofsted_kg.resources import"), encoding="utf-8")
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", action="append", default=[], help="also time themes.py of this git revision")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    texts = seed_texts()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (tmp / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        rows, answers = [], {}
        for rev in [None, *a.rev]:
            f = module_file(rev, tmp)
            runs = []
            for _ in range(a.rounds):
                p = subprocess.run([sys.executable, "-c", CHILD, str(f), str(tmp / "texts.json")], check=True,
                                   capture_output=True, text=True, cwd=ROOT)
                runs.append(json.loads(p.stdout))
            answers[rev or "working tree"] = runs[0]["themes"]
            rows.append((rev or "working tree", min(r["load"] for r in runs), min(r["assign"] for r in runs)))
    same = len({json.dumps(v) for v in answers.values()}) == 1
    lines = [f"# themes start-up ({datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             f"Machine: {platform.machine()}, {platform.processor() or '?'}, Python {platform.python_version()}; "
             f"{len(texts)} seed recommendations; CPU seconds, best of {a.rounds} fresh interpreters.", "",
             "| themes.py | load() | assign all (first use) |", "|---|---|---|"]
    lines += [f"| {name} | {load:.3f} | {assign:.3f} |" for name, load, assign in rows]
    lines += ["", f"Same themes for every recommendation across versions: {'yes' if same else 'NO'}"]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        a.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
