"""The seeded content of the sandbox's ClinicalTrials.gov corpus, as `StudySpec`s.

- the 10 registered trials of the paper's Table 2, under their real NCT ids and facts;
- 53 synthetic MSC-liver trials first posted on or before the cut-off (63 with Table 2) and
  25 after it, all built to match "mesenchymal stem cell AND liver diseases";
- near misses that must not match (MSC for other diseases, liver drugs, non-MSC cells);
- benchmark extras (`extra_spec`), generated on demand from their index.

Every matching trial names "mesenchymal stem cells" in its summary and carries the MeSH
ancestor "Liver Diseases"; every near miss lacks at least one of the query's words.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import lru_cache

from sandbox.ctgov import corpus_data as data
from sandbox.ctgov.records import StudySpec

DEFAULT_SEED = 20220429
DATA_DATE = "2026-11-24"
CUTOFF = "2022-04-29"
EXTRA_ID_BASE = 9_000_000  # extras: NCT09xxxxxx; studies added later: NCT08xxxxxx
MAX_EXTRAS = 1_000_000

# The paper's registered Table 2 trials (10 distinct). The paper prints NCT01220492 once as
# "NCT0120492" (Zhang 2012); Zhang 2012 (n=45) and Shi 2021 (n=219) report the same trial.
TABLE2_NCT_IDS = (
    "NCT00420134",
    "NCT01220492",
    "NCT01662973",
    "NCT01729221",
    "NCT01741090",
    "NCT01560845",
    "NCT01499459",
    "NCT01875081",
    "NCT00956891",
    "NCT01218464",
)


def add_days(date: str, days: int) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def _random_date(rng: random.Random, first: str, last: str) -> str:
    span = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days
    return add_days(first, rng.randint(0, max(span, 0)))


def _sites(rng: random.Random, plan: str, sites: dict | None = None,
           no_country_from: str = "China", counts: tuple = (1, 1, 1, 2, 3)) -> list:
    """Sites for a location plan: "" none, "?" a site without country (drawn from the sites of
    `no_country_from`), "A+B" one per country, "A" one to max(counts). `sites`: each country's
    (facility, city, lat, lon), this topic's by default."""
    sites = sites or data.SITES
    if not plan:
        return []
    if plan == "?":
        facility, city, lat, lon = rng.choice(sites[no_country_from])
        return [(facility, city, None, lat, lon)]
    countries = plan.split("+")
    count = rng.choice(counts) if len(countries) == 1 else 1
    return [
        (facility, city, country, lat, lon)
        for country in countries
        for facility, city, lat, lon in rng.sample(sites[country], min(count, len(sites[country])))
    ]


_CONTROL_ARM = (
    "Control group",
    "ACTIVE_COMPARATOR",
    "Standard medical treatment only.",
    ["Drug: Standard medical treatment"],
)
_CONTROL_DRUG = (
    "DRUG",
    "Standard medical treatment",
    "Antiviral, diuretic and supportive therapy per guidelines.",
    ["Control group"],
    [],
)


def _arms(title_words: str, other_names: list, desc: str, randomized: bool) -> tuple:
    """Arm groups and interventions; the infusion route is written into both descriptions."""
    arm = f"{title_words.split(' Mesenchymal')[0]} MSC group"
    experimental = (
        arm,
        "EXPERIMENTAL",
        f"Standard medical treatment plus {desc}",
        [f"Biological: {title_words}"],
    )
    arms = [experimental, _CONTROL_ARM] if randomized else [experimental]
    cells = ("BIOLOGICAL", title_words, desc, [arm], list(other_names))
    return arms, ([cells, _CONTROL_DRUG] if randomized else [cells])


