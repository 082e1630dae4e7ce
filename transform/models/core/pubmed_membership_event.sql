-- materialized: incremental
-- unique: query_id, pmid, run_seq, fingerprint
-- not_null: query_id, pmid, fingerprint
-- Entries into and exits from each PubMed query's result set, like core.ctgov_membership_event.
-- Every PubMed harvest fetches the query's whole set, but raw.pubmed_article keeps only the
-- last 3 runs (warehouse/retention.sql), so the history lives here. A query counts as searched
-- by this run only if its latest harvest under its present fingerprint is this run's
-- (staging.stg_pubmed_latest_run): a CT.gov-only run adds nothing. The members before are the
-- latest events under the present fingerprint, so a reworded query starts a history of its
-- own. The title is kept with each event: a record that left is in no later harvest.
with params as (
    select run_id, run_seq from ops.build_params
),

spec as (
    select query_id, fingerprint from core.review_query where source = 'pubmed'
),

searched as (
    select query_id
    from staging.stg_pubmed_latest_run
    where run_id = (select run_id from params)
),

listed as (
    select query_id, pmid, title
    from staging.stg_pubmed_article
    where query_id in (select query_id from searched)
),

members_before as (
    select events.query_id, events.pmid, events.in_query, events.title
    from core.pubmed_membership_event as events
    inner join spec using (query_id, fingerprint)
    qualify row_number() over (
        partition by events.query_id, events.pmid order by events.run_seq desc
    ) = 1
),

entered as (
    select listed.query_id, listed.pmid, true as in_query, listed.title
    from listed
    where not exists (
        select 1 from members_before as b
        where b.query_id = listed.query_id and b.pmid = listed.pmid and b.in_query
    )
),

gone as (
    select b.query_id, b.pmid, b.title
    from members_before as b
    where b.in_query
      and b.query_id in (select query_id from searched)
      and not exists (
          select 1 from listed
          where listed.query_id = b.query_id and listed.pmid = b.pmid
      )
),

-- a record that left: its title from the last harvest that still had it (raw keeps 3 runs,
-- and the previous harvest is one of them), else from the event that saw it enter
last_titles as (
    select pmid, article ->> 'title' as title
    from raw.pubmed_article
    where pmid in (select pmid from gone)
    qualify row_number() over (partition by pmid order by run_id desc, batch_no desc) = 1
),

exited as (
    select gone.query_id, gone.pmid, false as in_query, coalesce(t.title, gone.title) as title
    from gone
    left join last_titles as t using (pmid)
),

final as (
    select
        changes.query_id,
        changes.pmid,
        changes.in_query,
        params.run_id,
        params.run_seq,
        spec.fingerprint,
        changes.title
    from (select * from entered union all select * from exited) as changes
    inner join spec using (query_id)
    cross join params
)

select * from final
