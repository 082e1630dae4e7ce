"""The default review's folder end to end: its curated Table 2 and its own models through
SQL, and the report drawn with the panels its spec defines (issues 5 and 13)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from flows.settings import load_settings
from report import build_report


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_table2_marts_give_the_papers_figures(make_sandbox, refresh_against, msc_review):
    refresh_against(make_sandbox(ncbi_rate_limit=False), source="ctgov", spec=msc_review)
    db = refresh_against.db
    assert query(db, "select count(*) from curated.table2") == [(22,)]
    assert dict(query(db, "select country, trials from mart.fig1c_table2_by_country")) == {
        "China": 10, "Egypt": 4, "Iran": 2, "Korea": 2, "Switzerland": 2, "Turkey": 1,
        "Brazil": 1,
    }
    assert dict(query(db, "select route_class, trials from mart.fig1e_infusion_route")) == {
        "peripheral_vein": 14, "hepatic_artery": 5, "intrasplenic": 1, "mixed": 2,
    }
    doses = query(db, "select dose_unit, dose_low, dose_high from mart.fig1d_iv_dose")
    assert len(doses) == 14
    assert {unit for unit, _, _ in doses} == {"cells", "cells/kg"}
    assert all(0 < low <= high for _, low, high in doses)
    # the registered rows link to the registry, the paper's typo NCT0120492 included
    link = query(db, "select nct_text, nct_id, in_warehouse, in_review_query "
                     "from core.table2_registry_link where nct_text = 'NCT0120492'")
    assert link == [("NCT0120492", "NCT01220492", True, True)]


def test_report_draws_every_panel_and_the_tables(
    make_sandbox, refresh_against, tmp_path, msc_review
):
    server = make_sandbox(ncbi_rate_limit=False)
    refresh_against(server, source="all", spec=msc_review)
    server.ctgov_corpus.set_overall_status("NCT01220492", "TERMINATED")
    server.pubmed_corpus.translation_variant = 1
    refresh_against(server, source="all", spec=msc_review)
    out = tmp_path / "reports"
    settings = load_settings(msc_review, refresh_against.db, env={})
    index = build_report(refresh_against.db, out, cutoff=settings.cutoff, title="t",
                         paper=settings.paper, panels=settings.panels)
    html = index.read_text()
    for panel in ("fig1a", "fig1b", "fig1c", "fig1d", "fig1e", "history"):
        assert (out / f"{panel}.png").stat().st_size > 1000
        assert (out / f"{panel}.svg").read_text().lstrip().startswith("<?xml")
        assert f'src="{panel}.svg"' in html
    # paper vs now: the paper's numbers beside the warehouse's cut-off values
    assert re.search(r"<td class=\"num\">1,290</td><td class=\"num\">"
                     r"<span class=\"same\">1,290</span>", html)
    # every printed number of the spec's [paper] agrees at the cut-off (Fig. 1C and 1E too)
    assert 'class="diff"' not in html
    assert "Fig. 1C: China" in html and "Fig. 1E - Infusion routes" in html
    assert "NCT01220492" in html and "TERMINATED" in html  # the status change
    assert "Changes in PubMed" in html and "<code>" in html  # the translation change
    assert "http://" not in html.replace("http://www.w3.org", ""), "nothing fetched from outside"
