-- materialized: incremental
-- unique: nct_id, run_id
-- not_null: nct_id, content_hash
-- A row each time a study's content hash changes (or the study is first seen). The hash leaves
-- out versionHolder and sorts derivedSection MeSH lists (warehouse/content_hash.py, computed as
-- each page is landed), so the registry's daily churn is not a change.
with incoming as (
    select * from staging.stg_ctgov_study
),

current_versions as (
    select nct_id, content_hash
    from core.ctgov_study_version
    qualify row_number() over (partition by nct_id order by observed_at desc, run_id desc) = 1
),

changed as (
    select incoming.*
    from incoming
    left join current_versions using (nct_id)
    where current_versions.content_hash is distinct from incoming.content_hash
),

final as (
    select
        nct_id,
        content_hash,
        run_id,
        (select data_timestamp from ops.build_params) as observed_at,
        overall_status,
        enrollment,
        last_update_post_date_text,
        record,
        brief_title,
        official_title,
        study_type,
        phases,
        enrollment_type,
        start_date_text,
        first_post_date_text,
        completion_date_text,
        lead_sponsor,
        true as typed,
        location_count,
        locations_hash
    from changed
)

select * from final
