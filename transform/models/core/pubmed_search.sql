-- materialized: table
-- unique: run_id, query_id, scope
-- Every search a run made for a query's total, with PubMed's reading of it. A changed
-- QueryTranslation (automatic term mapping moves with MeSH) is flagged against the previous run.
with searches as (
    select * from raw.pubmed_search
),

final as (
    select
        run_id,
        query_id,
        scope,
        term,
        count,
        query_translation,
        warnings,
        errors,
        fetched_at,
        lag(query_translation) over (
            partition by query_id, scope order by fetched_at
        ) as previous_translation,
        coalesce(
            query_translation is distinct from lag(query_translation) over (
                partition by query_id, scope order by fetched_at
            )
            and lag(fetched_at) over (partition by query_id, scope order by fetched_at)
                is not null,
            false
        ) as translation_changed
    from searches
)

select * from final
