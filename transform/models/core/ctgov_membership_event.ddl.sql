-- The table the incremental model core.ctgov_membership_event appends to (run by the build before
-- the models; idempotent, so existing warehouses migrate).
create table if not exists core.ctgov_membership_event (
    query_id varchar not null,
    nct_id varchar not null,
    in_query boolean not null,
    run_id varchar not null,
    run_seq bigint not null,
    fingerprint varchar                -- of the query's wording; a new wording, a new history
);
alter table core.ctgov_membership_event add column if not exists fingerprint varchar;
