-- materialized: table
-- unique: query_id, scope, nct_id
-- not_null: query_id, scope, nct_id
-- Which trials count for each query in each scope: 'current' is every member now; 'cutoff'
-- the members first posted on or before the spec's cut-off (a partial date counts from its
-- first day). The one definition Fig. 1B and the reconciliation with the API's totals share.
with matches as (
    select query_id, nct_id from core.ctgov_query_match
),

studies as (
    select nct_id, first_post_date from core.ctgov_study
),

final as (
    select query_id, 'current' as scope, nct_id from matches
    union all
    select matches.query_id, 'cutoff' as scope, matches.nct_id
    from matches
    inner join studies using (nct_id)
    where studies.first_post_date <= (select cutoff from ops.build_params)
)

select * from final
