-- No record of this run without an NCT id got through (a page of drifted records would show
-- here). Keys of the models themselves are declared in their headers and checked for each.
with landed as (
    select run_id, nct_id from raw.ctgov_study
),

final as (
    select 'raw.ctgov_study (this run)' as relation, count(*) as n
    from landed
    where run_id = (select run_id from ops.build_params) and nct_id is null
    having count(*) > 0
)

select * from final
