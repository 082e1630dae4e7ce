-- materialized: view
-- Fig. 1B of the paper: the engine's mart.trials_by_country under the paper's name.
with trials as (
    select * from mart.trials_by_country
),

final as (
    select * from trials
)

select * from final
