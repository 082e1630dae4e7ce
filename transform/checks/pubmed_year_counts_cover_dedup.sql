-- Each year's [dp] count covers that year's deduplicated records (issue 11). PubMed's [dp]
-- counts a record in its print and its electronic year, so `(<query>) AND Y:Y[dp]` can never
-- be below the records whose journal issue date falls in year Y: a lower count (or none at all
-- for a year that has records) is a truncated or failed answer, not a fact to chart.
-- The deduplicated counts are the engine's mart.publications_by_year (the default review's
-- mart.fig1a_publications_by_year is a view of it; this check runs for every review), for the
-- queries this run searched: the mart holds the latest harvest of each, so this run's.
with searched as (
    select distinct query_id
    from raw.pubmed_search
    where run_id = (select run_id from ops.build_params)
),

dp_counts as (
    select query_id, scope, year, count as dp_count
    from raw.pubmed_year_count
    where run_id = (select run_id from ops.build_params)
),

dedup as (
    select query_id, scope, year, publications_dedup
    from mart.publications_by_year
    where query_id in (select query_id from searched)
      and year is not null
      and publications_dedup > 0
),

final as (
    select
        dedup.query_id,
        dedup.scope,
        dedup.year,
        dp_counts.dp_count,
        dedup.publications_dedup
    from dedup
    left join dp_counts using (query_id, scope, year)
    where coalesce(dp_counts.dp_count, 0) < dedup.publications_dedup
    order by dedup.query_id, dedup.scope, dedup.year
)

select * from final
