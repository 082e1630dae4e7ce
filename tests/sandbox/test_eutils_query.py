"""The PubMed query engine on the default corpus: left-to-right logic, tags, dates, ATM."""

from __future__ import annotations

import pytest

from sandbox.eutils.corpus import (
    CORE_AFTER_CUTOFF,
    CORE_BEFORE_CUTOFF,
    CUTOFF_TERM,
    REVIEW_QUERY,
    PubmedCorpus,
)
from sandbox.eutils.query import QueryEngine, QueryError, parse

MSC = "mesenchymal stem cell"
MSTROMAL = "mesenchymal stromal cell"


@pytest.fixture(scope="module")
def corpus() -> PubmedCorpus:
    return PubmedCorpus.build()


@pytest.fixture(scope="module")
def engine(corpus) -> QueryEngine:
    return QueryEngine(corpus)


def count(engine: QueryEngine, query: str) -> int:
    return engine.search(query).count


def test_operators_bind_left_to_right_without_precedence(engine):
    flat = count(engine, f"{MSC} OR {MSTROMAL} AND liver [Title]")
    left = count(engine, f"({MSC} OR {MSTROMAL}) AND liver [Title]")
    right = count(engine, f"{MSC} OR ({MSTROMAL} AND liver [Title])")
    assert flat == left
    assert right != left
    assert right > left  # MSC papers without "liver" in the title join in


def test_not_and_adjacency(engine):
    liver = count(engine, "liver[ti]")
    assert count(engine, f"liver[ti] NOT {MSC}") < liver
    assert count(engine, f"liver[ti] {MSC}") == count(engine, f"liver[ti] AND {MSC}")


def test_field_tags_restrict(engine):
    assert count(engine, "liver[ti]") < count(engine, "liver[tiab]") <= count(engine, "liver")
    assert count(engine, "liver [Title]") == count(engine, "liver[ti]")
    assert count(engine, "liver[Title/Abstract]") == count(engine, "liver[tiab]")
    assert count(engine, "liver[ab]") > 0
    assert count(engine, '"Mesenchymal Stem Cells"[mh]') == count(engine, f"{MSC}s[MeSH Terms]")
    assert 0 < count(engine, "review[pt]") < count(engine, "journal article[pt]")


def test_broad_query_exceeds_the_esearch_window(engine):
    assert count(engine, "liver[tiab]") > 9999


def test_phrases_need_adjacent_words(engine):
    words = count(engine, "mesenchymal[tiab] AND stem[tiab] AND cell[tiab]")
    phrase = count(engine, f'"{MSC}"[tiab]')
    assert words > phrase > 0


def test_plural_folding(engine):
    assert count(engine, "mesenchymal stem cells[tiab]") == count(engine, f"{MSC}[tiab]")


def test_secondary_source_id(engine, corpus):
    linked = [pmid for pmid, ncts in corpus.databank_links.items() if "NCT01220492" in ncts]
    result = engine.search("NCT01220492[si]")
    assert sorted(map(str, result.pmids)) == sorted(linked)
    assert 1 <= len(linked) <= 2


def test_review_query_at_the_cutoff_is_1290(engine):
    at_cutoff = count(engine, f"{REVIEW_QUERY} AND {CUTOFF_TERM}")
    assert at_cutoff == 1290 == sum(CORE_BEFORE_CUTOFF.values())
    now = count(engine, REVIEW_QUERY)
    assert now == at_cutoff + sum(CORE_AFTER_CUTOFF.values())
    quoted_range = f'{REVIEW_QUERY} AND "1800/01/01"[crdt] : "2022/04/29"[crdt]'
    assert count(engine, quoted_range) == at_cutoff


def test_create_date_years_rise(engine):
    per_year = {
        y: count(engine, f"({REVIEW_QUERY}) AND {y}:{y}[crdt]") for y in (2003, 2010, 2015, 2020)
    }
    assert per_year[2003] < per_year[2010] < per_year[2015] < per_year[2020]
    assert 150 <= per_year[2020] <= 200
    assert count(engine, f"{REVIEW_QUERY} AND 2024[crdt]") == CORE_AFTER_CUTOFF[2024]


