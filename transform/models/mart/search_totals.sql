-- materialized: incremental
-- The headline numbers, one row per run, source, query and scope: the API's own totals.
with ctgov as (
    select
        run_id,
        'ctgov' as source,
        query_id,
        scope,
        total
    from raw.ctgov_total
    where run_id = getvariable('run_id')
),

pubmed as (
    select
        run_id,
        'pubmed' as source,
        query_id,
        scope,
        count as total
    from raw.pubmed_search
    where run_id = getvariable('run_id')
),

final as (
    select
        run_id,
        cast(getvariable('run_at') as timestamptz) as run_at,
        source,
        query_id,
        scope,
        total
    from (select * from ctgov union all select * from pubmed)
)

select * from final
