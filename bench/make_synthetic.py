"""Generate synthetic parsed reports (the extract JSON layout of each framework) for the build bench.

    python bench/make_synthetic.py OUT_DIR N [--seed S]

Each report is a ``model.Report`` written as ``OUT_DIR/<source>.json``, the form ``ofsted-kg build``
accepts for parsed reports. Content is invented, varied by a seeded random generator: authorities
from the reference list, framework-appropriate dates, judgement areas and grades (adequate only in
SLAC/2012, requires improvement from SIF on), recommendations with the framework's timescales and
sections, named agencies of every type (per-area boards included) with the paragraphs that name
them, and 30-60 numbered paragraphs of invented text. Same N and seed, same files.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from ofsted_kg.model import Agency, Authority, Inspection, Judgement, Paragraph, Recommendation, Report  # noqa: E402

AREAS = {
    "slac": ["slac.safeguarding.overall-effectiveness", "slac.safeguarding.capacity-for-improvement",
             "slac.safeguarding.safe-and-feel-safe", "slac.safeguarding.quality-of-provision",
             "slac.safeguarding.health-contribution", "slac.safeguarding.ambition-and-prioritisation",
             "slac.safeguarding.leadership-and-management", "slac.safeguarding.performance-management-and-quality-assurance",
             "slac.safeguarding.partnership-working", "slac.safeguarding.equality-and-diversity",
             "slac.looked-after.overall-effectiveness", "slac.looked-after.capacity-for-improvement",
             "slac.looked-after.being-healthy", "slac.looked-after.staying-safe", "slac.looked-after.enjoying-and-achieving",
             "slac.looked-after.positive-contribution", "slac.looked-after.economic-well-being",
             "slac.looked-after.quality-of-provision", "slac.looked-after.ambition-and-prioritisation",
             "slac.looked-after.leadership-and-management",
             "slac.looked-after.performance-management-and-quality-assurance", "slac.looked-after.equality-and-diversity"],
    "lac2012": ["lac2012.overall-effectiveness", "lac2012.capacity-to-improve", "lac2012.outcomes",
                "lac2012.quality-of-provision", "lac2012.leadership-and-management"],
    "sif": ["sif.overall-effectiveness", "sif.help-and-protection", "sif.looked-after-and-permanence",
            "sif.adoption-performance", "sif.care-leavers", "sif.leadership-management-and-governance",
            "sif.lscb-effectiveness"],
    "ilacs": ["ilacs.overall-effectiveness", "ilacs.impact-of-leaders", "ilacs.help-and-protection",
              "ilacs.children-in-care", "ilacs.care-leavers"],
}
YEARS = {"slac": (2009, 2012), "lac2012": (2012, 2013), "sif": (2013, 2018), "ilacs": (2018, 2026)}
GRADES = {"slac": ["outstanding", "good", "adequate", "inadequate"], "lac2012": ["outstanding", "good", "adequate", "inadequate"],
          "sif": ["outstanding", "good", "requires-improvement", "inadequate"],
          "ilacs": ["outstanding", "good", "requires-improvement", "inadequate"]}
TIMESCALES = {"slac": ["immediately", "within-3-months", "within-6-months"], "lac2012": ["immediately", "within-3-months"],
              "sif": ["immediately", None], "ilacs": [None]}
SECTIONS = {"slac": ["safeguarding", "looked-after"], "lac2012": ["looked-after"], "sif": ["local-authority", "lscb"],
            "ilacs": [None]}
THEMES = ["casework", "management-oversight", "performance-and-quality-assurance", "multi-agency-working", "workforce",
          "voice-and-participation", "health", "education", "accommodation-and-sufficiency", "care-leavers",
          "missing-exploitation-and-abuse", "governance-and-leadership", "equality-and-diversity", "disabled-children"]
WORDS = ("children young people social workers managers plans assessments visits partners police health schools "
         "carers families placements reviews audits leaders board council services practice risk support timely "
         "quality oversight supervision records outcomes progress education care leavers pathway").split()


def authorities() -> list[tuple[str, str]]:
    import pyoxigraph as ox

    from ofsted_kg.resources import resource_dir

    store = ox.Store()
    store.load(path=str(resource_dir("reference") / "authorities.ttl"), format=ox.RdfFormat.TURTLE)
    rows = store.query("""SELECT ?l ?t WHERE { ?a a <https://w3id.org/ofsted-kg/ontology#LocalAuthority> ;
        <http://www.w3.org/2004/02/skos/core#prefLabel> ?l . OPTIONAL { ?a <https://w3id.org/ofsted-kg/ontology#authorityType> ?t } } ORDER BY ?l""")
    return [(r["l"].value, r["t"].value if r["t"] else "") for r in rows]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_report(i: int, rng: random.Random, las: list[tuple[str, str]]) -> Report:
    fw = rng.choices(["slac", "lac2012", "sif", "ilacs"], weights=[3, 1, 4, 6])[0]
    name, la_type = rng.choice(las)
    y0, y1 = YEARS[fw]
    year = rng.randint(y0, y1)
    month, day = rng.randint(1, 12), rng.randint(1, 16)
    start = f"{year}-{month:02d}-{day:02d}"
    end = f"{year}-{month:02d}-{day + rng.randint(4, 11):02d}"
    pub_month = month % 12 + 1
    published = f"{year + (month == 12)}-{pub_month:02d}-{rng.randint(1, 28):02d}"
    paragraphs = []
    heading = None
    for n in range(1, rng.randint(30, 60) + 1):
        if n % 8 == 1:
            heading = sentence(rng, 3)[:-1]
        paragraphs.append(Paragraph(n, " ".join(sentence(rng, rng.randint(10, 25)) for _ in range(rng.randint(2, 5))), heading))
    areas = AREAS[fw] if fw != "ilacs" else rng.choice([AREAS["ilacs"], [a for a in AREAS["ilacs"][:3]] + ["ilacs.children-in-care-and-care-leavers"]])
    judgements = [Judgement(a, rng.choice(GRADES[fw]), rng.choice(["summary-table", "heading"]), rng.randint(1, len(paragraphs)))
                  for a in areas]
    official = f"{name} {'County ' if la_type == 'County' else ''}Council"
    kinds = [("Constabulary", "police"), ("NHS Foundation Trust", "nhs-trust"), ("Clinical Commissioning Group", "clinical-commissioning-group"),
             ("Safeguarding Children Board", "safeguarding-board"), ("Safeguarding Children Partnership", "safeguarding-partnership"),
             ("Integrated Care Board", "integrated-care-board"), ("Youth Offending Service", "local-authority"),
             ("Family Action Trust", "voluntary"), ("Probation Trust", "probation"), ("Primary Care Trust", "primary-care-trust")]
    agencies = []
    for suffix, typ in rng.sample(kinds, rng.randint(2, len(kinds))):
        owner = name if rng.random() < 0.7 else rng.choice(las)[0]
        aname = f"{owner} {suffix}"
        agencies.append(Agency(aname, typ, [suffix.lower()], rng.randint(1, 9),
                               sorted(rng.sample(range(1, len(paragraphs) + 1), rng.randint(1, 4)))))
    agencies.append(Agency("Local Safeguarding Children Board", "safeguarding-board", ["LSCB"], rng.randint(1, 5), [1]))
    agencies.append(Agency("Care Quality Commission", "inspectorate", [], 1, []))
    recs = []
    for k in range(rng.randint(3, 14)):
        who = [rng.choice(agencies).name] if rng.random() < 0.3 else []
        recs.append(Recommendation(sentence(rng, rng.randint(12, 30)), rng.choice(TIMESCALES[fw]), rng.choice(SECTIONS[fw]),
                                   who, rng.sample(THEMES, rng.randint(1, 3)), rng.randint(1, len(paragraphs))))
    source = f"synthetic_{i:05d}_{fw}_{name.lower().replace(' ', '-').replace(',', '')}_{start}.json"
    return Report(source=source, framework=fw, authority=Authority(name, official),
                  inspection=Inspection(start, end, published, f"Inspector {rng.choice(WORDS).title()} {rng.randint(1, 60)}"),
                  inspection_type=rng.choice([None, "standard", "short"]) if fw == "ilacs" else None,
                  judgements=judgements, recommendations=recs, agencies=agencies, paragraphs=paragraphs)


def generate(out: Path, n: int, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    las = authorities()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    seen: set[tuple[str, str, str]] = set()
    for i in range(n):
        r = make_report(i, rng, las)
        # one inspection per authority, framework and start date: two reports of the same inspection
        # with different grades would be a data error (duplicate-judgement-violation), so draw again
        while (r.authority.name, r.framework, r.inspection.start_date) in seen:
            r = make_report(i, rng, las)
        seen.add((r.authority.name, r.framework, r.inspection.start_date))
        p = out / r.source
        p.write_text(json.dumps(r.to_dict(), ensure_ascii=False), encoding="utf-8")
        paths.append(p)
    return paths


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    print(f"wrote {len(generate(a.out, a.n, a.seed))} reports to {a.out}")
