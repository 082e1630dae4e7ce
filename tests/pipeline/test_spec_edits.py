"""An edited review spec always takes effect on the next run (issue 15).

Each test starts from a published warehouse, edits the spec, and refreshes again the same day
with no registry change in between (the sandbox's dataTimestamp does not move), without
`--full`: the shortcuts ("registry unchanged", the delta) must not apply to an edited query.
"""

from __future__ import annotations

from pathlib import Path

from test_ctgov_refresh import query

SECOND_CTGOV = '''
[[ctgov.queries]]
id = "msc_cirrhosis"
"query.term" = "mesenchymal AND cirrhosis"
'''


def current_figures(db: Path, query_id: str) -> dict[str, list]:
    return {
        "members": query(db, "select nct_id from core.ctgov_query_match where query_id = ? "
                             "order by 1", [query_id]),
        "fig1b": query(db, "select scope, country_code, country, trials "
                           "from mart.trials_by_country where query_id = ? "
                           "order by all", [query_id]),
        "totals": query(db, "select scope, total from mart.search_totals "
                            "where query_id = ? and source = 'ctgov' "
                            "qualify row_number() over (partition by scope "
                            "order by run_at desc) = 1 order by scope", [query_id]),
    }


def write_spec(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_query_added_to_the_spec_is_harvested_the_same_day(
    make_sandbox, refresh_against, tmp_path, spec_file
):
    base = spec_file.read_text(encoding="utf-8")
    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    spec = write_spec(tmp_path / "added.toml", base + SECOND_CTGOV)
    summary = refresh_against(server, spec=spec)
    fresh = tmp_path / "fresh.duckdb"
    refresh_against(server, spec=spec, db=fresh, full=True)
    added = current_figures(db, "msc_cirrhosis")
    assert added == current_figures(fresh, "msc_cirrhosis")
    assert added["members"], "the new query matches trials in the sandbox"
    assert current_figures(db, "msc_liver") == current_figures(fresh, "msc_liver")
    assert summary["status"] == "ok"
    assert any("msc_cirrhosis: new query, full harvest" in line for line in summary["plan"])
    assert any("msc_liver: registry unchanged" in line for line in summary["plan"])


def test_a_reworded_query_has_exactly_the_new_wordings_members(
    make_sandbox, refresh_against, tmp_path, spec_file
):
    base = spec_file.read_text(encoding="utf-8")
    server = make_sandbox()
    refresh_against(server)
    db = refresh_against.db
    old = {r[0] for r in current_figures(db, "msc_liver")["members"]}
    reworded = base.replace('"mesenchymal stem cell AND liver diseases"',
                            '"mesenchymal AND cirrhosis"')
    spec = write_spec(tmp_path / "reworded.toml", reworded)
    summary = refresh_against(server, spec=spec)
    fresh = tmp_path / "fresh.duckdb"
    refresh_against(server, spec=spec, db=fresh, full=True)
    new = current_figures(db, "msc_liver")
    assert new == current_figures(fresh, "msc_liver")
    assert {r[0] for r in new["members"]} != old
    assert any("msc_liver: query changed since run" in line and "(query.term)" in line
               for line in summary["plan"])
    # the old wording's history is kept, under its own fingerprint
    fingerprints = query(db, "select count(distinct fingerprint) from core.ctgov_membership_event")
    assert fingerprints == [(2,)]


def test_a_moved_cutoff_moves_the_cutoff_figures(
    make_sandbox, refresh_against, tmp_path, spec_file
):
    base = spec_file.read_text(encoding="utf-8")
    server = make_sandbox(ncbi_rate_limit=False)
    refresh_against(server, source="all")
    db = refresh_against.db
    before = current_figures(db, "msc_liver")
    spec = write_spec(tmp_path / "moved.toml",
                      base.replace("cutoff = 2022-04-29", "cutoff = 2019-12-31"))
    summary = refresh_against(server, spec=spec, source="all")
    assert summary["status"] == "ok"
    fresh = tmp_path / "fresh.duckdb"
    refresh_against(server, spec=spec, db=fresh, full=True, source="all")
    after = current_figures(db, "msc_liver")
    assert after == current_figures(fresh, "msc_liver")
    assert dict(after["totals"])["cutoff"] < dict(before["totals"])["cutoff"]
    fig1a = ("select scope, year, publications, publications_dedup "
             "from mart.publications_by_year where scope = 'cutoff' order by all")
    assert query(db, fig1a) == query(fresh, fig1a)
    assert max(year for _, year, _, dedup in query(db, fig1a) if dedup) <= 2020


def test_a_removed_query_leaves_the_current_figures_and_keeps_its_past(
    make_sandbox, refresh_against, tmp_path, spec_file
):
    base = spec_file.read_text(encoding="utf-8")
    from flows.settings import load_settings
    from report import build_report

    server = make_sandbox()
    db = refresh_against.db
    both = write_spec(tmp_path / "both.toml", base + SECOND_CTGOV)
    refresh_against(server, spec=both)
    assert current_figures(db, "msc_cirrhosis")["members"]
    summary = refresh_against(server, spec=write_spec(tmp_path / "one.toml", base))
    gone = current_figures(db, "msc_cirrhosis")
    assert gone["members"] == [] and gone["fig1b"] == []
    assert summary["status"] == "ok"
    assert any("msc_cirrhosis: removed from the spec" in line for line in summary["plan"])
    past = query(db, "select count(*) from mart.search_totals where query_id = 'msc_cirrhosis'")
    assert past[0][0] == 2  # current and cutoff, from the first run
    settings = load_settings(tmp_path / "one.toml", db)
    index = build_report(db, tmp_path / "report", cutoff=settings.cutoff)
    html = index.read_text(encoding="utf-8")
    assert "msc_cirrhosis" not in html
    assert "msc_liver" in html
