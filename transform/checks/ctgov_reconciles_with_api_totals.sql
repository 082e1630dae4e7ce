-- The warehouse's distinct matching studies equal the API's own totalCount for the query, now
-- and at the cut-off (first posted on or before it). Only for queries this run harvested.
with api as (
    select query_id, scope, total
    from raw.ctgov_total
    where run_id = (select run_id from ops.build_params)
),

warehouse as (
    select query_id, scope, count(*) as trials
    from core.ctgov_query_scope
    group by query_id, scope
),

final as (
    select api.query_id, api.scope, api.total as api_total, coalesce(w.trials, 0) as warehouse
    from api
    left join warehouse as w using (query_id, scope)
    where api.total <> coalesce(w.trials, 0)
)

select * from final
