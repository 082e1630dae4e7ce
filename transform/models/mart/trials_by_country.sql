-- materialized: table
-- unique: query_id, scope, country_code, country
-- not_null: query_id, scope, country
-- Trials of each query by country (the paper's Fig. 1B), now ('current') and as of the
-- spec's cut-off ('cutoff': first posted on or before it). A trial counts once per distinct
-- country among its sites; sites without a country add nothing; a trial with no site naming a
-- country counts once as 'Unknown'.
with scoped as (
    select query_id, scope, nct_id from core.ctgov_query_scope
),

study_countries as (
    select distinct nct_id, country_code, country
    from core.ctgov_location
    where country_raw is not null
),

with_country as (
    select scoped.query_id, scoped.scope, scoped.nct_id, c.country_code, c.country
    from scoped
    inner join study_countries as c using (nct_id)
),

without_country as (
    select query_id, scope, nct_id, null as country_code, 'Unknown' as country
    from scoped
    where nct_id not in (select nct_id from study_countries)
),

final as (
    select query_id, scope, country_code, country, count(distinct nct_id) as trials
    from (select * from with_country union all select * from without_country)
    group by query_id, scope, country_code, country
    order by query_id, scope, trials desc, country
)

select * from final