def _cell_text(
    rng: random.Random, cond: tuple, product: tuple, route: str, plan: str, randomized: bool
) -> dict:
    """The textual part of a synthetic MSC-liver trial (everything a query can search)."""
    conditions, keywords, profile, phrase = cond
    title_words, product_text, other_names = product
    sites = _sites(rng, plan)
    sponsor = sites[0][0] if sites else rng.choice(data.SITES["China"])[0]
    country = sites[0][2] if sites and sites[0][2] else "China"
    surname = rng.choice(data.SURNAMES.get(country, data.OTHER_SURNAMES))
    dose, schedule = rng.choice(data.DOSES), rng.choice(data.SCHEDULES)
    how = "given by" if route.startswith("intrasplenic") else "infused through"
    desc = f"{dose} of {product_text} {how} {route}, {schedule}."
    arms, interventions = _arms(title_words, other_names, desc, randomized)
    return {
        "conditions": list(conditions),
        "keywords": list(keywords),
        "profile": profile,
        "summary": f"This study evaluates the safety and efficacy of {product_text} in "
        f"patients with {phrase}. Cells are {how} {route}.",
        "eligibility": f"Inclusion Criteria:\n\n* Clinical diagnosis of {phrase}\n"
        "* Age 18 to 75 years\n* Child-Pugh score B or C\n\nExclusion "
        "Criteria:\n\n* Hepatocellular carcinoma or other malignancy\n"
        "* Pregnancy or lactation\n* Severe infection",
        "arms": arms,
        "interventions": interventions,
        "sites": sites,
        "sponsor": sponsor,
        "officials": [(f"{rng.choice('ABCDHJLMSWXY')}. {surname}, MD", sponsor)],
        "outcomes": [
            ("Change in MELD score", "24 weeks"),
            ("Incidence of adverse events", "48 weeks"),
        ],
        "secondary": [("Survival rate", "48 weeks"), ("Serum albumin", "24 weeks")],
        "allocation": "RANDOMIZED" if randomized else "NA",
    }


def _dates(rng: random.Random, first_post: str, status: str, data_date: str) -> dict:
    """Start, completion and last update consistent with the status and the data date."""
    waiting = status in ("NOT_YET_RECRUITING", "WITHDRAWN")
    start = add_days(first_post, rng.randint(30, 180) if waiting else -rng.randint(0, 150))
    completion = add_days(start, rng.randint(365, 1460))
    done = status in ("COMPLETED", "TERMINATED")
    if done and completion >= data_date:
        completion = add_days(data_date, -rng.randint(20, 90))
    if status == "COMPLETED":
        last = min(add_days(completion, rng.randint(30, 400)), data_date)
    elif status == "UNKNOWN":
        last = min(add_days(first_post, rng.randint(60, 700)), add_days(data_date, -800))
    else:
        last = _random_date(rng, max(first_post, add_days(data_date, -300)), data_date)
    last = max(last, first_post)
    old = first_post < "2017-01-18"
    return {
        "start": start[:7] if old else start,
        "start_actual": start <= data_date and not waiting,
        "completion": completion[:7] if old else completion,
        "completion_actual": done and completion <= data_date,
        "last_update": last,
    }


def _status_extras(status: str, rng: random.Random) -> dict:
    out: dict = {}
    if status == "UNKNOWN":
        out["last_known"] = rng.choice(("RECRUITING", "RECRUITING", "NOT_YET_RECRUITING"))
    reasons = {
        "TERMINATED": "Slow recruitment",
        "WITHDRAWN": "No participants enrolled",
        "SUSPENDED": "Cell manufacturing facility under inspection",
    }
    if status in reasons:
        out["why_stopped"] = reasons[status]
    return out


def cell_trial(
    rng: random.Random,
    nct_id: str,
    first_post: str,
    status: str,
    plan: str,
    data_date: str,
    text_rng: random.Random | None = None,
) -> StudySpec:
    """A synthetic MSC-liver trial; `text_rng` (default `rng`) decides all searchable text."""
    trng = text_rng or rng
    cond, product = trng.choice(data.CONDITIONS), trng.choice(data.PRODUCTS)
    phases = trng.choice(data.PHASE_CHOICES)
    text = _cell_text(trng, cond, product, trng.choice(data.ROUTES), plan, trng.random() < 0.4)
    phase_word = {"PHASE1": "I", "PHASE2": "II", "PHASE3": "III"}.get((phases or ["NA"])[-1])
    pattern = trng.choice(data.TITLE_PATTERNS if phase_word else data.TITLE_PATTERNS[:3])
    title = pattern.format(product=product[0], cond=cond[3], phase=phase_word)
    enrollment = 0 if status == "WITHDRAWN" else rng.randint(10, 240)
    year = first_post[:4]
    spec = StudySpec(
        nct_id=nct_id,
        org_id=f"MSC-LIV-{year}-{rng.randint(1, 999):03d}",
        brief_title=title,
        official_title=f"{title}: a Prospective, Open-label Clinical Study",
        sponsor=text.pop("sponsor"),
        status=status,
        first_post=first_post,
        phases=phases,
        enrollment=enrollment,
        enrollment_actual=status in ("COMPLETED", "TERMINATED", "WITHDRAWN"),
        **text,
        **_dates(rng, first_post, status, data_date),
        **_status_extras(status, rng),
    )
    if trng.random() < 0.08 and spec.sites:
        spec.removed_countries = [trng.choice(("Germany", "Thailand", "Czech Republic"))]
    return spec


