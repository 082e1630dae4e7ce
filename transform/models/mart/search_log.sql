-- materialized: table
-- unique: run_id, source, query_id, scope
-- not_null: run_id, searched_at, source, database, interface, query_id, scope, query, total
-- One row per search a run sent (each query's `current` search and its `cutoff` search), with
-- what PRISMA-S asks a methods section to report (Rethlefsen et al. 2021, Syst Rev 10:39):
-- the database and the interface it was searched through (items 1 and 3), the search exactly
-- as sent (item 8) with its limits (item 9), the date (item 13) and the previous run of the
-- same search (item 12, a nightly update). The per-year counts and the record pages a run also
-- fetched are not separate searches: raw.pubmed_year_count and raw.ctgov_page keep them.
-- Rebuilt from raw tables kept for good, so it reaches back to the first night.
with ctgov_api as (
    select run_id, api_version from raw.ctgov_version
),

ctgov_sent as (
    select
        run_id,
        fetched_at,
        query_id,
        scope,
        total,
        url,
        -- the parameters that decide the result set, decoded; paging, the fields returned and
        -- countTotal do not (the full URL is kept beside them)
        list_transform(
            list_filter(
                string_split(split_part(url, '?', 2), '&'),
                lambda p: split_part(p, '=', 1)
                    not in ('pageSize', 'pageToken', 'fields', 'countTotal', 'format',
                            'markupFormat')
            ),
            lambda p: url_decode(replace(p, '+', ' '))
        ) as search_params
    from raw.ctgov_total
),

ctgov as (
    select
        sent.run_id,
        sent.fetched_at as searched_at,
        'ctgov' as source,
        'ClinicalTrials.gov' as database,
        'ClinicalTrials.gov API v2'
            || coalesce(', version ' || api.api_version, '')
            || ' (' || regexp_replace(sent.url, '/studies([?/].*)?$', '') || ')' as interface,
        sent.query_id,
        sent.scope,
        array_to_string(sent.search_params, '&') as query,
        null::varchar as translation,
        sent.total,
        sent.url,
        nullif(array_to_string(
            list_filter(sent.search_params,
                        lambda p: p like 'filter.%' or p like 'postFilter.%'),
            '&'), '') as limits
    from ctgov_sent as sent
    left join ctgov_api as api using (run_id)
),

pubmed as (
    select
        run_id,
        fetched_at as searched_at,
        'pubmed' as source,
        'PubMed' as database,
        'NCBI E-utilities esearch (' || regexp_replace(url, '/esearch\.fcgi.*$', '') || ')'
            as interface,
        query_id,
        scope,
        term as query,
        query_translation as translation,
        count as total,
        url,
        nullif(regexp_extract(term, '[0-9/]+:[0-9/]+\[crdt\]'), '') as limits
    from raw.pubmed_search
),

searches as (
    select * from ctgov
    union all
    select * from pubmed
),

spec as (
    select run_id, source, query_id, fingerprint from raw.spec_query
),

final as (
    select
        searches.*,
        spec.fingerprint,
        lag(searches.run_id) over (
            partition by searches.source, searches.query_id, searches.scope
            order by searches.searched_at, searches.run_id
        ) as previous_run_id
    from searches
    left join spec using (run_id, source, query_id)
    order by searches.run_id, searches.source, searches.query_id, searches.scope
)

select * from final
