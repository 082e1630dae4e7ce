-- materialized: table
-- unique: source, query_id, run_id
-- not_null: source, query_id, run_id
-- Every search of every query, ever: which run searched it, and the fingerprint and
-- parameters it was searched with (raw.spec_query; NULL for runs older than fingerprints).
with searched as (
    select distinct run_id, 'ctgov' as source, query_id from raw.ctgov_total
    union
    select distinct run_id, 'pubmed' as source, query_id from raw.pubmed_search
),

spec as (
    select run_id, source, query_id, fingerprint, definition, cutoff from raw.spec_query
),

final as (
    select
        searched.source,
        searched.query_id,
        searched.run_id,
        spec.fingerprint,
        spec.definition,
        spec.cutoff
    from searched
    left join spec using (run_id, source, query_id)
)

select * from final
