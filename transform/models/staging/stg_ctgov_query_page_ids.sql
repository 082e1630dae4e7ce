-- Which NCT ids each query's pages of this run carried, by purpose (harvest, delta, changed,
-- sweep, by_id). Membership of a query is decided from these in core.ctgov_membership_event.
with landed as (
    select query_id, purpose, nct_id
    from raw.ctgov_study
    where run_id = (select run_id from ops.build_params)
),

final as (
    select distinct query_id, purpose, nct_id
    from landed
    where nct_id is not null
)

select * from final
