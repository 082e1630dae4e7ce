-- The whole result set the API listed this run, per query it searched: every NCT id of its
-- `harvest` pages (full records) or `sweep` pages (ids only), and the API's own totalCount.
-- Membership is decided from it (core.ctgov_membership_event) and checked against it
-- (transform/checks/ctgov_members_equal_listing.sql). A query with no match has a row with
-- a NULL nct_id, so that it still counts as searched.
with searched as (
    select query_id, total
    from raw.ctgov_total
    where run_id = (select run_id from ops.build_params) and scope = 'current'
),

listed as (
    select distinct query_id, nct_id
    from staging.stg_ctgov_query_page_ids
    where purpose in ('harvest', 'sweep')
),

final as (
    select searched.query_id, searched.total, listed.nct_id
    from searched
    left join listed using (query_id)
)

select * from final
