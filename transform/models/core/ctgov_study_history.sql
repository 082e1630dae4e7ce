-- materialized: table
-- Every observed version of every study with its validity interval: a row per change.
with versions as (
    select * from core.ctgov_study_version
),

final as (
    select
        nct_id,
        content_hash,
        run_id,
        observed_at as valid_from,
        lead(observed_at) over (partition by nct_id order by observed_at, run_id) as valid_to,
        overall_status,
        lag(overall_status) over (partition by nct_id order by observed_at, run_id)
            as previous_status,
        enrollment,
        last_update_post_date_text as last_update_post_date
    from versions
)

select * from final
