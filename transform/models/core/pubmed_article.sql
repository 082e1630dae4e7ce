-- materialized: table
-- unique: pmid
-- not_null: pmid
-- One row per PMID harvested by the latest run, whichever query found it.
with articles as (
    select * from staging.stg_pubmed_article
),

final as (
    select * exclude (query_id)
    from articles
    qualify row_number() over (partition by pmid order by query_id) = 1
)

select * from final
