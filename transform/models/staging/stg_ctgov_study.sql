-- The records landed by the current run, one per NCT id, typed. A study can arrive twice in a
-- run (a delta page and a by-id page, or a record that moved between pages): the last page wins.
-- The copy of each study to keep, chosen on the keys alone and then read with its record: a
-- window over the records themselves (or a CTE of them read twice, which DuckDB materializes)
-- would hold every record of the run in memory at once.
with latest_rows as (
    select rowid as row_id
    from raw.ctgov_study
    where run_id = (select run_id from ops.build_params)
      and purpose in ('harvest', 'delta', 'by_id')
    qualify row_number() over (
        partition by nct_id order by purpose = 'by_id' desc, page_no desc, rowid desc
    ) = 1
),

latest as (
    select *
    from raw.ctgov_study
    where rowid in (select row_id from latest_rows)
),

-- Each record is parsed twice in all (one multi-path extraction of the text fields, one of the
-- two JSON parts), not once per field: DuckDB keeps a parse arena per JSON call, per thread,
-- sized to a vector of whole records, so fifteen calls held ~300 MB at once.
parsed as (
    select
        nct_id,
        record,
        content_hash,
        run_id,
        json_extract_string(record, [
            '$.protocolSection.identificationModule.briefTitle',
            '$.protocolSection.identificationModule.officialTitle',
            '$.protocolSection.statusModule.overallStatus',
            '$.protocolSection.designModule.studyType',
            '$.protocolSection.designModule.enrollmentInfo.count',
            '$.protocolSection.designModule.enrollmentInfo.type',
            '$.protocolSection.statusModule.startDateStruct.date',
            '$.protocolSection.statusModule.studyFirstPostDateStruct.date',
            '$.protocolSection.statusModule.lastUpdatePostDateStruct.date',
            '$.protocolSection.statusModule.completionDateStruct.date',
            '$.protocolSection.sponsorCollaboratorsModule.leadSponsor.name'
        ]) as text_fields,
        json_extract(record, [
            '$.protocolSection.designModule.phases',
            '$.protocolSection.contactsLocationsModule.locations'
        ]) as json_fields
    from latest
),

final as (
    select
        nct_id,
        record,
        content_hash,
        text_fields[1] as brief_title,
        text_fields[2] as official_title,
        text_fields[3] as overall_status,
        text_fields[4] as study_type,
        nullif(array_to_string(try_cast(json_fields[1] as varchar[]), '|'), '') as phases,
        try_cast(text_fields[5] as integer) as enrollment,
        text_fields[6] as enrollment_type,
        text_fields[7] as start_date_text,
        text_fields[8] as first_post_date_text,
        text_fields[9] as last_update_post_date_text,
        text_fields[10] as completion_date_text,
        text_fields[11] as lead_sponsor,
        -- the sites, counted and hashed once here: mart.record_changes compares versions by
        -- these instead of parsing every stored record again each night
        coalesce(json_array_length(json_fields[2]), 0) as location_count,
        md5(coalesce(cast(json_fields[2] as varchar), '[]')) as locations_hash,
        run_id
    from parsed
)

select * from final
