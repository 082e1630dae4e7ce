"""The records that entered the review's searches since a run, for screening (`review new`).

Read from the published warehouse: the `entered` rows of mart.record_changes for the queries of
the present spec, with each record's details from mart.screening_record. Written as RIS with
rispy (what reference managers and screening tools import) or as CSV.

"Since run X" means: in a query's result set now, entered it in a run after X, and not in that
query's result set at X. A record that left and came back after X is not new to the screeners,
and neither is one a reworded query finds again (its old wording had it at X); the default X is
the previous published run, so by default the list is what the latest run added.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TextIO

import duckdb
import rispy

RUN_ID = re.compile(r"^\d{8}T\d{6}-\w+$")  # warehouse.runs: UTC start time, random suffix
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
TRIAL_URL = "https://clinicaltrials.gov/study/{}"


class SinceError(ValueError):
    """--since names no published run, or is neither a run id nor a date (a usage error)."""


@dataclass(frozen=True)
class Since:
    """Where the window starts: records entered in runs with run_seq > this one's."""

    run_seq: int  # 0: before the first run (every record is new)
    label: str  # for messages, after "entered": "since run X (published ...)"


@dataclass(frozen=True)
class NewRecord:
    source: str  # pubmed, ctgov
    record_id: str  # PMID or NCT id
    query_ids: tuple[str, ...]
    entered_run_id: str
    title: str | None
    year: int | None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    journal_iso: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    abstract: str | None = None
    publication_types: tuple[str, ...] = ()
    status: str | None = None
    conditions: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return (PUBMED_URL if self.source == "pubmed" else TRIAL_URL).format(self.record_id)


# ---- reading ----------------------------------------------------------------------------------


def resolve_since(con: duckdb.DuckDBPyConnection, since: str | None) -> Since:
    """None: the previous published run; a run id; or a date (runs published after that day,
    UTC)."""
    if since is None:
        row = con.execute("select run_id, run_seq, published_at from ops.published_run "
                          "order by run_seq desc limit 1 offset 1").fetchone()
        return _since_run(row) if row else Since(0, "in the first run (all it found)")
    if RUN_ID.match(since):
        row = con.execute("select run_id, run_seq, published_at from ops.published_run "
                          "where run_id = ?", [since]).fetchone()
        if row is None:
            raise SinceError(f"no published run {since} in this warehouse "
                             "(`review status` lists the runs)")
        return _since_run(row)
    try:
        day = date.fromisoformat(since)
    except ValueError:
        raise SinceError(f"--since takes a run id (like 20261125T182600-22bc33) or a date "
                         f"(YYYY-MM-DD), not {since!r}") from None
    end_of_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    row = con.execute("select run_id, run_seq, published_at from ops.published_run "
                      "where published_at < ? order by run_seq desc limit 1",
                      [end_of_day]).fetchone()
    return _since_run(row) if row else Since(0, f"since {day} (all runs: none was published "
                                                   "by then)")


def _since_run(row) -> Since:
    run_id, run_seq, published_at = row
    return Since(run_seq, f"since run {run_id} (published "
                          f"{published_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)")


# Which records entered since the since-run, read from two marts: mart.record_changes (every
# entry and exit, by run) and mart.screening_record (the present members and their details).
NEW_RECORDS = """
with members_now as (
    select * from mart.screening_record
),

-- entries under the present spec's wording (the fingerprint) of records still members now
entered as (
    select changes.source, changes.query_id, changes.record_id, changes.run_id
    from mart.record_changes as changes
    inner join members_now using (source, query_id, record_id, fingerprint)
    where changes.change = 'entered' and changes.run_seq > $since
),

-- in the query's result set at the since-run, under whatever wording it had then
members_then as (
    select source, query_id, record_id, change
    from mart.record_changes
    where change in ('entered', 'left') and run_seq <= $since
    qualify row_number() over (
        partition by source, query_id, record_id order by run_seq desc) = 1
),

fresh as (
    select entered.source, entered.record_id,
           list(distinct entered.query_id order by entered.query_id) as query_ids,
           min(entered.run_id) as entered_run_id
    from entered
    left join members_then as t using (source, query_id, record_id)
    where t.change is distinct from 'entered'
    group by all
),

details as (
    select * exclude (query_id, fingerprint)
    from members_now
    qualify row_number() over (partition by source, record_id order by query_id) = 1
)

select fresh.source, fresh.record_id, fresh.query_ids, fresh.entered_run_id,
       d.title, d.year, d.authors, d.journal, d.journal_iso, d.volume, d.issue, d.pages, d.doi,
       d.abstract, d.publication_types, d.overall_status, d.conditions
from fresh
inner join details as d using (source, record_id)
order by fresh.source desc, fresh.entered_run_id, length(fresh.record_id), fresh.record_id
"""


