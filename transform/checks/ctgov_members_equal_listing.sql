-- Identity, not counts (issue 11): for every query this run searched, the warehouse's members
-- are exactly the NCT ids the API listed for the whole query, id for id; the listing itself
-- holds as many distinct ids as the API's own totalCount; and every member has its record.
-- Two wrongs (one trial missing, another extra) would pass a count; they cannot pass this.
with listing as (
    select * from staging.stg_ctgov_listing
),

searched as (
    select distinct query_id, total from listing
),

listed as (
    select query_id, nct_id from listing where nct_id is not null
),

members as (
    select query_id, nct_id
    from core.ctgov_query_match
    where query_id in (select query_id from searched)
),

missing as (
    select query_id, nct_id, 'listed by the API, not a member' as problem
    from (select * from listed except select * from members)
),

extra as (
    select query_id, nct_id, 'a member the API did not list' as problem
    from (select * from members except select * from listed)
),

listing_short as (
    select s.query_id, null as nct_id,
           'listing has ' || count(l.nct_id) || ' ids, totalCount ' || s.total as problem
    from searched as s
    left join listed as l using (query_id)
    group by s.query_id, s.total
    having count(l.nct_id) <> s.total
),

without_record as (
    select m.query_id, m.nct_id, 'a member without a study record' as problem
    from members as m
    where not exists (select 1 from core.ctgov_study as s where s.nct_id = m.nct_id)
),

final as (
    select * from missing
    union all select * from extra
    union all select * from listing_short
    union all select * from without_record
)

select * from final
