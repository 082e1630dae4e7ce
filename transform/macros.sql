-- Macros the models share. Loaded by the build before any model runs.

-- A registry date is partial: yyyy, yyyy-MM or yyyy-MM-dd. Its first possible day, so that
-- "on or before the cut-off" never counts a study whose month straddles it as earlier.
create or replace macro partial_date_start(d) as
    case
        when d is null then null
        when length(d) = 4 then try_cast(d || '-01-01' as date)
        when length(d) = 7 then try_cast(d || '-01' as date)
        else try_cast(d as date)
    end;

-- What counts as a change of a study: its record, less derivedSection's versionHolder (new
-- every day) and with the derivedSection MeSH lists in a fixed order (they arrive shuffled).
create or replace macro sorted_json_list(r, path) as
    array_to_string(list_sort(try_cast(json_extract(r, path) as varchar[])), ',');

create or replace macro study_content_hash(r) as md5(concat_ws('|',
    cast(json_merge_patch(r, '{"derivedSection": {"miscInfoModule": {"versionHolder": null},
        "conditionBrowseModule": null, "interventionBrowseModule": null}}') as varchar),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.meshes'),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.ancestors'),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.browseLeaves'),
    sorted_json_list(r, '$.derivedSection.conditionBrowseModule.browseBranches'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.meshes'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.ancestors'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.browseLeaves'),
    sorted_json_list(r, '$.derivedSection.interventionBrowseModule.browseBranches')
));
