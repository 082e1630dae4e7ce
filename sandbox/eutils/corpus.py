"""A deterministic synthetic PubMed: about 15,000 compact records built from a seed.

The review query `mesenchymal stem cell OR mesenchymal stromal cell AND liver [Title]` matches
exactly the "core" records, whose create dates ([crdt]) are laid out year by year in
CORE_BEFORE_CUTOFF (1,290 up to 2022/04/29) and CORE_AFTER_CUTOFF; everything else is a
background that must not match it (see textgen.py). Records hold only what searching and
rendering need; XML and JSON are produced on demand by render.py.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sandbox.ctgov.synth import TABLE2_NCT_IDS
from sandbox.eutils import textgen
from sandbox.eutils.index import CorpusIndex

REVIEW_QUERY = "mesenchymal stem cell OR mesenchymal stromal cell AND liver [Title]"
CUTOFF = "2022/04/29"
CUTOFF_TERM = "1800/01/01:2022/04/29[crdt]"
TODAY = "2026/11/24"  # the corpus's fixed "today": reldate and LastUpdate count from it

# Matching ("core") records per create-date year, up to and after the cut-off.
CORE_BEFORE_CUTOFF: dict[int, int] = {
    2002: 2,
    2003: 3,
    2004: 4,
    2005: 6,
    2006: 9,
    2007: 13,
    2008: 18,
    2009: 24,
    2010: 31,
    2011: 39,
    2012: 48,
    2013: 58,
    2014: 69,
    2015: 80,
    2016: 92,
    2017: 105,
    2018: 125,
    2019: 150,
    2020: 170,
    2021: 185,
    2022: 59,
}
CORE_AFTER_CUTOFF: dict[int, int] = {2022: 131, 2023: 205, 2024: 215, 2025: 225, 2026: 200}
CUTOFF_COUNT = sum(CORE_BEFORE_CUTOFF.values())  # 1,290 by construction
CURRENT_COUNT = CUTOFF_COUNT + sum(CORE_AFTER_CUTOFF.values())

# Registered trials of the paper's Table 2 (the CT.gov corpus's list): the first five get two
# articles, the rest one.
# Real trials outside the review query, linked from records the review query does not match.
OTHER_NCT_IDS = ("NCT02552212", "NCT03418623")

# Background records per create-date year (kind -> (first year, last year, base, slope)).
BACKGROUND: dict[str, tuple[int, int, int, int]] = {
    "liver": (2000, 2026, 220, 10),
    "msc_other": (2004, 2026, 20, 9),
    "other": (2000, 2026, 18, 0),
    "split_phrase": (2008, 2025, 2, 0),
}
CLINICAL_SHARE = 0.06  # of core records: clinical trials, some linked to ClinicalTrials.gov

# Approximate first PMID of each January (PMIDs grow with the create date, as in PubMed).
_PMID_ANCHORS = {
    2000: 10_600_000,
    2002: 11_750_000,
    2005: 15_630_000,
    2008: 18_160_000,
    2010: 20_040_000,
    2012: 22_200_000,
    2014: 24_380_000,
    2016: 26_700_000,
    2018: 29_290_000,
    2020: 31_880_000,
    2022: 34_980_000,
    2024: 38_160_000,
    2026: 41_400_000,
    2028: 44_600_000,
}


def ymd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def from_ymd(value: int) -> dt.date:
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def parse_slash_date(text: str) -> dt.date:
    year, month, day = (int(part) for part in text.split("/"))
    return dt.date(year, month, day)


@dataclass(slots=True)
class Article:
    """One PubMed record. Dates are yyyymmdd ints; 0 means absent."""

    pmid: int
    kind: str
    title: str
    abstract: str
    journal: int
    pub_year: int
    pub_month: int
    pub_day: int
    medline_date: str
    epub: int
    crdt: int
    mdat: int
    completed: int
    pubtypes: tuple[str, ...]
    mesh: tuple[str, ...]
    nct: tuple[str, ...] = ()

    @property
    def pdat(self) -> int:
        """The journal issue date as yyyymmdd (missing month/day count as the first)."""
        return self.pub_year * 10000 + (self.pub_month or 1) * 100 + (self.pub_day or 1)

    @property
    def pub_model(self) -> str:
        if not self.epub:
            return "Print"
        return "Electronic" if self.epub == self.pdat and self.pub_day else "Print-Electronic"

    @property
    def journal_abbrev(self) -> str:
        return textgen.JOURNALS[self.journal][1]

    def date_values(self) -> dict[str, int]:
        # edat equals crdt in this corpus (true of most real records created since 2000).
        return {
            "pdat": self.pdat,
            "epdat": self.epub,
            "edat": self.crdt,
            "crdt": self.crdt,
            "mdat": self.mdat,
        }

    def is_major(self, position: int) -> bool:
        return position < 2 and self.mesh[position] not in textgen.CHECK_TAGS


def _random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _publication_dates(rng: random.Random, created: dt.date) -> dict:
    """Journal issue date, MedlineDate and electronic date around the create date."""
    roll = rng.random()
    if roll < 0.50:  # e-published just before creation, printed weeks to months later
        epub = created - dt.timedelta(days=rng.randint(0, 4))
        issue = created + dt.timedelta(days=rng.randint(10, 150))
        day = issue.day if rng.random() < 0.5 else 0
        return dict(
            pub_year=issue.year, pub_month=issue.month, pub_day=day, medline_date="", epub=ymd(epub)
        )
    if roll < 0.72:  # print only
        issue = created + dt.timedelta(days=rng.randint(-20, 30))
        day = issue.day if rng.random() < 0.3 else 0
        return dict(
            pub_year=issue.year, pub_month=issue.month, pub_day=day, medline_date="", epub=0
        )
    if roll < 0.82:  # a two-month issue: MedlineDate "2011 Nov-Dec" or "2010 Dec-2011 Jan"
        issue = created + dt.timedelta(days=rng.randint(0, 40))
        return dict(
            pub_year=issue.year,
            pub_month=issue.month,
            pub_day=0,
            medline_date=medline_date(issue.year, issue.month),
            epub=0,
        )
    epub = created - dt.timedelta(days=rng.randint(0, 3))  # electronic only
    return dict(
        pub_year=epub.year, pub_month=epub.month, pub_day=epub.day, medline_date="", epub=ymd(epub)
    )


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def medline_date(year: int, month: int) -> str:
    if month == 12:
        return f"{year} Dec-{year + 1} Jan"
    return f"{year} {MONTHS[month - 1]}-{MONTHS[month]}"


def _pmid_floor(day: dt.date) -> int:
    """Linear interpolation between the yearly anchors."""
    years = sorted(_PMID_ANCHORS)
    low = max((y for y in years if y <= day.year), default=years[0])
    high = min((y for y in years if y > low), default=years[-1])
    start, end = dt.date(low, 1, 1), dt.date(high, 1, 1)
    share = (day - start).days / max((end - start).days, 1)
    return int(_PMID_ANCHORS[low] + share * (_PMID_ANCHORS[high] - _PMID_ANCHORS[low]))


TEXT_BY_KIND = {
    "msc_other": textgen.msc_other_text,
    "liver": textgen.liver_text,
    "split_phrase": textgen.split_phrase_text,
    "other": textgen.other_text,
}
JOURNALS_BY_KIND = {
    "core": textgen.STEM_CELL_JOURNALS + textgen.LIVER_JOURNALS,
    "msc_other": textgen.STEM_CELL_JOURNALS + textgen.GENERAL_JOURNALS,
    "liver": textgen.LIVER_JOURNALS + textgen.GENERAL_JOURNALS,
    "split_phrase": textgen.LIVER_JOURNALS,
    "other": (15, 9, 10),
}


def make_article(rng: random.Random, kind: str, created: dt.date, today: dt.date) -> Article:
    clinical = kind == "core" and rng.random() < CLINICAL_SHARE
    text = textgen.core_text(rng, clinical) if kind == "core" else TEXT_BY_KIND[kind](rng)
    return dated_article(rng, kind, clinical, text, JOURNALS_BY_KIND[kind], created, today)


def dated_article(rng: random.Random, kind: str, clinical: bool, text: tuple, journals,
                  created: dt.date, today: dt.date) -> Article:
    """A record of `kind` with its (title, abstract, MeSH) text, created on `created`: when it
    was completed and revised, its journal (one of `journals`), publication types and dates.
    Shared by every topic of the sandbox; the draws from `rng` come in a fixed order."""
    title, abstract, mesh = text
    finished = created + dt.timedelta(days=rng.randint(20, 90))
    revised = min(today, max(finished, created + dt.timedelta(days=rng.randint(1, 400))))
    return Article(
        pmid=0,
        kind=kind,
        title=title,
        abstract=abstract,
        journal=rng.choice(journals),
        crdt=ymd(created),
        mdat=ymd(max(revised, created)),
        completed=ymd(finished) if finished <= today else 0,
        pubtypes=textgen.pubtypes(rng, clinical),
        mesh=tuple(dict.fromkeys(mesh)),
        **_publication_dates(rng, created),
    )


class PubmedCorpus:
    """The records, their indexes and the knobs tests turn (translation_variant, add_articles)."""

    def __init__(self, articles: list[Article], seed: int):
        self.seed = seed
        self.today = parse_slash_date(TODAY)
        self.articles = articles
        self.by_pmid = {a.pmid: a for a in articles}
        self.index = CorpusIndex()
        self.index.add_all(articles)
        # Changes the automatic-term-mapping output (see query.py) without touching records.
        self.translation_variant = 0
        # Bumped on every change so query caches know when to forget.
        self.generation = 0
        self._rng = random.Random(seed + 1)

    @classmethod
    def build(cls, seed: int = 20220429) -> PubmedCorpus:
        rng = random.Random(seed)
        today = parse_slash_date(TODAY)
        plan = list(_core_plan(rng, today)) + list(_background_plan(rng))
        articles = [make_article(rng, kind, created, today) for kind, created in plan]
        articles.sort(key=lambda a: a.crdt)
        previous = 0
        for article in articles:  # PMIDs rise with the create date, with small gaps
            floor = _pmid_floor(from_ymd(article.crdt))
            article.pmid = max(previous + 1 + rng.randint(0, 40), floor)
            previous = article.pmid
        _link_trials(rng, articles)
        from sandbox.eutils.topic_ipsc import add_second_topic  # it builds on this module

        return cls(add_second_topic(articles, seed, today), seed)

    def get(self, pmid: int) -> Article | None:
        return self.by_pmid.get(pmid)

    def __len__(self) -> int:
        return len(self.articles)

    @property
    def databank_links(self) -> dict[str, tuple[str, ...]]:
        """PMID -> NCT ids of the records that carry a DataBankList."""
        return {str(a.pmid): a.nct for a in self.articles if a.nct}

    def split_year_pmids(self) -> list[int]:
        """Records whose electronic and journal-issue years differ (they count in both)."""
        return [a.pmid for a in self.articles if a.epub and a.epub // 10000 != a.pub_year]

    def add_articles(self, n: int, created: str, matching: bool = True) -> list[str]:
        """Append `n` records created on `created` (yyyy/mm/dd); for pipeline tests."""
        day = parse_slash_date(created)
        kind = "core" if matching else "liver"
        added = []
        for _ in range(n):
            article = make_article(self._rng, kind, day, max(self.today, day))
            article.pmid = max(self.by_pmid) + 1
            self.articles.append(article)
            self.by_pmid[article.pmid] = article
            self.index.add(article)
            added.append(str(article.pmid))
        self.generation += 1
        return added


def _core_plan(rng: random.Random, today: dt.date):
    cutoff = parse_slash_date(CUTOFF)
    for year, count in CORE_BEFORE_CUTOFF.items():
        last = min(dt.date(year, 12, 31), cutoff)
        for _ in range(count):
            yield "core", _random_day(rng, dt.date(year, 1, 1), last)
    for year, count in CORE_AFTER_CUTOFF.items():
        first = max(dt.date(year, 1, 1), cutoff + dt.timedelta(days=1))
        last = min(dt.date(year, 12, 31), today)
        for _ in range(count):
            yield "core", _random_day(rng, first, last)


def _background_plan(rng: random.Random):
    for kind, (first_year, last_year, base, slope) in BACKGROUND.items():
        for year in range(first_year, last_year + 1):
            last = min(dt.date(year, 12, 31), parse_slash_date(TODAY))
            for _ in range(base + slope * (year - first_year)):
                yield kind, _random_day(rng, dt.date(year, 1, 1), last)


def _link_trials(rng: random.Random, articles: list[Article]) -> None:
    """Give DataBankList links: Table 2 trials on core clinical records, others elsewhere."""
    cutoff = int(CUTOFF.replace("/", ""))
    eligible = [
        a
        for a in articles
        if a.kind == "core" and "Clinical Trial" in a.pubtypes and 20130601 <= a.crdt <= cutoff
    ]
    slots = [nct for i, nct in enumerate(TABLE2_NCT_IDS) for _ in range(2 if i < 5 else 1)]
    for article, nct in zip(rng.sample(eligible, len(slots)), slots, strict=True):
        article.nct = (nct,)
    for kind, nct in zip(("msc_other", "liver"), OTHER_NCT_IDS, strict=True):
        pool = [a for a in articles if a.kind == kind and a.crdt >= 20180101 and not a.nct]
        chosen = rng.choice(pool)
        chosen.nct = (nct,)
        chosen.pubtypes = tuple(sorted({*chosen.pubtypes, "Clinical Trial"}))
