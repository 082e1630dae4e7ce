"""The second topic's ClinicalTrials.gov trials, as `StudySpec`s (constants: second_topic.py).

- 19 iPSC-cardiomyocyte heart-failure trials first posted 2018-01-02 .. 2024-06-30 (one on
  the cut-off day itself) and 5 after it (one the day after), all built to match
  `query.term=induced pluripotent stem cell AND heart failure`: each summary names induced
  pluripotent stem cells and "heart failure" (conditions, MeSH or only the summary);
- 9 near misses that share words with that query and lack at least one of them.

Nothing here says "liver", so no trial of this topic matches the default review's query, and
the default corpus's trials lack "pluripotent". NCT ids come from the free band
above each year's synthetic band (`synth.synthetic_id` draws base..base+200,000 per year), so
they never collide with the default topic's ids, whatever the seed. Seeded from
`(seed, "ipsc")`: the default topic's generators and records are untouched.
"""

from __future__ import annotations

import random
from pathlib import Path

from sandbox.ctgov import synth
from sandbox.ctgov import topic_ipsc_data as data
from sandbox.ctgov.corpus_data import OTHER_SURNAMES, YEAR_ID_BASE
from sandbox.ctgov.records import StudySpec
from sandbox.second_topic import SECOND_TOPIC_CUTOFF

CUTOFF = SECOND_TOPIC_CUTOFF
FIRST_POSTS = ("2018-01-02", CUTOFF, synth.add_days(CUTOFF, 1))  # first, on, after the cut-off
_SYNTH_BAND = 200_000  # synth.synthetic_id's range above each year's base
_ADDED_ID_BASE = 8_000_000  # CtgovCorpus.add_matching_study's ids start here
_RESERVED = set(synth.TABLE2_NCT_IDS) | {
    path.stem for path in (Path(__file__).resolve().parent.parent / "data/ctgov_real").glob("*")
}


def topic_id(rng: random.Random, first_post: str, used: set[str]) -> str:
    """An NCT id of the year's band above the default topic's (2008-2026 only)."""
    year = int(first_post[:4])
    low = YEAR_ID_BASE[year] + _SYNTH_BAND
    high = YEAR_ID_BASE.get(year + 1, _ADDED_ID_BASE)
    while True:
        nct = f"NCT{low + rng.randrange(high - low):08d}"
        if nct not in used and nct not in _RESERVED:
            used.add(nct)
            return nct


def _sites(rng: random.Random, plan: str) -> list:
    """Sites for a location plan (see topic_ipsc_data.PLAN_BY_CUTOFF)."""
    return synth._sites(rng, plan, data.SITES, no_country_from="Japan", counts=(1, 1, 2, 3))


def _arms(product: tuple, desc: str, randomized: bool) -> tuple[list, list]:
    title_words, _, other_names = product
    arm = f"{title_words} group"
    experimental = (arm, "EXPERIMENTAL", desc, [f"Biological: {title_words}"])
    cells = ("BIOLOGICAL", title_words, desc, [arm], list(other_names))
    if not randomized:
        return [experimental], [cells]
    control = (
        "Control group",
        "SHAM_COMPARATOR",
        "Sham procedure plus guideline-directed medical therapy.",
        ["Other: Guideline-directed medical therapy"],
    )
    therapy = (
        "OTHER",
        "Guideline-directed medical therapy",
        "Beta blocker, renin-angiotensin inhibitor, mineralocorticoid antagonist and SGLT2 "
        "inhibitor per guidelines.",
        ["Control group"],
        [],
    )
    return [experimental, control], [cells, therapy]


def _text(rng: random.Random, cond: tuple, product: tuple, plan: str, randomized: bool) -> dict:
    """The searchable part of a matching trial."""
    conditions, keywords, profile, phrase = cond
    sites = _sites(rng, plan)
    sponsor = sites[0][0] if sites else rng.choice(data.SITES["Japan"])[0]
    country = sites[0][2] if sites and sites[0][2] else "Japan"
    surname = rng.choice(data.SURNAMES.get(country, OTHER_SURNAMES))
    route = rng.choice(data.ROUTES)
    desc = f"{rng.choice(data.DOSES)} of {product[1]} given by {route}."
    arms, interventions = _arms(product, desc, randomized)
    return {
        "conditions": list(conditions),
        "keywords": list(keywords),
        "profile": profile,
        "summary": f"This study evaluates the safety and efficacy of {product[1]} in patients "
        f"with {phrase}. The cells are given by {route}.",
        "eligibility": f"Inclusion Criteria:\n\n* Clinical diagnosis of {phrase}\n"
        "* Left ventricular ejection fraction of 35% or less\n* NYHA class II to IV despite "
        "optimal medical therapy\n\nExclusion Criteria:\n\n* Malignancy within 5 years\n"
        "* Pregnancy or lactation\n* Antibodies against the donor's HLA antigens",
        "arms": arms,
        "interventions": interventions,
        "sites": sites,
        "sponsor": sponsor,
        "officials": [(f"{rng.choice('ADHKMNSTY')}. {surname}, MD, PhD", sponsor)],
        "outcomes": [
            ("Incidence of serious adverse events", "52 weeks"),
            ("Change in left ventricular ejection fraction", "26 weeks"),
        ],
        "secondary": [
            ("Change in NT-proBNP", "26 weeks"),
            ("Incidence of ventricular arrhythmias", "52 weeks"),
            ("Tumor formation on cardiac MRI", "52 weeks"),
        ],
        "allocation": "RANDOMIZED" if randomized else "NA",
    }


