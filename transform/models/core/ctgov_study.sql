-- materialized: table
-- One row per NCT id: the latest version seen, whether or not it still matches a query.
with versions as (
    select *
    from core.ctgov_study_version
    qualify row_number() over (partition by nct_id order by observed_at desc, run_id desc) = 1
),

final as (
    select
        nct_id,
        record ->> '$.protocolSection.identificationModule.briefTitle' as brief_title,
        record ->> '$.protocolSection.identificationModule.officialTitle' as official_title,
        overall_status,
        record ->> '$.protocolSection.designModule.studyType' as study_type,
        nullif(array_to_string(
            try_cast(record -> '$.protocolSection.designModule.phases' as varchar[]), '|'
        ), '') as phases,
        enrollment,
        record ->> '$.protocolSection.designModule.enrollmentInfo.type' as enrollment_type,
        record ->> '$.protocolSection.statusModule.startDateStruct.date' as start_date_text,
        partial_date_start(record ->> '$.protocolSection.statusModule.startDateStruct.date')
            as start_date,
        partial_date_start(
            record ->> '$.protocolSection.statusModule.studyFirstPostDateStruct.date'
        ) as first_post_date,
        partial_date_start(last_update_post_date_text) as last_update_post_date,
        record ->> '$.protocolSection.statusModule.completionDateStruct.date'
            as completion_date_text,
        record ->> '$.protocolSection.sponsorCollaboratorsModule.leadSponsor.name'
            as lead_sponsor,
        content_hash,
        observed_at as version_observed_at,
        record
    from versions
)

select * from final
