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
