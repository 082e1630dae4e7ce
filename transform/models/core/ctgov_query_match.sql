-- materialized: table
-- The studies each query matches now, with when they entered the result set.
with events as (
    select *
    from core.ctgov_membership_event
    qualify row_number() over (partition by query_id, nct_id order by run_seq desc) = 1
),

final as (
    select query_id, nct_id, run_id as matched_since_run
    from events
    where in_query
)

select * from final
