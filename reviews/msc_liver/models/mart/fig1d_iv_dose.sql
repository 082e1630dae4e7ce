-- materialized: table
-- unique: row_no
-- not_null: row_no
-- Fig. 1D: the dose per infusion of the peripheral-vein trials of Table 2. Per-kg and absolute
-- doses are different quantities: dose_unit keeps them apart, a chart must not mix them.
with table2 as (
    select * from curated.table2
),

final as (
    select row_no, first_author, year, dose_low, dose_high, dose_unit, dose_text, reading_flag
    from table2
    where route_class = 'peripheral_vein'
    order by dose_unit, dose_low, row_no
)

select * from final