def ipsc_trial(
    rng: random.Random, nct_id: str, first_post: str, status: str, plan: str, data_date: str
) -> StudySpec:
    """A synthetic iPSC-cardiomyocyte heart-failure trial."""
    cond, product = rng.choice(data.CONDITIONS), rng.choice(data.PRODUCTS)
    phases = rng.choice(data.PHASE_CHOICES)
    text = _text(rng, cond, product, plan, rng.random() < 0.3)
    phase_word = {"PHASE1": "I", "PHASE2": "II"}.get(phases[-1])
    pattern = rng.choice(data.TITLE_PATTERNS if phase_word else data.TITLE_PATTERNS[:3])
    title = pattern.format(product=product[0], cond=cond[3], phase=phase_word)
    return StudySpec(
        nct_id=nct_id,
        org_id=f"IPSC-HF-{first_post[:4]}-{rng.randint(1, 999):03d}",
        brief_title=title,
        official_title=f"{title}: an Open-label, Single-center Clinical Study",
        sponsor=text.pop("sponsor"),
        status=status,
        first_post=first_post,
        phases=phases,
        enrollment=0 if status == "WITHDRAWN" else rng.randint(3, 60),
        enrollment_actual=status in ("COMPLETED", "TERMINATED", "WITHDRAWN"),
        **text,
        **synth._dates(rng, first_post, status, data_date),
        **synth._status_extras(status, rng),
    )


def _first_posts(rng: random.Random, count: int, first: str, last: str, pinned: str) -> list:
    """`count` first-post dates in [first, last], one of them `pinned` (a cut-off edge)."""
    return [pinned] + [synth._random_date(rng, first, last) for _ in range(count - 1)]


def matching_specs(seed: int, data_date: str, used: set[str]) -> list[StudySpec]:
    """19 trials first posted by the cut-off, 5 after it."""
    rng = random.Random(f"{seed}:ipsc")
    start, on_cutoff, after = FIRST_POSTS
    specs = []
    for plans, statuses, first, last, pinned in (
        (data.PLAN_BY_CUTOFF, data.STATUS_BY_CUTOFF, start, CUTOFF, on_cutoff),
        (
            data.PLAN_AFTER_CUTOFF,
            data.STATUS_AFTER_CUTOFF,
            after,
            synth.add_days(data_date, -3),
            after,
        ),
    ):
        plans, statuses = list(plans), list(statuses)
        rng.shuffle(plans)
        rng.shuffle(statuses)
        posts = _first_posts(rng, len(plans), first, last, pinned)
        for plan, status, first_post in zip(plans, statuses, posts, strict=True):
            nct = topic_id(rng, first_post, used)
            specs.append(ipsc_trial(rng, nct, first_post, status, plan, data_date))
    return specs


def near_miss_specs(seed: int, data_date: str, used: set[str]) -> list[StudySpec]:
    """Trials sharing words with the second topic's query that must not match it."""
    rng = random.Random(f"{seed}:ipsc:near")
    statuses = ["COMPLETED", "RECRUITING", "UNKNOWN", "ACTIVE_NOT_RECRUITING"]
    style = synth.NearMissStyle("NM-HF", "Study group", (5, 400), "20 to 75", "52 weeks", "K",
                                data.PHASE_CHOICES)
    specs = []
    for row in data.NEAR_MISSES:
        first_post = synth._random_date(rng, "2016-01-01", synth.add_days(data_date, -10))
        status = rng.choice(statuses)
        site = rng.choice(data.SITES[row[-1]])
        nct_id = topic_id(rng, first_post, used)
        specs.append(synth.near_miss_spec(rng, row, nct_id, first_post, status, site, data_date,
                                          style, data.SURNAMES[row[-1]]))
    return specs


def topic_specs(seed: int, data_date: str) -> tuple[list[StudySpec], list[StudySpec]]:
    """(the second topic's matching trials, its near misses)."""
    used: set[str] = set()
    return matching_specs(seed, data_date, used), near_miss_specs(seed, data_date, used)


def topic_trial_ids(seed: int = synth.DEFAULT_SEED) -> list[tuple[str, str]]:
    """(NCT id, first post date) of the trials built to match the second topic's query."""
    return [(spec.nct_id, spec.first_post) for spec in topic_specs(seed, synth.DATA_DATE)[0]]
