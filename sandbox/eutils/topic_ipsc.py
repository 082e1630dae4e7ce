"""The second topic's PubMed records, merged into the default corpus (constants: second_topic.py).

`PubmedCorpus.build` calls `add_second_topic` once the default records have their PMIDs, so
those records, their PMIDs and their order are exactly what they were without this topic.

- "ipsc_core" records match `induced pluripotent stem cell AND heart failure`, laid out by
  create date ([crdt]) in CORE_BEFORE_CUTOFF (276 up to 2024/06/30, one created on that day)
  and CORE_AFTER_CUTOFF (96 more, one created the day after);
- "ipsc_other", "hf_other" and "ipsc_split" are this topic's near misses (topic_ipsc_text.py);
- a few clinical-trial records carry DataBankList links to this topic's CT.gov trials.

PMIDs: each record gets a PMID after every default record created on or before its create day
and before the first created later (a few above the day's last one, as PubMed numbers), so
PMIDs still rise with the create date and never collide with the default topic's.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterator

from sandbox.ctgov.topic_ipsc import topic_trial_ids
from sandbox.eutils import textgen
from sandbox.eutils import topic_ipsc_text as text
from sandbox.eutils.corpus import Article, _random_day, dated_article, ymd
from sandbox.second_topic import SECOND_TOPIC_CUTOFF

CUTOFF = SECOND_TOPIC_CUTOFF.replace("-", "/")  # 2024/06/30
# Matching records per create-date year, up to and after the cut-off.
CORE_BEFORE_CUTOFF: dict[int, int] = {
    2008: 1, 2009: 2, 2010: 3, 2011: 4, 2012: 6, 2013: 8, 2014: 10, 2015: 13, 2016: 16,
    2017: 19, 2018: 22, 2019: 25, 2020: 28, 2021: 31, 2022: 34, 2023: 36, 2024: 18,
}  # fmt: skip
CORE_AFTER_CUTOFF: dict[int, int] = {2024: 20, 2025: 40, 2026: 36}
CUTOFF_COUNT = sum(CORE_BEFORE_CUTOFF.values())  # 276
CURRENT_COUNT = CUTOFF_COUNT + sum(CORE_AFTER_CUTOFF.values())  # 372
# Near misses per create-date year (kind -> (first year, last year, base, slope)).
BACKGROUND: dict[str, tuple[int, int, int, int]] = {
    "ipsc_other": (2008, 2026, 6, 0),
    "hf_other": (2008, 2026, 8, 0),
    "ipsc_split": (2010, 2025, 2, 0),
}
CLINICAL_SHARE = 0.06  # of matching records: clinical trials, a few linked to CT.gov
LINKED_TRIALS = 4  # this topic's earliest CT.gov trials get DataBankList links (the first two)
TEXT_BY_KIND = {
    "ipsc_other": text.ipsc_other_text,
    "hf_other": text.hf_other_text,
    "ipsc_split": text.ipsc_split_text,
}
_JOURNAL_AT = {iso: i for i, (_, iso, _, _) in enumerate(textgen.JOURNALS)}
_OFFSETS = [0] + [d * s for d in range(1, 31) for s in (1, -1)]  # days tried around a wish

Plan = tuple[dt.date, str, dt.date, dt.date]  # wished create day, kind, window first, last


def _day(text_date: str) -> dt.date:
    return dt.date.fromisoformat(text_date.replace("/", "-"))


def _core_window(year: int, after: bool, today: dt.date) -> tuple[dt.date, dt.date]:
    """The create days of a year's matching records, by or after the cut-off."""
    cutoff = _day(CUTOFF)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if after:
        return max(first, cutoff + dt.timedelta(days=1)), min(last, today)
    return first, min(last, cutoff)


def _core_plan(rng: random.Random, today: dt.date) -> Iterator[Plan]:
    cutoff = _day(CUTOFF)
    for counts, after in ((CORE_BEFORE_CUTOFF, False), (CORE_AFTER_CUTOFF, True)):
        for year, count in counts.items():
            first, last = _core_window(year, after, today)
            for i in range(count):
                # the cut-off's edges: one record created on the cut-off day, one the day after
                pinned = year == cutoff.year and i == 0
                wish = (first if after else last) if pinned else _random_day(rng, first, last)
                yield wish, "ipsc_core", first, last


def _background_plan(rng: random.Random, today: dt.date) -> Iterator[Plan]:
    for kind, (first_year, last_year, base, slope) in BACKGROUND.items():
        for year in range(first_year, last_year + 1):
            first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
            for _ in range(base + slope * (year - first_year)):
                yield _random_day(rng, first, last), kind, first, last


def _place(
    rng: random.Random, plan: Plan, existing: tuple[list[int], list[int]], previous: tuple
) -> tuple[dt.date, int]:
    """(create day, PMID) for a planned record: the wished day or the nearest in its window
    with room, after `previous` (the topic's last placed (ymd, PMID))."""
    wish, _, first, last = plan
    crdts, pmids = existing
    for offset in _OFFSETS:
        day = wish + dt.timedelta(days=offset)
        key = ymd(day)
        if not first <= day <= last or key < previous[0]:
            continue
        at = bisect.bisect_right(crdts, key)  # the first default record created later
        low = max(pmids[at - 1] if at else 0, previous[1])
        high = pmids[at] if at < len(pmids) else low + 42
        if high - low >= 2:
            return day, low + 1 + rng.randrange(min(41, high - low - 1))
    raise RuntimeError(f"no free PMID near {wish} for the second topic")


def _article(rng: random.Random, kind: str, created: dt.date, today: dt.date) -> Article:
    clinical = kind == "ipsc_core" and rng.random() < CLINICAL_SHARE
    body = text.ipsc_core_text(rng, clinical) if kind == "ipsc_core" else TEXT_BY_KIND[kind](rng)
    journals = [_JOURNAL_AT[at] for at in text.JOURNALS_BY_KIND[kind]]
    return dated_article(rng, kind, clinical, body, journals, created, today)


def _link_trials(rng: random.Random, articles: list[Article], seed: int) -> None:
    """DataBankList links from clinical matching records to this topic's CT.gov trials,
    each record created at least half a year after its trial was first posted."""
    trials = sorted(topic_trial_ids(seed), key=lambda trial: trial[1])[:LINKED_TRIALS]
    for i, (nct, first_post) in enumerate(trials):
        since = ymd(_day(first_post) + dt.timedelta(days=180))
        pool = [
            a
            for a in articles
            if a.kind == "ipsc_core"
            and "Clinical Trial" in a.pubtypes
            and a.crdt >= since
            and not a.nct
        ]
        for article in rng.sample(pool, min(len(pool), 2 if i < 2 else 1)):
            article.nct = (nct,)


def add_second_topic(articles: list[Article], seed: int, today: dt.date) -> list[Article]:
    """The default records (sorted by PMID, numbered) plus this topic's, sorted by PMID."""
    rng = random.Random(f"{seed}:ipsc")
    plans = sorted([*_core_plan(rng, today), *_background_plan(rng, today)])
    existing = ([a.crdt for a in articles], [a.pmid for a in articles])
    previous = (0, 0)
    topic = []
    for plan in plans:
        day, pmid = _place(rng, plan, existing, previous)
        article = _article(rng, plan[1], day, today)
        article.pmid, previous = pmid, (article.crdt, pmid)
        topic.append(article)
    _link_trials(rng, topic, seed)
    return sorted(articles + topic, key=lambda a: a.pmid)
