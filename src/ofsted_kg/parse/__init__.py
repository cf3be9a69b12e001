"""Text -> parsed :class:`~ofsted_kg.model.Report`.

``parse_text`` recognises the layout (framework) from the title block and hands the text to
that framework's module. Each module exposes ``parse(text, report) -> None`` that fills the
report in place. Agencies and addressees are found by :mod:`ofsted_kg.agencies` after the
framework module, the same way for every framework.
"""
from __future__ import annotations

import re

from ..model import Authority, Report
from . import common

# Title phrases in the first part of a report, most specific first.
_DETECT = [
    ("sif", re.compile(r"review of the effectiveness of the local safeguarding children\s+board", re.I)),
    ("sif", re.compile(r"inspection of services for children in need of help\s+and\s+protection", re.I)),
    ("ilacs", re.compile(r"inspection of (?:.{0,80}?\s)?local\s+authority\s+children[’']s\s+services", re.I)),
    ("ilacs", re.compile(r"inspection of children[’']s\s+social\s+care\s+services", re.I)),
    ("lac2012", re.compile(r"inspection of looked\s+after\s+children\s+services", re.I)),
    ("slac", re.compile(r"inspection of safeguarding and looked\s+after\s+children\s+services", re.I)),
]


def detect_framework(text: str) -> str:
    head = common.flatten(text[:4000])
    best = None
    for fw, rx in _DETECT:
        m = rx.search(head)
        if m and (best is None or m.start() < best[1]):
            best = (fw, m.start())
    return best[0] if best else "unknown"


def parse_text(text: str, source: str) -> Report:
    from . import ilacs, lac2012, sif, slac
    from .. import agencies

    text = common.normalise(text)
    framework = detect_framework(text)
    report = Report(source=source, framework=framework, authority=Authority(name=""))
    modules = {"slac": slac, "lac2012": lac2012, "sif": sif, "ilacs": ilacs}
    if framework == "unknown":
        report.warnings.append("not a report layout this parser knows (SLAC, 2012 looked after children, SIF, ILACS)")
        common.fill_generic(text, report)
    else:
        modules[framework].parse(text, report)
    agencies.annotate(text, report)
    from .. import themes
    themes.annotate(report)
    return report
