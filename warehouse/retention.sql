-- Raw records are kept for the last few runs that landed them (audit, re-builds); older ones
-- are already folded into core (ctgov_study_version keeps every version of every study).
-- Page metadata, totals and searches are small and kept for good.
delete from raw.ctgov_study
where run_id not in (
    select run_id from (select distinct run_id from raw.ctgov_study) order by run_id desc limit 3
);

delete from raw.pubmed_article
where run_id not in (
    select run_id from (select distinct run_id from raw.pubmed_article)
    order by run_id desc limit 3
);

delete from raw.pubmed_efetch_page
where run_id not in (
    select run_id from (select distinct run_id from raw.pubmed_efetch_page)
    order by run_id desc limit 3
);
