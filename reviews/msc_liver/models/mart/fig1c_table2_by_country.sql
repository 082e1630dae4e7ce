-- materialized: table
-- unique: country
-- not_null: country
-- Fig. 1C: the completed MSC trials of Table 2 by country.
with table2 as (
    select row_no, country from curated.table2
),

final as (
    select country, count(*) as trials
    from table2
    group by country
    order by trials desc, country
)

select * from final
