-- materialized: table
-- not_null: nct_id
-- One row per intervention of a study (name, type, description, other names).
with studies as (
    select nct_id, record from core.ctgov_study
),

interventions as (
    select
        nct_id,
        unnest(try_cast(
            record -> '$.protocolSection.armsInterventionsModule.interventions' as json[]
        )) as intervention
    from studies
),

final as (
    select
        nct_id,
        intervention ->> 'name' as name,
        intervention ->> 'type' as type,
        intervention ->> 'description' as description,
        array_to_string(try_cast(intervention -> 'otherNames' as varchar[]), '|') as other_names
    from interventions
)

select * from final
