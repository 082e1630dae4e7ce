-- Every year between the first and the last asked has PubMed's own count (no gaps that a
-- chart would silently show as zero), for the queries this run harvested.
with counts as (
    select query_id, scope, year
    from raw.pubmed_year_count
    where run_id = (select run_id from ops.build_params)
),

spans as (
    select query_id, scope, min(year) as first_year, max(year) as last_year, count(*) as n
    from counts
    group by query_id, scope
),

final as (
    select query_id, scope, first_year, last_year, n
    from spans
    where n <> last_year - first_year + 1
)

select * from final
