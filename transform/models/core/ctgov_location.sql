-- materialized: table
-- not_null: nct_id
-- One row per site. country_code is ISO 3166-1 alpha-2, from the registry's own spelling
-- (core.country_spelling: ISO names and codes plus the registry's variants such as "Korea,
-- Republic of"; an unknown spelling keeps its raw name and a NULL code, never a guess).
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

spellings as (
    select spelling, country_code, country from core.country_spelling
),

final as (
    select
        typed.nct_id,
        typed.facility,
        typed.city,
        typed.state,
        typed.country_raw,
        spellings.country_code,
        coalesce(spellings.country, typed.country_raw) as country,
        typed.site_status
    from typed
    left join spellings on spellings.spelling = lower(typed.country_raw)
)

select * from final
