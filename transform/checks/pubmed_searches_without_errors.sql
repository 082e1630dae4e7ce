-- PubMed drops a term it cannot find and answers the rest of the query (PhraseNotFound,
-- QuotedPhraseNotFound, ... in its ErrorList), so the count is no longer that of the review's
-- query: fail rather than publish it. Any entry in `errors` counts (extract.pubmed_parse puts
-- there what must not pass), and the per-year [dp] searches are held to the same standard as
-- the totals: Fig. 1A is drawn from them.
with totals as (
    select query_id, scope, null::integer as year, term, errors
    from raw.pubmed_search
    where run_id = (select run_id from ops.build_params)
),

years as (
    select query_id, scope, year, term, errors
    from raw.pubmed_year_count
    where run_id = (select run_id from ops.build_params)
),

searches as (
    select * from totals
    union all
    select * from years
),

final as (
    select query_id, scope, year, term, cast(errors as varchar) as errors
    from searches
    where json_array_length(errors) > 0
)

select * from final
