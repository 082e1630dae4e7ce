-- The articles of the latest PubMed harvest, one row per query and PMID, typed.
with latest as (
    select a.*
    from raw.pubmed_article as a
    inner join staging.stg_pubmed_latest_run as r using (query_id, run_id)
),

deduplicated as (
    select *
    from latest
    qualify row_number() over (partition by query_id, pmid order by batch_no desc) = 1
),

final as (
    select
        query_id,
        pmid,
        article ->> 'title' as title,
        article ->> 'journal' as journal,
        article ->> 'journal_iso' as journal_iso,
        -- what screeners need (review new); NULL in rows landed before the parser kept them
        article ->> 'volume' as volume,
        article ->> 'issue' as issue,
        article ->> 'pages' as pages,
        article ->> 'doi' as doi,
        cast(article -> 'authors' as varchar[]) as authors,
        article ->> 'abstract' as abstract,
        try_cast(article ->> 'pub_year' as integer) as pub_year,
        article ->> 'medline_date' as medline_date,
        try_cast(article ->> 'article_date' as date) as article_date,
        try_cast(article ->> 'create_date' as date) as create_date,
        try_cast(article ->> 'dedup_year' as integer) as dedup_year,
        cast(article -> 'publication_types' as varchar[]) as publication_types,
        cast(article -> 'mesh_headings' as varchar[]) as mesh_headings,
        cast(article -> 'nct_ids' as varchar[]) as nct_ids,
        run_id
    from deduplicated
)

select * from final
