"""The parsed report: plain dataclasses that serialise to the JSON contract.

The contract is ``extract.schema.json`` (kept in ../shared/spec and copied into
``src/ofsted_kg/data/reference`` for tests that need it without ../shared). Fields beyond the
contract (``paragraph`` on recommendations, ``paragraphs`` on agencies) carry provenance to
the RDF mapping; the schema allows extra properties.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FRAMEWORKS = ("slac", "lac2012", "sif", "ilacs", "unknown")
GRADES = ("outstanding", "good", "adequate", "requires-improvement", "inadequate")
TIMESCALES = ("immediately", "within-3-months", "within-6-months")
SECTIONS = ("safeguarding", "looked-after", "local-authority", "lscb")


@dataclass
class Authority:
    name: str
    official_name: str | None = None


@dataclass
class Inspection:
    start_date: str | None = None  # ISO yyyy-mm-dd
    end_date: str | None = None
    published_date: str | None = None
    lead_inspector: str | None = None


@dataclass
class Judgement:
    area: str
    grade: str
    evidence: str | None = None  # where the grade was read: summary-table, heading, sentence, ...
    paragraph: int | None = None  # first numbered paragraph under the judgement's heading


@dataclass
class Recommendation:
    text: str
    timescale: str | None = None
    section: str | None = None
    addressees: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    paragraph: int | None = None  # numbered paragraph the item stands in, where there is one


@dataclass
class Agency:
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    mentions: int = 1
    paragraphs: list[int] = field(default_factory=list)  # numbered paragraphs that name it


@dataclass
class Paragraph:
    number: int
    text: str
    heading: str | None = None


@dataclass
class Report:
    source: str
    framework: str
    authority: Authority
    inspection: Inspection = field(default_factory=Inspection)
    inspection_type: str | None = None
    judgements: list[Judgement] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    sha256: str | None = None  # of the source file's bytes; not part of the JSON contract

    def to_dict(self, *, with_paragraphs: bool = True) -> dict[str, Any]:
        d = asdict(self)
        d.pop("sha256", None)
        if not with_paragraphs:
            d.pop("paragraphs", None)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Report":
        return cls(
            source=d["source"],
            framework=d["framework"],
            authority=Authority(**d["authority"]),
            inspection=Inspection(**d.get("inspection", {})),
            inspection_type=d.get("inspection_type"),
            judgements=[Judgement(**j) for j in d.get("judgements", [])],
            recommendations=[Recommendation(**r) for r in d.get("recommendations", [])],
            agencies=[Agency(**a) for a in d.get("agencies", [])],
            warnings=list(d.get("warnings", [])),
            paragraphs=[Paragraph(**p) for p in d.get("paragraphs", [])],
            sha256=d.get("sha256"),
        )
