-- materialized: table
-- unique: nct_id, pmid
-- not_null: nct_id, pmid
-- Trials and the publications that name them: which trials of the review's registry queries
-- have publications, and which publications cite trials outside those queries.
with links as (
    select pmid, nct_id from core.pubmed_article_trial
),

review_trials as (
    select distinct nct_id from core.ctgov_query_match
),

articles as (
    select pmid, title, journal, dedup_year from core.pubmed_article
),

final as (
    select
        links.nct_id,
        links.pmid,
        articles.title,
        articles.journal,
        articles.dedup_year as year,
        links.nct_id in (select nct_id from review_trials) as trial_in_review_query,
        studies.brief_title as trial_title,
        studies.overall_status as trial_status
    from links
    inner join articles using (pmid)
    left join core.ctgov_study as studies using (nct_id)
    order by links.nct_id, links.pmid
)

select * from final
