-- materialized: table
-- unique: source, query_id, scope
-- Totals of this run that fell by more than the spec's share (review.max_total_drop) since the
-- last published search of the same query, with the same fingerprint and, for PubMed, the same
-- QueryTranslation. A real registry rarely loses 5% of a query overnight; an outage, a
-- truncated answer or a changed index often does. The run refuses to publish these rows unless
-- `review refresh --accept-drop` set accept_drop (warehouse.build.sudden_drops).
with params as (
    select run_id, max_total_drop, accept_drop from ops.build_params
),

totals as (
    select * from mart.search_totals where fingerprint is not null
),

this_run as (
    select * from totals where run_id = (select run_id from params)
),

previous as (
    select *
    from totals
    where run_id <> (select run_id from params)
    qualify row_number() over (
        partition by source, query_id, scope, fingerprint order by run_at desc, run_id desc
    ) = 1
),

translations as (
    select run_id, query_id, scope, query_translation from raw.pubmed_search
),

compared as (
    select
        this_run.source,
        this_run.query_id,
        this_run.scope,
        previous.run_id as previous_run_id,
        previous.total as previous_total,
        this_run.total,
        (previous.total - this_run.total) / previous.total as drop_share
    from this_run
    inner join previous using (source, query_id, scope, fingerprint)
    left join translations as now_t
        on this_run.source = 'pubmed' and now_t.run_id = this_run.run_id
        and now_t.query_id = this_run.query_id and now_t.scope = this_run.scope
    left join translations as then_t
        on this_run.source = 'pubmed' and then_t.run_id = previous.run_id
        and then_t.query_id = this_run.query_id and then_t.scope = this_run.scope
    where previous.total > 0
      and now_t.query_translation is not distinct from then_t.query_translation
),

final as (
    select compared.*, params.accept_drop as accepted
    from compared
    cross join params
    where compared.drop_share > params.max_total_drop
)

select * from final
