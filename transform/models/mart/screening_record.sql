-- materialized: table
-- unique: source, query_id, record_id
-- not_null: source, query_id, record_id, fingerprint
-- The records each query of the present spec holds now, with what screening needs of each:
-- the PubMed citation (authors, journal, pages, DOI, abstract, publication types) or the
-- trial's brief title, first-post year, overall status and conditions. `review new` picks from
-- it the records that entered since a run (mart.record_changes) and writes them as RIS or CSV.
with spec as (
    select source, query_id, fingerprint from core.review_query
),

members as (
    select 'ctgov' as source, query_id, nct_id as record_id from core.ctgov_query_match
    union all
    select 'pubmed' as source, query_id, pmid as record_id from core.pubmed_query_match
),

conditions as (
    select nct_id, list(term order by term) as conditions
    from core.ctgov_condition
    where kind = 'condition'
    group by nct_id
),

final as (
    select
        members.source,
        members.query_id,
        members.record_id,
        spec.fingerprint,
        coalesce(a.title, s.brief_title) as title,
        coalesce(a.dedup_year, year(s.first_post_date)) as year,
        a.authors,
        a.journal,
        a.journal_iso,
        a.volume,
        a.issue,
        a.pages,
        a.doi,
        a.abstract,
        a.publication_types,
        s.overall_status,
        c.conditions
    from members
    inner join spec using (source, query_id)
    left join core.pubmed_article as a
        on members.source = 'pubmed' and a.pmid = members.record_id
    left join core.ctgov_study as s
        on members.source = 'ctgov' and s.nct_id = members.record_id
    left join conditions as c
        on members.source = 'ctgov' and c.nct_id = members.record_id
)

select * from final
