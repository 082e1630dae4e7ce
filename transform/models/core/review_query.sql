-- materialized: table
-- unique: source, query_id
-- not_null: source, query_id, fingerprint
-- The queries of the spec this warehouse was built from, with the run that last searched each
-- under its present wording (its fingerprint). A query removed from the spec is not here, so
-- it leaves every current figure; its history stays in core.query_harvest and
-- mart.search_totals. A query edited since its last search has no harvest_run_id yet.
with spec as (
    select source, query_id, fingerprint, definition, cutoff
    from raw.spec_query
    where run_id = (select run_id from ops.build_params)
),

harvests as (
    select * from core.query_harvest
),

final as (
    select
        spec.source,
        spec.query_id,
        spec.fingerprint,
        spec.definition,
        spec.cutoff,
        max(harvests.run_id) as harvest_run_id
    from spec
    left join harvests
        on harvests.source = spec.source
        and harvests.query_id = spec.query_id
        and harvests.fingerprint = spec.fingerprint
    group by all
)

select * from final
