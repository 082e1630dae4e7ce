-- materialized: table
-- unique: run_id, source, query_id, record_id
-- not_null: run_id, source, query_id, record_id, change
-- What each published run changed in each query's result set: the PMIDs and NCT ids that
-- `entered` it or `left` it, and (trials only) the members `updated` in their overall status,
-- enrollment or sites. Rebuilt every night from the histories (the membership events of both
-- sources, the trial versions), so it always agrees with them and reaches back to their first
-- night. A query's first run lists its whole result set as `entered`, and so does the first
-- run of a reworded query (a new fingerprint starts a new history).
with runs as (
    select run_id, run_seq from ops.published_run
    union
    select run_id, run_seq from ops.build_params
),

versions as (
    select
        versions.nct_id,
        versions.run_id,
        runs.run_seq,
        versions.brief_title,
        versions.overall_status,
        versions.enrollment,
        versions.location_count,
        versions.locations_hash,
        lag(versions.overall_status) over by_study as previous_status,
        lag(versions.enrollment) over by_study as previous_enrollment,
        lag(versions.location_count) over by_study as previous_location_count,
        lag(versions.locations_hash) over by_study as previous_locations_hash,
        row_number() over by_study as version_no
    from core.ctgov_study_version as versions
    inner join runs using (run_id)
    window by_study as (partition by versions.nct_id order by versions.observed_at, versions.run_id)
),

ctgov_membership as (
    select run_id, run_seq, query_id, nct_id, in_query, fingerprint
    from core.ctgov_membership_event
),

ctgov_moves as (
    select
        moves.run_id,
        'ctgov' as source,
        moves.query_id,
        moves.nct_id as record_id,
        case when moves.in_query then 'entered' else 'left' end as change,
        versions.brief_title as title,
        moves.run_seq,
        moves.fingerprint,
        null::varchar as detail
    from ctgov_membership as moves
    -- the trial's title as of that run: its latest version seen by then
    asof left join versions
        on versions.nct_id = moves.nct_id and moves.run_seq >= versions.run_seq
),

changed_versions as (
    select *
    from versions
    where version_no > 1
      and (overall_status is distinct from previous_status
           or enrollment is distinct from previous_enrollment
           or locations_hash is distinct from previous_locations_hash)
),

-- the wording each CT.gov query was searched with in each run
wording as (
    select run_id, query_id, fingerprint from raw.spec_query where source = 'ctgov'
),

-- each membership state of a trial in a query, from the run it began to the next event's
membership_spans as (
    select
        query_id,
        nct_id,
        fingerprint,
        in_query,
        run_seq as from_seq,
        lead(run_seq) over (
            partition by query_id, nct_id, fingerprint order by run_seq
        ) as to_seq
    from ctgov_membership
),

ctgov_updates as (
    select
        changed.run_id,
        'ctgov' as source,
        spans.query_id,
        changed.nct_id as record_id,
        'updated' as change,
        changed.brief_title as title,
        changed.run_seq,
        spans.fingerprint,
        concat_ws('; ',
            case when changed.overall_status is distinct from changed.previous_status
                then 'status ' || coalesce(changed.previous_status, 'none') || ' -> '
                    || coalesce(changed.overall_status, 'none') end,
            case when changed.enrollment is distinct from changed.previous_enrollment
                then 'enrollment ' || coalesce(changed.previous_enrollment::varchar, 'none')
                    || ' -> ' || coalesce(changed.enrollment::varchar, 'none') end,
            case when changed.locations_hash is distinct from changed.previous_locations_hash
                then 'sites ' || coalesce(changed.previous_location_count, 0) || ' -> '
                    || changed.location_count
                    || case when changed.location_count = changed.previous_location_count
                        then ' (edited)' else '' end end
        ) as detail
    from changed_versions as changed
    inner join wording on wording.run_id = changed.run_id
    -- a member before this run and still one after it: an entry or an exit says more
    inner join membership_spans as spans
        on spans.query_id = wording.query_id
        and spans.fingerprint = wording.fingerprint
        and spans.nct_id = changed.nct_id
        and spans.in_query
        and spans.from_seq < changed.run_seq
        and (spans.to_seq is null or spans.to_seq > changed.run_seq)
),

pubmed_moves as (
    select
        run_id,
        'pubmed' as source,
        query_id,
        pmid as record_id,
        case when in_query then 'entered' else 'left' end as change,
        title,
        run_seq,
        fingerprint,
        null::varchar as detail
    from core.pubmed_membership_event
),

final as (
    select * from ctgov_moves
    union all
    select * from ctgov_updates
    union all
    select * from pubmed_moves
    order by run_seq, source, query_id, change, record_id
)

select * from final
