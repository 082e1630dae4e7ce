-- The records landed by the current run, one per NCT id, typed. A study can arrive twice in a
-- run (a delta page and a by-id page, or a record that moved between pages): the last page wins.
with landed as (
    select *
    from raw.ctgov_study
    where run_id = (select run_id from ops.build_params)
      and purpose in ('harvest', 'delta', 'by_id')
),

latest as (
    select *
    from landed
    qualify row_number() over (
        partition by nct_id order by purpose = 'by_id' desc, page_no desc
    ) = 1
),

final as (
    select
        nct_id,
        record,
        content_hash,
        record ->> '$.protocolSection.identificationModule.briefTitle' as brief_title,
        record ->> '$.protocolSection.identificationModule.officialTitle' as official_title,
        record ->> '$.protocolSection.statusModule.overallStatus' as overall_status,
        record ->> '$.protocolSection.designModule.studyType' as study_type,
        nullif(array_to_string(
            try_cast(record -> '$.protocolSection.designModule.phases' as varchar[]), '|'
        ), '') as phases,
        try_cast(
            record ->> '$.protocolSection.designModule.enrollmentInfo.count' as integer
        ) as enrollment,
        record ->> '$.protocolSection.designModule.enrollmentInfo.type' as enrollment_type,
        record ->> '$.protocolSection.statusModule.startDateStruct.date' as start_date_text,
        record ->> '$.protocolSection.statusModule.studyFirstPostDateStruct.date'
            as first_post_date_text,
        record ->> '$.protocolSection.statusModule.lastUpdatePostDateStruct.date'
            as last_update_post_date_text,
        record ->> '$.protocolSection.statusModule.completionDateStruct.date'
            as completion_date_text,
        record ->> '$.protocolSection.sponsorCollaboratorsModule.leadSponsor.name'
            as lead_sponsor,
        run_id
    from latest
)

select * from final
