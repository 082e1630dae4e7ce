-- materialized: table
-- unique: nct_id
-- not_null: nct_id
-- One row per NCT id: the latest version seen, whether or not it still matches a query.
-- The latest version of each study, chosen on the keys alone and joined back to its row: a
-- window over whole versions would sort every stored record in memory at once.
with latest as (
    select nct_id, run_id
    from core.ctgov_study_version
    qualify row_number() over (partition by nct_id order by observed_at desc, run_id desc) = 1
),

versions as (
    select v.*
    from core.ctgov_study_version as v
    inner join latest using (nct_id, run_id)
),

final as (
    select
        nct_id,
        brief_title,
        official_title,
        overall_status,
        study_type,
        phases,
        enrollment,
        enrollment_type,
        start_date_text,
        partial_date_start(start_date_text) as start_date,
        partial_date_start(first_post_date_text) as first_post_date,
        partial_date_start(last_update_post_date_text) as last_update_post_date,
        completion_date_text,
        lead_sponsor,
        content_hash,
        observed_at as version_observed_at,
        record
    from versions
)

select * from final
