-- materialized: table
-- unique: pmid, nct_id
-- not_null: pmid, nct_id
-- Trial registrations an article names in its DataBankList (ClinicalTrials.gov accessions).
with articles as (
    select pmid, nct_ids from core.pubmed_article
),

final as (
    select distinct pmid, unnest(nct_ids) as nct_id
    from articles
)

select * from final