def table2_specs(data_date: str) -> list[StudySpec]:
    """The registered Table 2 trials with the facts the paper gives (n, country, route)."""
    specs = []
    for row in data.TABLE2_ROWS:
        (
            nct,
            cond_i,
            prod_i,
            route,
            n,
            country,
            site_i,
            first_post,
            start,
            completion,
            phases,
            allocation,
            status,
            citation,
        ) = row
        rng = random.Random(nct)  # fixed by id, so these records never depend on the seed
        facility, city, lat, lon = data.SITES[country][site_i]
        spec = cell_trial(rng, nct, first_post, status, country, data_date)
        cond, product = data.CONDITIONS[cond_i], data.PRODUCTS[prod_i]
        text = _cell_text(rng, cond, product, route, country, allocation == "RANDOMIZED")
        text["sites"] = [(facility, city, country, lat, lon)]
        text["sponsor"] = facility
        text["officials"] = [(f"{citation.split(',')[0]}, MD", facility)]
        title = f"{product[0]} for {cond[3]}"
        for key, value in text.items():
            setattr(spec, key, value)
        spec.brief_title, spec.official_title = title, f"{title}: a Clinical Trial"
        spec.org_id, spec.phases, spec.enrollment = f"{nct[3:]}-MSC", phases, n
        spec.enrollment_actual, spec.start, spec.completion = True, start, completion
        spec.start_actual = spec.completion_actual = True
        spec.references, spec.removed_countries = [(None, "RESULT", citation)], []
        spec.last_known = "RECRUITING" if status == "UNKNOWN" else None
        spec.last_update = max(add_days(first_post, 1500), spec.first_post)[:10]
        specs.append(spec)
    return specs


def synthetic_id(rng: random.Random, first_post: str, used: set[str]) -> str:
    base = data.YEAR_ID_BASE[int(first_post[:4])]
    while True:
        nct = f"NCT{base + rng.randrange(200_000):08d}"
        if nct not in used:
            used.add(nct)
            return nct


def matching_specs(seed: int, data_date: str, used: set[str]) -> list[StudySpec]:
    """53 synthetic matching trials first posted by the cut-off and 25 after it."""
    rng = random.Random(seed)
    specs = []
    for plans, statuses, first, last in (
        (data.PLAN_BY_CUTOFF, data.STATUS_BY_CUTOFF, "2008-03-01", CUTOFF),
        (data.PLAN_AFTER_CUTOFF, data.STATUS_AFTER_CUTOFF, "2022-05-02", add_days(data_date, -3)),
    ):
        plans, statuses = list(plans), list(statuses)
        rng.shuffle(plans)
        rng.shuffle(statuses)
        for plan, status in zip(plans, statuses, strict=True):
            first_post = _random_date(rng, first, last)
            nct = synthetic_id(rng, first_post, used)
            spec = cell_trial(rng, nct, first_post, status, plan, data_date)
            if status == "COMPLETED" and first_post < "2021-01-01" and rng.random() < 0.6:
                pmid = str(
                    19_000_000 + (int(first_post[:4]) - 2008) * 1_500_000 + rng.randrange(900_000)
                )
                spec.references = [
                    (
                        pmid,
                        "RESULT",
                        f"{spec.officials[0][0][:-4]} et al. "
                        f"{spec.brief_title}. {int(first_post[:4]) + 2}.",
                    )
                ]
            specs.append(spec)
    return specs


def near_miss_specs(seed: int, data_date: str, used: set[str]) -> list[StudySpec]:
    """Trials that share words with the review query but must not match it."""
    rng = random.Random(seed + 1)
    statuses = ["COMPLETED", "RECRUITING", "UNKNOWN", "TERMINATED", "ACTIVE_NOT_RECRUITING"]
    style = NearMissStyle("NM", "Treatment group", (20, 300), "18 to 75", "24 weeks", "R",
                          data.PHASE_CHOICES)
    specs = []
    for row in data.NEAR_MISSES:
        first_post = _random_date(rng, "2009-01-01", add_days(data_date, -10))
        status = rng.choice(statuses)
        site = rng.choice(data.SITES[row[-1]])
        nct_id = synthetic_id(rng, first_post, used)
        specs.append(near_miss_spec(rng, row, nct_id, first_post, status, site, data_date, style,
                                    data.OTHER_SURNAMES))
    return specs


