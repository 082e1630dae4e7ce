-- materialized: table
-- unique: row_no
-- not_null: row_no
-- Table 2's rows linked to the registry where the trial is registered: what ClinicalTrials.gov
-- says of it now, and whether the review's registry query finds it.
with table2 as (
    select row_no, first_author, year, nct_id, nct_text, n from curated.table2
),

final as (
    select
        table2.*,
        s.nct_id is not null as in_warehouse,
        s.brief_title,
        s.overall_status,
        s.enrollment,
        s.first_post_date,
        exists (select 1 from core.ctgov_query_match m where m.nct_id = table2.nct_id)
            as in_review_query
    from table2
    left join core.ctgov_study as s using (nct_id)
    order by row_no
)

select * from final
