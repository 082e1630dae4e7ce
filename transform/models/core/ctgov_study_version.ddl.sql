-- The table the incremental model core.ctgov_study_version appends to (run by the build before
-- the models; idempotent, so existing warehouses migrate).
create table if not exists core.ctgov_study_version (
    nct_id varchar not null,
    content_hash varchar not null,
    run_id varchar not null,
    observed_at timestamp not null,    -- the API's dataTimestamp when this version was seen
    overall_status varchar,
    enrollment integer,
    last_update_post_date_text varchar,
    record json not null
);

-- The typed columns staging extracts, kept with each version so that core reads them instead
-- of parsing the record again. Warehouses from before them get them filled in once.
alter table core.ctgov_study_version add column if not exists brief_title varchar;
alter table core.ctgov_study_version add column if not exists official_title varchar;
alter table core.ctgov_study_version add column if not exists study_type varchar;
alter table core.ctgov_study_version add column if not exists phases varchar;
alter table core.ctgov_study_version add column if not exists enrollment_type varchar;
alter table core.ctgov_study_version add column if not exists start_date_text varchar;
alter table core.ctgov_study_version add column if not exists first_post_date_text varchar;
alter table core.ctgov_study_version add column if not exists completion_date_text varchar;
alter table core.ctgov_study_version add column if not exists lead_sponsor varchar;
alter table core.ctgov_study_version add column if not exists typed boolean;

update core.ctgov_study_version set
    brief_title = record ->> '$.protocolSection.identificationModule.briefTitle',
    official_title = record ->> '$.protocolSection.identificationModule.officialTitle',
    study_type = record ->> '$.protocolSection.designModule.studyType',
    phases = nullif(array_to_string(
        try_cast(record -> '$.protocolSection.designModule.phases' as varchar[]), '|'), ''),
    enrollment_type = record ->> '$.protocolSection.designModule.enrollmentInfo.type',
    start_date_text = record ->> '$.protocolSection.statusModule.startDateStruct.date',
    first_post_date_text
        = record ->> '$.protocolSection.statusModule.studyFirstPostDateStruct.date',
    completion_date_text
        = record ->> '$.protocolSection.statusModule.completionDateStruct.date',
    lead_sponsor = record ->> '$.protocolSection.sponsorCollaboratorsModule.leadSponsor.name',
    typed = true
where typed is null;

-- The sites of each version, counted and hashed (staging.stg_ctgov_study), so that
-- mart.record_changes tells a changed site list without parsing every stored record each
-- night. Versions from before these columns get them once.
alter table core.ctgov_study_version add column if not exists location_count integer;
alter table core.ctgov_study_version add column if not exists locations_hash varchar;

update core.ctgov_study_version set
    location_count = coalesce(json_array_length(
        record -> '$.protocolSection.contactsLocationsModule.locations'), 0),
    locations_hash = md5(coalesce(cast(
        record -> '$.protocolSection.contactsLocationsModule.locations' as varchar), '[]'))
where locations_hash is null;
