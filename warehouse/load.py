"""Loading a run's landing zone into the raw tables, with DuckDB's own JSON readers."""

from __future__ import annotations

import csv
import importlib

import duckdb

from warehouse.landing import LandingZone

# One study per line; the largest is ~3.6 MB. A larger cap makes DuckDB's JSON reader size its
# buffers for it (bench/README.md: 64 MB cost ~700 MB of RSS at 100,000 studies).
MAX_JSON_OBJECT = 16 * 1024 * 1024

# Where each raw table's rows come from, in a run's landing zone (data/landing/<run_id>/):
# what `review lineage` shows below the raw tables.
LANDED_FROM = {
    "raw.ctgov_version": "ctgov_version.jsonl (GET /version)",
    "raw.ctgov_page": "ctgov_pages.jsonl (one line per GET /studies page)",
    "raw.ctgov_study": "ctgov_studies/<query>.<purpose>.<page>.ndjson (the studies of each page)",
    "raw.ctgov_total": "ctgov_totals.jsonl (the API's totalCount per query and scope)",
    "raw.spec_query": "the review spec (review.toml), as the run sent it",
    "raw.pubmed_search": "pubmed_searches.jsonl (esearch per query and scope)",
    "raw.pubmed_year_count": "pubmed_year_counts.jsonl (esearch per year)",
    "raw.pubmed_efetch_page": "pubmed_batches.jsonl + pubmed_xml/<query>.<batch>.xml (efetch)",
    "raw.pubmed_article": "pubmed_articles/<query>.<batch>.ndjson (parsed efetch articles)",
}


def load_ctgov_landing(con: duckdb.DuckDBPyConnection, landing: LandingZone, run_id: str) -> int:
    """Copy this run's CT.gov files into raw.*; returns the number of study records loaded."""
    if landing.has("ctgov_version.jsonl"):
        con.execute(
            """insert into raw.ctgov_version
               select ?, apiVersion, dataTimestamp, url, fetched_at
               from read_json(?, format = 'newline_delimited')""",
            [run_id, str(landing.path("ctgov_version.jsonl"))],
        )
    if landing.has("ctgov_totals.jsonl"):
        con.execute(
            """insert into raw.ctgov_total
               select ?, query_id, scope, total, url, fetched_at
               from read_json(?, format = 'newline_delimited')""",
            [run_id, str(landing.path("ctgov_totals.jsonl"))],
        )
    if not landing.has("ctgov_pages.jsonl"):
        return 0
    con.execute(
        """insert into raw.ctgov_page
           select ?, query_id, purpose, page_no, file_name, n_studies, total_count,
                  next_page_token, data_timestamp, url, fetched_at, bytes
           from read_json(?, format = 'newline_delimited', columns = {
               query_id: 'varchar', purpose: 'varchar', page_no: 'integer',
               file_name: 'varchar', n_studies: 'integer', total_count: 'bigint',
               next_page_token: 'varchar', data_timestamp: 'varchar', url: 'varchar',
               fetched_at: 'timestamptz', bytes: 'bigint'})""",
        [run_id, str(landing.path("ctgov_pages.jsonl"))],
    )
    if not landing.has("ctgov_studies"):
        return 0
    before = _count(con, "raw.ctgov_study", run_id)
    hashes = landing.path("ctgov_hashes.jsonl")
    con.execute(
        f"""insert into raw.ctgov_study by name
            select ? as run_id, pages.query_id, pages.purpose, pages.page_no, pages.nct_id,
                   pages.record, hashes.content_hash
            from (
                select parts[1] as query_id, parts[2] as purpose,
                       cast(parts[3] as integer) as page_no,
                       json ->> '$.protocolSection.identificationModule.nctId' as nct_id,
                       json as record
                from (
                    select string_split(parse_filename(filename, true), '.') as parts, json
                    from read_ndjson_objects(?, filename = true,
                                             maximum_object_size = {MAX_JSON_OBJECT})
                )
            ) as pages
            left join {_hashes_source(hashes)} as hashes
                using (query_id, purpose, page_no, nct_id)""",
        [run_id, str(landing.path("ctgov_studies") / "*.ndjson")],
    )
    return _count(con, "raw.ctgov_study", run_id) - before


def _hashes_source(path) -> str:
    """The landing's content hashes (LandingZone._save_hashes), or none (an id-only run)."""
    if not path.exists():
        return ("(select null::varchar as query_id, null::varchar as purpose, "
                "null::integer as page_no, null::varchar as nct_id, "
                "null::varchar as content_hash where false)")
    quoted = str(path).replace("'", "''")
    return (f"read_json('{quoted}', format = 'newline_delimited', columns = {{"
            "query_id: 'varchar', purpose: 'varchar', page_no: 'integer', "
            "nct_id: 'varchar', content_hash: 'varchar'})")



