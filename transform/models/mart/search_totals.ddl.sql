-- The table the incremental model mart.search_totals appends to (run by the build before
-- the models; idempotent, so existing warehouses migrate).
create table if not exists mart.search_totals (
    run_id varchar not null,
    run_at timestamptz not null,
    source varchar not null,
    query_id varchar not null,
    scope varchar not null,
    total bigint not null,
    fingerprint varchar                -- of the query as searched (raw.spec_query)
);
alter table mart.search_totals add column if not exists fingerprint varchar;
