-- materialized: table
-- unique: query_id, nct_id
-- not_null: query_id, nct_id
-- The studies each query of the spec matches now, with when they entered its result set
-- (under the query's present wording; a removed query matches nothing).
with spec as (
    select query_id, fingerprint from core.review_query where source = 'ctgov'
),

events as (
    select events.*
    from core.ctgov_membership_event as events
    inner join spec using (query_id, fingerprint)
    qualify row_number() over (
        partition by events.query_id, events.nct_id order by events.run_seq desc
    ) = 1
),

final as (
    select query_id, nct_id, run_id as matched_since_run
    from events
    where in_query
)

select * from final
