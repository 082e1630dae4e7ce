-- For the queries this run harvested: the PMIDs fetched equal PubMed's count, and the
-- per-year deduplicated publications add up to the search's count, scope by scope.
with searches as (
    select query_id, scope, count
    from raw.pubmed_search
    where run_id = (select run_id from ops.build_params)
),

fetched as (
    select query_id, count(distinct pmid) as pmids
    from raw.pubmed_article
    where run_id = (select run_id from ops.build_params)
    group by query_id
),

dedup as (
    select query_id, scope, sum(publications_dedup) as dedup_total
    from mart.publications_by_year
    group by query_id, scope
),

pmid_mismatch as (
    select s.query_id, s.scope, 'pmids fetched' as what, s.count, coalesce(f.pmids, 0) as got
    from searches as s
    left join fetched as f using (query_id)
    where s.scope = 'current' and s.count <> coalesce(f.pmids, 0)
),

dedup_mismatch as (
    select s.query_id, s.scope, 'sum of publications_dedup', s.count, coalesce(d.dedup_total, 0)
    from searches as s
    left join dedup as d using (query_id, scope)
    where s.count <> coalesce(d.dedup_total, 0)
),

final as (
    select * from pmid_mismatch union all select * from dedup_mismatch
)

select * from final
