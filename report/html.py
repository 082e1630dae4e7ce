"""The HTML report: the panels the review's spec defines, the paper's numbers beside the
warehouse's, the history of the headline numbers, and what changed (trial statuses, PubMed's
reading of the queries).

Plain HTML with the figures as files beside it: no JavaScript, nothing fetched from outside, so
it opens anywhere, offline, without console errors.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from report.data import ReportData
from report.figures import (
    draw_bar,
    draw_history,
    draw_pie,
    draw_publications_by_year,
    draw_ranges,
    draw_trials_by_country,
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .muted { color: #666; font-size: 0.9rem; }
section { margin: 2rem 0; } figure { margin: 1rem 0; } img { max-width: 100%; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.diff { color: #b35900; font-weight: 600; } .same { color: #2a7a2a; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem; }
"""


def write_report(data: ReportData, out_dir: Path, *, cutoff: date, title: str, paper: dict,
                 panels=()) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    drawn = [(panel.title or panel.name, _draw(panel, data.panels.get(panel.name, []), cutoff,
                                               out_dir)) for panel in panels]
    history = draw_history(data.totals, out_dir)
    body = "\n".join([
        f"<h1>{escape(title or 'Review search statistics')}</h1>",
        f'<p class="muted">Warehouse: {escape(str(data.db_path))}; last successful run: '
        f"{escape(_last_run(data))}; cut-off {cutoff.isoformat()}.</p>",
        _section("Paper vs now", _paper_table(data, paper)),
        _section("Figures", '<div class="grid">' + "".join(
            _figure(label, name) for label, name in drawn) + "</div>"),
        _section("History of the headline numbers",
                 _figure("History", history) + _totals_table(data)),
        _section("New since the last run", _record_changes_table(data)),
        _section("Trials whose status changed in the latest run", _status_table(data)),
        _section("Changes in PubMed's reading of the queries", _translation_table(data)),
    ])
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title or 'Review statistics')}</title><style>{STYLE}</style>"
            f"</head><body>\n{body}\n</body></html>\n")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def _draw(panel, rows: list[tuple], cutoff: date, out_dir: Path) -> str | None:
    title, source = panel.title or panel.name, panel.source
    if panel.kind == "publications_by_year":
        return draw_publications_by_year(rows, cutoff, out_dir, panel.name, title, source)
    if panel.kind == "trials_by_country":
        return draw_trials_by_country(rows, out_dir, panel.name, title, source)
    if panel.kind == "ranges":
        return draw_ranges(rows, out_dir, panel.name, title, source)
    draw = draw_pie if panel.kind == "pie" else draw_bar
    return draw(rows, out_dir, panel.name, title, source, panel.labels)


def _section(heading: str, content: str) -> str:
    return f"<section><h2>{escape(heading)}</h2>\n{content}\n</section>"


def _figure(label: str, name: str | None) -> str:
    if name is None:
        return f'<p class="muted">{escape(label)}: no data in the warehouse yet.</p>'
    return (f'<figure><img src="{escape(name)}" alt="{escape(label)}">'
            f'<figcaption class="muted">{escape(label)} (<a href="{escape(name[:-4])}.png">'
            "PNG</a>)</figcaption></figure>")


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    lines = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        lines.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _latest_total(data: ReportData, source: str, scope: str) -> int | None:
    values = [r[5] for r in data.totals if r[2] == source and r[4] == scope]
    return values[-1] if values else None


def _paper_table(data: ReportData, paper: dict) -> str:
    """Each number the paper prints beside the warehouse's value at the cut-off and now.
    Search totals have both; a curated or derived number is the same in both columns."""
    rows = []

    def add(what: str, printed, cut, now) -> None:
        mark = "same" if printed == cut else "diff"
        shown = "" if cut is None else f'<span class="{mark}">{cut:,}</span>'
        rows.append([escape(what), _num(printed), shown, _num(now)])

    if "pubmed_publications" in paper:
        add("PubMed publications", paper["pubmed_publications"],
            _latest_total(data, "pubmed", "cutoff"), _latest_total(data, "pubmed", "current"))
    if "ctgov_trials" in paper:
        add("ClinicalTrials.gov trials", paper["ctgov_trials"],
            _latest_total(data, "ctgov", "cutoff"), _latest_total(data, "ctgov", "current"))
    for item in paper.get("numbers", []):
        value = data.paper_values.get(item["sql"])
        add(item["what"], item["printed"], value, value)
    for item in paper.get("breakdowns", []):
        found = data.paper_values.get(item["sql"]) or {}
        for key, printed in item["printed"].items():
            add(f"{item['what']}: {key}", printed, found.get(key), found.get(key))
    return _table(["Number", "Paper", "Warehouse at the cut-off", "Warehouse now"], rows,
                  numeric={1, 2, 3})


def _num(value) -> str:
    return "" if value is None else f"{value:,}"


def _totals_table(data: ReportData) -> str:
    rows = [[escape(str(r[1])[:19]), escape(r[2]), escape(r[3]), escape(r[4]), _num(r[5])]
            for r in data.totals[-40:]]
    return _table(["Run at", "Source", "Query", "Scope", "Total"], rows, numeric={4})


def _status_table(data: ReportData) -> str:
    rows = [[escape(nct), escape(old or ""), escape(new or ""), escape(str(when)[:10]),
             escape(title or "")] for nct, old, new, when, title in data.status_changes]
    return _table(["Trial", "Was", "Now", "Observed", "Title"], rows)


def _record_changes_table(data: ReportData) -> str:
    """Per query, the records the last run added, dropped or (trials) updated, with the first
    few titles; `review new` writes the added ones out for screening."""
    labels = {"pubmed": "PubMed", "ctgov": "ClinicalTrials.gov"}
    rows = [[escape(labels.get(source, source)), escape(query_id), escape(change), _num(n),
             escape("; ".join(t or "" for t in titles or []) + ("; ..." if n > 5 else ""))]
            for source, query_id, change, n, titles in data.record_changes]
    note = ('<p class="muted">Entered, left or (trials) updated in status, enrollment or sites; '
            "a query's first run lists all its records as entered. "
            "<code>review new</code> writes the entered records as RIS or CSV for "
            "screening.</p>")
    return note + _table(["Source", "Query", "Change", "Records", "First titles"], rows,
                         numeric={3})


def _translation_table(data: ReportData) -> str:
    rows = [[escape(str(fetched)[:19]), escape(query_id), escape(scope),
             f"<code>{escape(old or '')}</code>", f"<code>{escape(new or '')}</code>"]
            for _run, query_id, scope, old, new, fetched in data.translation_changes]
    return _table(["When", "Query", "Scope", "Before", "After"], rows)


def _last_run(data: ReportData) -> str:
    if not data.last_run:
        return "none"
    run_id, finished_at, _status = data.last_run
    return f"{run_id} ({str(finished_at)[:19]})"
