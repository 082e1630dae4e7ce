-- materialized: table
-- not_null: nct_id
-- Conditions and keywords as the registry lists them, one row each.
-- Each record is read and parsed once for both lists: `studies` is read twice below, and DuckDB
-- materializes a CTE read twice, so it holds the two small lists, not the records.
with studies as (
    select
        nct_id,
        json_extract(record, [
            '$.protocolSection.conditionsModule.conditions',
            '$.protocolSection.conditionsModule.keywords'
        ]) as lists
    from core.ctgov_study
),

conditions as (
    select
        nct_id,
        'condition' as kind,
        unnest(try_cast(lists[1] as varchar[])) as term
    from studies
),

keywords as (
    select
        nct_id,
        'keyword' as kind,
        unnest(try_cast(lists[2] as varchar[])) as term
    from studies
),

final as (
    select * from conditions
    union all
    select * from keywords
)

select * from final
