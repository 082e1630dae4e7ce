-- materialized: incremental
-- unique: run_id, source, query_id, scope
-- not_null: run_id, source, query_id, scope
-- The headline numbers, one row per run, source, query and scope: the API's own totals, with
-- the fingerprint of the query as searched (a reworded query's totals are a new series).
with params as (
    select run_id, run_at from ops.build_params
),

ctgov as (
    select run_id, 'ctgov' as source, query_id, scope, total
    from raw.ctgov_total
    where run_id = (select run_id from params)
),

pubmed as (
    select run_id, 'pubmed' as source, query_id, scope, count as total
    from raw.pubmed_search
    where run_id = (select run_id from params)
),

spec as (
    select source, query_id, fingerprint
    from raw.spec_query
    where run_id = (select run_id from params)
),

final as (
    select
        totals.run_id,
        params.run_at,
        totals.source,
        totals.query_id,
        totals.scope,
        totals.total,
        spec.fingerprint
    from (select * from ctgov union all select * from pubmed) as totals
    left join spec using (source, query_id)
    cross join params
)

select * from final