def load_pubmed_landing(con: duckdb.DuckDBPyConnection, landing: LandingZone, run_id: str) -> int:
    """Copy this run's PubMed files into raw.*; returns the number of articles loaded.

    Searches and per-year counts alike keep PubMed's ErrorList and WarningList (a per-year
    search can drop a term as the total's can; transform/checks fails the run on it). The
    columns are typed, not sniffed: a sniffed `errors` is VARCHAR[] or JSON[] depending on the
    data, and a landing file written before these keys existed loads them as NULL instead of
    failing to bind."""
    searched = ("query_id: 'varchar', scope: 'varchar', term: 'varchar', count: 'bigint', "
                "query_translation: 'varchar', warnings: 'json', errors: 'json', "
                "url: 'varchar', fetched_at: 'timestamptz'")
    for file_name, table, year in (
        ("pubmed_searches.jsonl", "raw.pubmed_search", ""),
        ("pubmed_year_counts.jsonl", "raw.pubmed_year_count", "year: 'integer', "),
    ):
        if landing.has(file_name):
            con.execute(
                f"""insert into {table} by name
                    select ? as run_id, *
                    from read_json(?, format = 'newline_delimited',
                                   columns = {{{year}{searched}}})""",
                [run_id, str(landing.path(file_name))],
            )
    if not landing.has("pubmed_batches.jsonl"):
        return 0
    con.execute(
        """insert into raw.pubmed_efetch_page
           select ?, b.query_id, b.batch_no, b.n_articles, b.url, b.fetched_at, x.content
           from read_json(?, format = 'newline_delimited') as b
           join read_text(?) as x
             on parse_filename(x.filename, true)
                = b.query_id || '.' || lpad(b.batch_no::varchar, 5, '0')""",
        [run_id, str(landing.path("pubmed_batches.jsonl")),
         str(landing.path("pubmed_xml") / "*.xml")],
    )
    before = _count(con, "raw.pubmed_article", run_id)
    con.execute(
        f"""insert into raw.pubmed_article
            select ?, parts[1], cast(parts[2] as integer), json ->> 'pmid', json
            from (
                select string_split(parse_filename(filename, true), '.') as parts, json
                from read_ndjson_objects(?, filename = true,
                                         maximum_object_size = {MAX_JSON_OBJECT})
            )""",
        [run_id, str(landing.path("pubmed_articles") / "*.ndjson")],
    )
    return _count(con, "raw.pubmed_article", run_id) - before


class CuratedTableError(ValueError):
    """A curated CSV disagrees with its declaration in the spec, or with its own checker."""


def load_curated(con: duckdb.DuckDBPyConnection, tables) -> dict[str, int]:
    """Each curated table of the review (flows.settings.CuratedTable), replaced on every build
    so that a corrected reading reaches the marts; rows per table."""
    loaded = {}
    for table in tables:
        _check_curated_file(table)
        columns = ", ".join(f"'{c}': '{t}'" for c, t in table.columns.items())
        con.execute(
            f"""create or replace table curated.{table.name} as
                select * from read_csv(?, header = true, auto_detect = false,
                                       columns = {{{columns}}})""",
            [str(table.path)],
        )
        if table.key:
            key = ", ".join(table.key)
            dupes = con.execute(f"select {key} from curated.{table.name} group by all "
                                "having count(*) > 1 limit 3").fetchall()
            if dupes:
                raise CuratedTableError(f"{table.path}: key ({key}) repeats: {dupes}")
        loaded[table.name] = con.execute(
            f"select count(*) from curated.{table.name}").fetchone()[0]
    return loaded


def _check_curated_file(table) -> None:
    with table.path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), [])
    if header != list(table.columns):
        raise CuratedTableError(f"{table.path}: columns {header} differ from those the spec "
                                f"declares for curated.{table.name}: {list(table.columns)}")
    if table.check:
        module, _, function = table.check.partition(":")
        checker = getattr(importlib.import_module(module), function)
        try:
            checker(table.path)
        except ValueError as exc:
            raise CuratedTableError(f"curated.{table.name}: {exc}") from None


def _count(con, table: str, run_id: str) -> int:
    return con.execute(f"select count(*) from {table} where run_id = ?", [run_id]).fetchone()[0]
