-- materialized: view
-- Fig. 1A of the paper: the engine's mart.publications_by_year under the paper's name.
with publications as (
    select * from mart.publications_by_year
),

final as (
    select * from publications
)

select * from final
