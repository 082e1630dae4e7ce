-- materialized: table
-- not_null: nct_id
-- One row per site. country_code is ISO 3166-1 alpha-2, from the registry's own spelling
-- (iso_country: pycountry plus the registry's variants such as "Korea, Republic of").
with studies as (
    select nct_id, record from core.ctgov_study
),

sites as (
    select
        nct_id,
        unnest(try_cast(
            record -> '$.protocolSection.contactsLocationsModule.locations' as json[]
        )) as site
    from studies
),

typed as (
    select
        nct_id,
        site ->> 'facility' as facility,
        site ->> 'city' as city,
        site ->> 'state' as state,
        nullif(trim(site ->> 'country'), '') as country_raw,
        site ->> 'status' as site_status
    from sites
),

country_names as (
    select country_raw, iso_country(country_raw) as iso
    from (select distinct country_raw from typed where country_raw is not null)
),

final as (
    select
        typed.nct_id,
        typed.facility,
        typed.city,
        typed.state,
        typed.country_raw,
        country_names.iso.code as country_code,
        coalesce(country_names.iso.name, typed.country_raw) as country,
        typed.site_status
    from typed
    left join country_names using (country_raw)
)

select * from final
