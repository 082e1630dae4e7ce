-- materialized: incremental
-- unique: query_id, nct_id, run_seq, fingerprint
-- not_null: query_id, nct_id
-- Entries into and exits from each query's result set, by identity. Every run that searches a
-- query lists the whole set: full records (`harvest`) or NCT ids only (`sweep`). The members
-- after the run are exactly the ids listed; those before are the latest events under the
-- query's present fingerprint, so a reworded query starts a history of its own.
with params as (
    select run_id, run_seq from ops.build_params
),

spec as (
    select query_id, fingerprint from core.review_query where source = 'ctgov'
),

listing as (
    select * from staging.stg_ctgov_listing
),

searched as (
    select distinct query_id from listing
),

listed as (
    select query_id, nct_id from listing where nct_id is not null
),

members_before as (
    select events.query_id, events.nct_id, events.in_query
    from core.ctgov_membership_event as events
    inner join spec using (query_id, fingerprint)
    qualify row_number() over (
        partition by events.query_id, events.nct_id order by events.run_seq desc
    ) = 1
),

entered as (
    select listed.query_id, listed.nct_id, true as in_query
    from listed
    where not exists (
        select 1 from members_before as b
        where b.query_id = listed.query_id and b.nct_id = listed.nct_id and b.in_query
    )
),

exited as (
    select b.query_id, b.nct_id, false as in_query
    from members_before as b
    where b.in_query
      and b.query_id in (select query_id from searched)
      and not exists (
          select 1 from listed
          where listed.query_id = b.query_id and listed.nct_id = b.nct_id
      )
),

final as (
    select
        changes.query_id,
        changes.nct_id,
        changes.in_query,
        params.run_id,
        params.run_seq,
        spec.fingerprint
    from (select * from entered union all select * from exited) as changes
    inner join spec using (query_id)
    cross join params
)

select * from final
