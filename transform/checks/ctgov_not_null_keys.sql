-- No record without an NCT id got through (a page of drifted records would show here).
with nulls as (
    select 'raw.ctgov_study (this run)' as relation, count(*) as n
    from raw.ctgov_study
    where run_id = (select run_id from ops.build_params) and nct_id is null
    union all
    select 'core.ctgov_location', count(*) from core.ctgov_location where nct_id is null
),

final as (
    select * from nulls where n > 0
)

select * from final
