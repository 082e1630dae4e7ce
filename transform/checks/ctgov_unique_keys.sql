-- Each NCT id once in core.ctgov_study, each (query, NCT id) once in core.ctgov_query_match.
with study_dupes as (
    select 'core.ctgov_study' as relation, nct_id as key, count(*) as n
    from core.ctgov_study group by nct_id having count(*) > 1
),

match_dupes as (
    select 'core.ctgov_query_match', query_id || '/' || nct_id, count(*)
    from core.ctgov_query_match group by query_id, nct_id having count(*) > 1
),

final as (
    select * from study_dupes union all select * from match_dupes
)

select * from final