def test_publication_year_counts_both_print_and_electronic_years(engine, corpus):
    split = corpus.split_year_pmids()
    assert split
    article = corpus.get(split[0])
    electronic_year, print_year = article.epub // 10000, article.pub_year
    assert electronic_year != print_year
    for year in (electronic_year, print_year):
        assert count(engine, f"{article.pmid}[uid] AND {year}:{year}[dp]") == 1


def test_per_year_sums(engine, corpus):
    """[dp] years double-count split records; the sum exceeds the total by exactly those."""
    query = f"({REVIEW_QUERY}) AND {CUTOFF_TERM}"
    total = engine.search(query)
    years = range(2000, 2024)
    by_year = {y: set(engine.search(f"{query} AND {y}:{y}[dp]").pmids) for y in years}
    assert set().union(*by_year.values()) == set(total.pmids)
    double = sum(len(s) for s in by_year.values()) - total.count
    in_two_years = set(total.pmids) & set(corpus.split_year_pmids())
    assert double == len(in_two_years) > 0


def test_date_range_forms(engine):
    a = count(engine, "2015:2016[dp]")
    assert a == count(engine, "2015/01/01:2016/12/31[dp]")
    assert count(engine, "2015/03:2016[dp]") < a
    assert count(engine, "2015[dp]") + count(engine, "2016[dp]") >= a


def test_translation_shows_how_the_query_was_read(engine):
    result = engine.search(REVIEW_QUERY)
    assert result.translation.endswith(') AND "liver"[Title]')
    assert '"mesenchymal stem cells"[MeSH Terms]' in result.translation
    assert '"mesenchymal stem cell"[Title/Abstract]' in result.translation
    assert [source for source, _ in result.translation_set] == [MSC, MSTROMAL]
    # The translation is itself a query with the same answer.
    assert engine.search(result.translation).count == result.count


def test_translation_variant_changes_the_translation(corpus, engine):
    before = engine.search(MSTROMAL).translation
    corpus.translation_variant = 1
    try:
        after = engine.search(MSTROMAL).translation
        review_after = engine.search(REVIEW_QUERY)
    finally:
        corpus.translation_variant = 0
    assert before != after
    assert '"mesenchymal stem cells"[MeSH Terms]' in after
    assert review_after.count == engine.search(REVIEW_QUERY).count  # the count does not move
    assert review_after.translation != engine.search(REVIEW_QUERY).translation


def test_not_found_terms_are_reported_and_dropped(engine):
    result = engine.search("abcXYZ")
    assert result.count == 0 and result.phrases_not_found == ["abcXYZ"]
    assert result.translation == "(abcXYZ[All Fields])"
    dropped = engine.search("liver[ti] AND abcXYZ")
    assert dropped.count == count(engine, "liver[ti]")
    assert engine.search('"abc def"').quoted_not_found == ['"abc def"']
    assert engine.search("liver[nosuchfield]").fields_not_found == ["nosuchfield"]


@pytest.mark.parametrize(
    "query", ["(liver", "liver)", "liver AND", "AND liver", "()", '"liver', "liver[ti", ""]
)
def test_malformed_queries_raise(query):
    with pytest.raises(QueryError):
        parse(query)


def test_add_articles_changes_counts():
    corpus = PubmedCorpus.build()
    engine = QueryEngine(corpus)
    before = engine.search(REVIEW_QUERY).count
    created_that_day = count(engine, "2026/11/25[crdt]")
    new = corpus.add_articles(3, "2026/11/25")
    assert engine.search(REVIEW_QUERY).count == before + 3
    assert set(map(int, new)) <= set(engine.search(f"{REVIEW_QUERY} AND 2026/11/25[crdt]").pmids)
    corpus.add_articles(2, "2026/11/25", matching=False)
    assert engine.search(REVIEW_QUERY).count == before + 3
    assert count(engine, "2026/11/25[crdt]") == created_that_day + 5


def test_queries_are_fast(engine):
    import time

    started = time.perf_counter()
    for year in range(2000, 2027):
        engine.search(f"liver[tiab] AND {year}:{year}[dp] AND hepatocyte")
    assert time.perf_counter() - started < 1.0
