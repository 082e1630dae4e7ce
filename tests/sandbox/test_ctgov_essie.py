"""The Essie subset: parsing, Boolean semantics, phrases, plurals, areas and date ranges."""

from __future__ import annotations

import json

import pytest

from sandbox.ctgov import essie
from sandbox.ctgov.api import CtgovApi
from sandbox.ctgov.corpus import REVIEW_TERM, CtgovCorpus


@pytest.fixture(scope="module")
def corpus() -> CtgovCorpus:
    return CtgovCorpus.build()


def ids(corpus: CtgovCorpus, query: str, area: str = "term") -> set[str]:
    node = essie.parse(query, area)
    assert node is not None
    return {corpus.index.nct_ids[row] for row in essie.evaluate(node, corpus.index)}


def test_parse_precedence_and_implicit_and():
    tree = essie.parse("a b OR c NOT d")
    assert tree == essie.Or(
        (
            essie.And((essie.Term("term", ("a",)), essie.Term("term", ("b",)))),
            essie.And((essie.Term("term", ("c",)), essie.Not(essie.Term("term", ("d",))))),
        )
    )
    assert essie.parse('"stem cells"') == essie.Term("term", ("stem", "cell"))
    assert essie.parse("") is None


@pytest.mark.parametrize(
    "bad",
    [
        '"open',
        "(a OR b",
        "a OR",
        "AREA[Nope]x",
        "AREA[StartDate]RANGE[2020]",
        "AREA[StartDate]RANGE[x,y]",
        "EXPANSION[Concept]liver",
        "a )",
    ],
)
def test_syntax_errors(bad):
    with pytest.raises(essie.EssieError):
        essie.parse(bad)


def test_plural_folding():
    assert essie.tokens("Cells diseases therapies cirrhosis Virus") == [
        "cell",
        "disease",
        "therapy",
        "cirrhosis",
        "virus",
    ]


def test_boolean_semantics_are_set_algebra(corpus):
    mesenchymal, liver = ids(corpus, "mesenchymal"), ids(corpus, "liver")
    assert ids(corpus, "mesenchymal AND liver") == mesenchymal & liver
    assert ids(corpus, "mesenchymal liver") == mesenchymal & liver
    assert ids(corpus, "mesenchymal OR liver") == mesenchymal | liver
    assert ids(corpus, "mesenchymal NOT liver") == mesenchymal - liver
    assert ids(corpus, "NOT mesenchymal") == set(corpus.nct_ids()) - mesenchymal
    knee = ids(corpus, "knee")
    assert ids(corpus, "mesenchymal AND (liver OR knee)") == mesenchymal & (liver | knee)
    assert ids(corpus, "(mesenchymal AND liver) OR knee") == (mesenchymal & liver) | knee
    assert knee and not knee <= liver


def test_phrases_need_adjacent_words(corpus):
    loose, phrase = ids(corpus, "stem cell liver"), ids(corpus, '"stem cell" liver')
    assert phrase <= loose
    # "stem cells" and "stem cell" are the same phrase after plural folding
    assert ids(corpus, '"mesenchymal stem cells"') == ids(corpus, '"Mesenchymal Stem Cell"')
    assert not ids(corpus, '"cell stem"')


def test_mesh_ancestors_make_liver_diseases_match_cirrhosis_trials(corpus):
    pbc = ids(corpus, '"Primary Biliary Cholangitis" AND mesenchymal')
    assert pbc and pbc <= ids(corpus, REVIEW_TERM)
    assert pbc <= ids(corpus, '"liver diseases"', "cond")


def test_search_areas(corpus):
    assert "NCT01875081" in ids(corpus, "alcoholic", "cond")
    assert ids(corpus, "Beijing", "locn") == ids(corpus, "AREA[LocationCity]Beijing")
    assert "NCT01220492" in ids(corpus, "UC-MSC", "intr")
    assert not ids(corpus, "Beijing", "titles")
    assert ids(corpus, "AREA[LocationCountry]Egypt") == ids(corpus, '"Egypt"', "locn")
    assert ids(corpus, "NCT01220492", "id") == {"NCT01220492"}
    assert ids(corpus, "AREA[Phase]PHASE2") >= {"NCT01875081", "NCT01741090"}
    assert ids(corpus, "AREA[Phase](EARLY_PHASE1 OR NA)")
    assert "NCT01218464" in ids(corpus, "AREA[OverallStatus]UNKNOWN")


def test_date_ranges_with_min_max_and_partial_dates(corpus):
    def first_posts(query):
        return {
            corpus.study(i)["protocolSection"]["statusModule"]["studyFirstPostDateStruct"]["date"]
            for i in ids(corpus, query)
        }

    assert max(first_posts("AREA[StudyFirstPostDate]RANGE[MIN,2012-12]")) <= "2012-12-31"
    assert min(first_posts("AREA[StudyFirstPostDate]RANGE[2012,MAX]")) >= "2012-01-01"
    assert first_posts("AREA[StudyFirstPostDate]RANGE[2012-03-22,2012-03-22]") == {"2012-03-22"}
    assert first_posts("AREA[StudyFirstPostDate]2012") == first_posts(
        "AREA[StudyFirstPostDate]RANGE[2012-01-01,2012-12-31]"
    )
    assert first_posts("AREA[StudyFirstPostDate]RANGE[01/01/2012, 12/31/2012]") == first_posts(
        "AREA[StudyFirstPostDate]2012"
    )
    # a partial start date "2010-10" counts as its first day
    assert "NCT01220492" in ids(corpus, "AREA[StartDate]RANGE[2010-10-01,2010-10-01]")
    assert "NCT01220492" not in ids(corpus, "AREA[StartDate]RANGE[2010-10-02,MAX]")
    both = ids(
        corpus, "AREA[StartDate]RANGE[MIN,MAX] AND NOT AREA[LastUpdatePostDate]RANGE[MIN,2015]"
    )
    assert both and all(i in ids(corpus, "AREA[LastUpdatePostDate]RANGE[2016,MAX]") for i in both)


def test_area_range_inside_query_term(corpus):
    api = CtgovApi(corpus)
    query = f"{REVIEW_TERM} AND AREA[StudyFirstPostDate]RANGE[MIN,2022-04-29]"
    body = json.loads(api.handle("/studies", [("query.term", query), ("countTotal", "true")]).body)
    assert body["totalCount"] == 63
    reply = api.handle("/studies", [("query.term", "(liver")])
    assert reply.status == 400 and reply.content_type.startswith("text/plain")
