-- materialized: table
-- unique: query_id, pmid
-- not_null: query_id, pmid
-- Which PMIDs each query returned in the latest harvest.
with articles as (
    select query_id, pmid from staging.stg_pubmed_article
),

final as (
    select distinct query_id, pmid from articles
)

select * from final