def new_records(con: duckdb.DuckDBPyConnection, since: Since) -> list[NewRecord]:
    rows = con.execute(NEW_RECORDS, {"since": since.run_seq}).fetchall()
    return [_record(row) for row in rows]


def _record(row) -> NewRecord:
    (source, record_id, query_ids, run_id, title, year, authors, journal, journal_iso, volume,
     issue, pages, doi, abstract, publication_types, status, conditions) = row
    return NewRecord(source, record_id, tuple(query_ids), run_id, _one_line(title), year,
                     tuple(authors or ()), journal, journal_iso, volume, issue, pages, doi,
                     _one_line(abstract), tuple(publication_types or ()), status,
                     tuple(conditions or ()))


def _one_line(text: str | None) -> str | None:
    """A RIS value ends at the line's end, and a CSV row is easier to read on one line."""
    return " ".join(text.split()) if text else text


# ---- writing ----------------------------------------------------------------------------------


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." line it puts before each record (outside the RIS tags;
    a bare TY ... ER list is what every importer expects)."""

    def set_header(self, count: int) -> str:
        return ""


def ris_entry(record: NewRecord) -> dict:
    """One record as rispy's keys (rispy.TAG_KEY_MAPPING gives each key's RIS tag).

    PubMed records are journal articles (TY JOUR); their publication types go to KW (keywords,
    one per type), which every reference manager and screening tool imports as tags. A trial is
    an entry of an online database, the registry (TY DBASE), with its conditions as KW and its
    overall status as a note (N1). The PMID or NCT id is the accession number (AN)."""
    note = f"review-stats: entered {record.source} {', '.join(record.query_ids)} in run " \
           f"{record.entered_run_id}"
    if record.source == "pubmed":
        start, end = split_pages(record.pages)
        entry = {
            "type_of_reference": "JOUR",  # TY: Journal
            "authors": list(record.authors),  # AU, one per author
            "title": record.title,  # TI
            "abstract": record.abstract,  # AB
            "journal_name": record.journal,  # JO: journal name
            "alternate_title1": record.journal_iso,  # J2: abbreviated journal title
            "year": record.year,  # PY
            "volume": record.volume,  # VL
            "number": record.issue,  # IS: issue number
            "start_page": start,  # SP
            "end_page": end,  # EP
            "doi": record.doi,  # DO
            "accession_number": record.record_id,  # AN: the PMID
            "keywords": list(record.publication_types),  # KW: publication types
            "name_of_database": "PubMed",  # DB
            "urls": [record.url],  # UR
            "notes": [note],  # N1
        }
    else:
        entry = {
            "type_of_reference": "DBASE",  # TY: Online Database (a registry record)
            "title": record.title,  # TI: the brief title
            "year": record.year,  # PY: the year first posted
            "accession_number": record.record_id,  # AN: the NCT id
            "keywords": list(record.conditions),  # KW: conditions
            "name_of_database": "ClinicalTrials.gov",  # DB
            "urls": [record.url],  # UR: the registry's page
            "notes": [f"Overall status: {record.status}", note],  # N1
        }
    return {key: value for key, value in entry.items() if value not in (None, "", [])}


def split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """("113", "125") from PubMed's MedlinePgn "113-25" (it drops the end page's leading digits
    that repeat the start page's)."""
    if not pages:
        return None, None
    start, _, end = pages.partition("-")
    start, end = start.strip(), end.strip()
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start or None, end or None


def write_ris(records: list[NewRecord], out: TextIO) -> None:
    rispy.dump([ris_entry(r) for r in records], out, implementation=_RisWriter)


CSV_COLUMNS = ("source", "record_id", "url", "query_ids", "entered_run_id", "title", "year",
               "authors", "journal", "volume", "issue", "pages", "doi", "publication_types",
               "status", "conditions", "abstract")


def write_csv(records: list[NewRecord], out: TextIO) -> None:
    """One row per record, both sources in one table; lists joined with "; "."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        values = {name: getattr(record, name) for name in CSV_COLUMNS}
        writer.writerow(["; ".join(v) if isinstance(v, tuple) else ("" if v is None else v)
                         for v in values.values()])
