-- Every page the API announced is here: a page with a token has a successor (an empty page
-- with a token is followed too: the API may send one mid-stream), and each page's studies all
-- reached raw.ctgov_study.
with pages as (
    select * from raw.ctgov_page where run_id = (select run_id from ops.build_params)
),

missing_successor as (
    select p.query_id, p.purpose, p.page_no, 'no page after a token' as problem
    from pages as p
    where p.next_page_token is not null
      and not exists (
          select 1 from pages as q
          where q.query_id = p.query_id and q.purpose = p.purpose and q.page_no = p.page_no + 1
      )
),

landed as (
    select query_id, purpose, page_no, count(*) as n
    from raw.ctgov_study
    where run_id = (select run_id from ops.build_params)
    group by all
),

short_pages as (
    select p.query_id, p.purpose, p.page_no, 'studies missing from landing' as problem
    from pages as p
    left join landed as l using (query_id, purpose, page_no)
    where coalesce(l.n, 0) <> p.n_studies
),

final as (
    select * from missing_successor union all select * from short_pages
)

select * from final
