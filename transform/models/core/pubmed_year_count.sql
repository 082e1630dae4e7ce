-- materialized: table
-- unique: query_id, scope, year
-- not_null: query_id, scope, year
-- PubMed's own count per publication year ([dp]) from the latest harvest, for both scopes.
with latest as (
    select y.*
    from raw.pubmed_year_count as y
    inner join staging.stg_pubmed_latest_run as r using (query_id, run_id)
),

final as (
    select query_id, scope, year, count as publications, term, query_translation, run_id
    from latest
)

select * from final
