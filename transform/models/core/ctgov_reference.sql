-- materialized: table
-- not_null: nct_id
-- The publications a study record cites (PMIDs), with the registry's reference type.
with studies as (
    select nct_id, record from core.ctgov_study
),

refs as (
    select
        nct_id,
        unnest(try_cast(record -> '$.protocolSection.referencesModule.references' as json[]))
            as reference
    from studies
),

final as (
    select
        nct_id,
        reference ->> 'pmid' as pmid,
        reference ->> 'type' as reference_type,
        reference ->> 'citation' as citation
    from refs
    where reference ->> 'pmid' is not null
)

select * from final
