-- The latest run that harvested PubMed (this run, when it did). Run ids start with their UTC
-- start time, so the greatest is the latest.
with runs as (
    select distinct run_id from raw.pubmed_search
),

final as (
    select max(run_id) as run_id from runs
)

select * from final
