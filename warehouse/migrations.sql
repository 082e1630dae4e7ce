-- The tables a run lands into (raw), the curated tables and the run bookkeeping (ops). The
-- tables incremental models append to are defined beside each model (transform/models/*/*.ddl.sql).
-- Idempotent; run on every build file before loading (new columns are added here).

create table if not exists raw.ctgov_version (
    run_id varchar not null,
    api_version varchar,
    data_timestamp varchar not null,
    url varchar,
    fetched_at timestamptz
);

create table if not exists raw.ctgov_page (
    run_id varchar not null,
    query_id varchar not null,
    purpose varchar not null,          -- harvest, delta, changed, sweep, by_id
    page_no integer not null,
    file_name varchar,
    n_studies integer not null,
    total_count bigint,
    next_page_token varchar,
    data_timestamp varchar,
    url varchar not null,              -- without secrets
    fetched_at timestamptz not null,
    bytes bigint
);

create table if not exists raw.ctgov_study (
    run_id varchar not null,
    query_id varchar not null,
    purpose varchar not null,
    page_no integer not null,
    nct_id varchar,
    record json not null,              -- the study object exactly as the API sent it
    content_hash varchar               -- warehouse.content_hash, computed as it was landed
);
alter table raw.ctgov_study add column if not exists content_hash varchar;

create table if not exists raw.ctgov_total (
    run_id varchar not null,
    query_id varchar not null,
    scope varchar not null,            -- current, cutoff
    total bigint not null,
    url varchar not null,
    fetched_at timestamptz not null
);

-- The spec's queries as each run sent them (flows.settings.query_fingerprint): what decides
-- whether a shortcut between two runs is allowed (issue 15).
create table if not exists raw.spec_query (
    run_id varchar not null,
    source varchar not null,           -- ctgov, pubmed
    query_id varchar not null,
    fingerprint varchar not null,
    definition json not null,          -- every parameter as sent
    cutoff date not null
);

create table if not exists ops.published_run (
    run_id varchar not null,
    run_seq bigint not null,
    published_at timestamptz not null,
    source varchar not null,
    ctgov_data_timestamp varchar
);

create table if not exists raw.pubmed_search (
    run_id varchar not null,
    query_id varchar not null,
    scope varchar not null,            -- current, cutoff
    term varchar not null,
    count bigint not null,             -- only ever a number PubMed returned
    query_translation varchar,
    warnings json,
    errors json,
    url varchar not null,
    fetched_at timestamptz not null
);

create table if not exists raw.pubmed_year_count (
    run_id varchar not null,
    query_id varchar not null,
    scope varchar not null,
    year integer not null,
    term varchar not null,
    count bigint not null,
    query_translation varchar,
    url varchar not null,
    fetched_at timestamptz not null,
    warnings json,                     -- as raw.pubmed_search; NULL in rows of older runs
    errors json
);
-- A per-year search can drop a term like the totals (issue 11): keep its ErrorList too.
alter table raw.pubmed_year_count add column if not exists warnings json;
alter table raw.pubmed_year_count add column if not exists errors json;

create table if not exists raw.pubmed_efetch_page (
    run_id varchar not null,
    query_id varchar not null,
    batch_no integer not null,
    n_articles integer not null,
    url varchar not null,
    fetched_at timestamptz not null,
    body varchar not null              -- the PubmedArticleSet XML as received
);

create table if not exists raw.pubmed_article (
    run_id varchar not null,
    query_id varchar not null,
    batch_no integer not null,
    pmid varchar,
    article json not null              -- extract.pubmed_parse.parse_articles output
);

-- Curated tables (a review's hand-kept CSVs) are created by the loader from the spec's
-- declaration, in schema `curated`. The schema `review` of earlier versions goes: in a file
-- named review.duckdb it collided with the file's catalog name.
drop schema if exists review cascade;
