-- materialized: incremental
-- Entries into and exits from each query's result set. What a run saw decides it:
-- a full harvest or an id sweep is the whole set; otherwise delta/by_id records entered and a
-- known match that changed (registry-wide) without reappearing in the delta has left.
with seen as (
    select * from staging.stg_ctgov_query_page_ids
),

whole_set_queries as (
    select distinct query_id from seen where purpose in ('harvest', 'sweep')
),

members_before as (
    select query_id, nct_id
    from core.ctgov_membership_event
    qualify row_number() over (partition by query_id, nct_id order by run_seq desc) = 1
        and in_query
),

queries_this_run as (
    select distinct query_id from raw.ctgov_page where run_id = getvariable('run_id')
),

members_after as (
    -- whole set: exactly what the harvest or sweep listed
    select query_id, nct_id from seen
    where purpose in ('harvest', 'sweep') and query_id in (select query_id from whole_set_queries)
    union
    -- incremental: the members before, less those that changed without matching, plus new ones
    select b.query_id, b.nct_id
    from members_before as b
    where b.query_id in (select query_id from queries_this_run)
      and b.query_id not in (select query_id from whole_set_queries)
      and not exists (
          select 1 from seen as c
          where c.query_id = b.query_id and c.nct_id = b.nct_id and c.purpose = 'changed'
      )
    union
    select query_id, nct_id from seen
    where purpose in ('delta', 'by_id')
      and query_id not in (select query_id from whole_set_queries)
),

entered as (
    select query_id, nct_id, true as in_query from members_after
    except
    select query_id, nct_id, true from members_before
),

exited as (
    select b.query_id, b.nct_id, false as in_query
    from members_before as b
    where b.query_id in (select query_id from queries_this_run)
      and not exists (
          select 1 from members_after as a
          where a.query_id = b.query_id and a.nct_id = b.nct_id
      )
),

final as (
    select
        query_id,
        nct_id,
        in_query,
        getvariable('run_id') as run_id,
        cast(getvariable('run_seq') as bigint) as run_seq
    from (select * from entered union all select * from exited)
)

select * from final
