"""report.screening (`review new`): the records that entered the review's searches since a run,
read from mart.record_changes and core, written as RIS (rispy) and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
import rispy
from sql_records import pubmed_record, study

from report.screening import (
    SinceError,
    new_records,
    resolve_since,
    ris_entry,
    split_pages,
    write_csv,
    write_ris,
)


def night(warehouse, nct_ids: list[str], pmids: list[str], *, term: str = "liver"):
    run = warehouse.run().query("q").query("p", "pubmed", term=term)
    trials = [study(n, status="RECRUITING", sites=["China"]) for n in nct_ids]
    if warehouse.runs == 1:  # a first night harvests in full; later ones sweep ids + a delta
        run.page("q", "harvest", trials)
    else:
        run.page("q", "sweep", trials).page("q", "delta", trials)
    run.total("q", "current", len(trials)).total("q", "cutoff", len(trials))
    run.pubmed("p", [pubmed_record(p) for p in pmids], term=term)
    run.build()
    return run


def ids(records) -> list[tuple[str, str]]:
    return [(r.source, r.record_id) for r in records]


def test_by_default_what_the_latest_run_added(warehouse):
    night(warehouse, ["NCT00000001"], ["101"])
    second = night(warehouse, ["NCT00000001", "NCT00000002"], ["101", "102"])
    since = resolve_since(warehouse.con, None)
    assert since.run_seq == 1 and "since run 20261201T020000-test01" in since.label
    found = new_records(warehouse.con, since)
    assert ids(found) == [("pubmed", "102"), ("ctgov", "NCT00000002")]
    assert {r.entered_run_id for r in found} == {second.run_id}
    entered = warehouse.rows("select count(*) from mart.record_changes "
                             "where run_id = ? and change = 'entered'", [second.run_id])
    assert entered == [(len(found),)]


def test_after_the_first_run_everything_is_new(warehouse):
    night(warehouse, ["NCT00000001"], ["101", "102"])
    since = resolve_since(warehouse.con, None)
    assert since.run_seq == 0
    assert len(new_records(warehouse.con, since)) == 3


def test_since_a_run_id_and_since_a_date(warehouse):
    first = night(warehouse, ["NCT00000001"], ["101"])
    night(warehouse, ["NCT00000001"], ["101", "102"])
    night(warehouse, ["NCT00000001"], ["101", "102", "103"])
    by_run = new_records(warehouse.con, resolve_since(warehouse.con, first.run_id))
    assert ids(by_run) == [("pubmed", "102"), ("pubmed", "103")]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert len(new_records(warehouse.con, resolve_since(warehouse.con, yesterday))) == 4
    today = resolve_since(warehouse.con, date.today().isoformat())  # runs of today: none after
    assert new_records(warehouse.con, today) == []


@pytest.mark.parametrize("since, message", [
    ("20991231T000000-nosuch", "no published run 20991231T000000-nosuch"),
    ("last tuesday", "run id .* or a date"),
    ("2026-13-45", "run id .* or a date"),
])
def test_a_bad_since_is_refused_in_one_line(warehouse, since, message):
    night(warehouse, ["NCT00000001"], ["101"])
    with pytest.raises(SinceError, match=message):
        resolve_since(warehouse.con, since)


def test_records_that_were_already_members_are_not_new_again(warehouse):
    """One that left and came back, and one a reworded query finds again."""
    first = night(warehouse, ["NCT00000001", "NCT00000002"], ["101"])
    night(warehouse, ["NCT00000001"], ["101"])  # NCT00000002 leaves
    night(warehouse, ["NCT00000001", "NCT00000002"], ["101", "102"], term="liver OR hepatic")
    found = new_records(warehouse.con, resolve_since(warehouse.con, first.run_id))
    assert ids(found) == [("pubmed", "102")]


def test_ris_round_trips_through_rispy_with_every_screening_field(warehouse):
    night(warehouse, ["NCT00000001"], ["101"])
    found = new_records(warehouse.con, resolve_since(warehouse.con, None))
    out = io.StringIO()
    write_ris(found, out)
    text = out.getvalue()
    assert text.startswith("TY  - JOUR")  # no "1." line before the first record
    article, trial = rispy.loads(text)
    assert article["type_of_reference"] == "JOUR" and article["accession_number"] == "101"
    assert article["authors"] == ["Roe, Jane", "Doe, J"]
    assert (article["title"], article["abstract"]) == ("Article 101", "Abstract of 101.")
    assert (article["journal_name"], article["volume"], article["number"]) == (
        "Hepatology", "12", "3")
    assert (article["start_page"], article["end_page"]) == ("101", "109")
    assert article["doi"] == "10.5555/test.101" and article["year"] == "2020"
    assert article["keywords"] == ["Journal Article"]
    assert trial["type_of_reference"] == "DBASE" and trial["accession_number"] == "NCT00000001"
    assert trial["urls"] == ["https://clinicaltrials.gov/study/NCT00000001"]
    assert "Overall status: RECRUITING" in trial["notes"]
    assert trial["keywords"]  # the registry's conditions


def test_csv_has_one_row_per_record(warehouse):
    night(warehouse, ["NCT00000001"], ["101", "102"])
    out = io.StringIO()
    write_csv(new_records(warehouse.con, resolve_since(warehouse.con, None)), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["record_id"] for r in rows] == ["101", "102", "NCT00000001"]
    assert rows[0]["authors"] == "Roe, Jane; Doe, J" and rows[0]["doi"] == "10.5555/test.101"
    assert rows[2]["status"] == "RECRUITING" and rows[2]["url"].endswith("/NCT00000001")


@pytest.mark.parametrize("pages, expected", [
    ("113-25", ("113", "125")), ("1865-1876", ("1865", "1876")), ("e123", ("e123", None)),
    ("S12-S19", ("S12", "S19")), (None, (None, None)),
])
def test_medline_page_ranges_are_expanded(pages, expected):
    assert split_pages(pages) == expected


def test_empty_values_are_left_out_of_the_ris_entry(warehouse):
    night(warehouse, [], ["101"])
    (record,) = new_records(warehouse.con, resolve_since(warehouse.con, None))
    entry = ris_entry(replace(record, doi=None, authors=()))
    assert "doi" not in entry and "authors" not in entry
