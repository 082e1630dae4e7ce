-- materialized: table
-- unique: route_class
-- not_null: route_class
-- Fig. 1E: Table 2's trials by infusion route class.
with table2 as (
    select row_no, route_class from curated.table2
),

final as (
    select route_class, count(*) as trials
    from table2
    group by route_class
    order by trials desc, route_class
)

select * from final
