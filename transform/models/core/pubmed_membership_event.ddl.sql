-- The table the incremental model core.pubmed_membership_event appends to (run by the build before
-- the models; idempotent, so existing warehouses migrate).
create table if not exists core.pubmed_membership_event (
    query_id varchar not null,
    pmid varchar not null,
    in_query boolean not null,
    run_id varchar not null,
    run_seq bigint not null,
    fingerprint varchar,               -- of the query's wording; a new wording, a new history
    title varchar                      -- the record's title when the event was seen
);
