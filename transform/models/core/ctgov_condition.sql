-- materialized: table
-- not_null: nct_id
-- Conditions and keywords as the registry lists them, one row each.
with studies as (
    select nct_id, record from core.ctgov_study
),

conditions as (
    select
        nct_id,
        'condition' as kind,
        unnest(try_cast(record -> '$.protocolSection.conditionsModule.conditions' as varchar[]))
            as term
    from studies
),

keywords as (
    select
        nct_id,
        'keyword' as kind,
        unnest(try_cast(record -> '$.protocolSection.conditionsModule.keywords' as varchar[]))
            as term
    from studies
),

final as (
    select * from conditions
    union all
    select * from keywords
)

select * from final