@dataclass(frozen=True)
class NearMissStyle:
    """What tells one topic's near misses from another's, beyond their data rows."""

    org_prefix: str
    arm: str
    enrollment: tuple[int, int]
    ages: str
    follow_up: str
    investigator_initial: str
    phase_choices: tuple


def near_miss_spec(rng: random.Random, row: tuple, nct_id: str, first_post: str, status: str,
                   site: tuple, data_date: str, style: NearMissStyle,
                   surnames: list[str]) -> StudySpec:
    """One near-miss trial (a data row: title, conditions, profile, intervention kind and name,
    summary, country) at one site; shared by every topic of the sandbox. The draws from `rng`
    come in a fixed order, so a seed always gives the same trial."""
    title, conditions, profile, kind, name, summary, country = row
    facility, city, lat, lon = site
    return StudySpec(
        nct_id=nct_id,
        org_id=f"{style.org_prefix}-{rng.randint(100, 999)}",
        brief_title=title,
        official_title=f"A Clinical Study of {title}",
        sponsor=facility,
        status=status,
        first_post=first_post,
        summary=summary,
        conditions=conditions,
        profile=profile,
        phases=rng.choice(style.phase_choices),
        enrollment=rng.randint(*style.enrollment),
        enrollment_actual=status != "RECRUITING",
        eligibility=f"Inclusion Criteria:\n\n* Diagnosis of {conditions[0]}\n* Age {style.ages} "
        "years\n\nExclusion Criteria:\n\n* Pregnancy or lactation",
        arms=[(style.arm, "EXPERIMENTAL", summary, [f"{kind.title()}: {name}"])],
        interventions=[(kind, name, summary, [style.arm], [])],
        outcomes=[("Incidence of adverse events", style.follow_up)],
        officials=[(f"{style.investigator_initial}. {rng.choice(surnames)}, MD", facility)],
        sites=[(facility, city, country, lat, lon)],
        **_dates(rng, first_post, status, data_date),
        **_status_extras(status, rng),
    )


def extra_id(index: int) -> str:
    """The NCT id of benchmark extra `index`: a scrambled, collision-free NCT09xxxxxx."""
    return f"NCT{EXTRA_ID_BASE + (index * 7919) % MAX_EXTRAS:08d}"


@lru_cache(maxsize=4096)
def _variant_plan(seed: int, variant: int) -> str:
    return random.Random(seed * 1009 + variant).choice(data.PLAN_AFTER_CUTOFF)


EXTRA_VARIANTS = 240  # extras share their searchable text among this many variants


def extra_variant(seed: int, index: int) -> int:
    return random.Random((seed << 20) ^ index).randrange(EXTRA_VARIANTS)


def extra_spec(seed: int, index: int, data_date: str) -> StudySpec:
    """Benchmark extra `index`: a matching trial first posted after the cut-off.

    Its searchable text depends only on its variant (so the index stores one text per
    variant); id, dates, status and enrollment come from its own generator.
    """
    rng = random.Random((seed << 20) ^ index)
    variant = rng.randrange(EXTRA_VARIANTS)
    first_post = _random_date(rng, "2022-05-01", add_days(data_date, -1))
    status = rng.choice(data.STATUS_AFTER_CUTOFF)
    text_rng = random.Random(seed * 1009 + variant)
    text_rng.choice(data.PLAN_AFTER_CUTOFF)  # consumed by _variant_plan, keep the sequence
    plan = _variant_plan(seed, variant)
    spec = cell_trial(rng, extra_id(index), first_post, status, plan, data_date, text_rng)
    if status == "COMPLETED" and spec.last_update == data_date:
        # _dates clamps a completed trial's last update to the data date: ~7.5% of the extras
        # would be updated on it, where the registry updates ~0.2% of its studies a weekday.
        # Spread those from their completion to the data date (a generator of their own, so
        # nothing else about the extra changes).
        last_rng = random.Random(f"{seed}:{index}:last_update")
        spec.last_update = _random_date(last_rng, max(spec.completion, first_post), data_date)
    return spec
