-- PubMed drops a term it cannot find and answers the rest of the query (PhraseNotFound in its
-- ErrorList), so the count is no longer that of the review's query: fail rather than publish it.
with searches as (
    select query_id, scope, term, errors
    from raw.pubmed_search
    where run_id = getvariable('run_id')
),

final as (
    select query_id, scope, term, cast(errors as varchar) as errors
    from searches
    where json_array_length(errors) > 0
)

select * from final
