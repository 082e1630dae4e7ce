-- The run that last searched each PubMed query of the spec under its present wording (the
-- same fingerprint): a reworded query, or a moved cut-off, is never answered from what an
-- earlier wording left behind, and a query removed from the spec has no row here.
with spec as (
    select query_id, fingerprint
    from raw.spec_query
    where source = 'pubmed' and run_id = (select run_id from ops.build_params)
),

searched as (
    select distinct searches.run_id, searches.query_id, sent.fingerprint
    from raw.pubmed_search as searches
    inner join raw.spec_query as sent
        on sent.run_id = searches.run_id
        and sent.source = 'pubmed'
        and sent.query_id = searches.query_id
),

final as (
    select spec.query_id, max(searched.run_id) as run_id
    from spec
    inner join searched using (query_id, fingerprint)
    group by spec.query_id
)

select * from final
