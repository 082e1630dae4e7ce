-- materialized: table
-- unique: query_id, scope, year
-- not_null: query_id, scope, year
-- PubMed publications per year (the paper's Fig. 1A). `publications`: PubMed's own answer
-- for (<query>) AND Y:Y[dp] (print and electronic dates, so a record can count in two years).
-- `publications_dedup`: each PMID once, in its journal issue's year (else MedlineDate's first
-- year, else ArticleDate's). The 'cutoff' scope keeps records created on or before the spec's
-- cut-off ([crdt]).
with year_counts as (
    select query_id, scope, year, publications from core.pubmed_year_count
),

articles as (
    select a.query_id, a.pmid, a.dedup_year, a.create_date
    from staging.stg_pubmed_article as a
),

dedup as (
    select query_id, 'current' as scope, dedup_year as year, count(*) as publications_dedup
    from articles group by all
    union all
    select query_id, 'cutoff', dedup_year, count(*)
    from articles
    where create_date <= (select cutoff from ops.build_params)
    group by all
),

final as (
    select
        query_id,
        scope,
        year,
        coalesce(y.publications, 0) as publications,
        coalesce(d.publications_dedup, 0) as publications_dedup
    from year_counts as y
    full outer join dedup as d using (query_id, scope, year)
    order by query_id, scope, year
)

select * from final
