"""The HTML report: the five panels, the paper's numbers beside the warehouse's, the history of
the headline numbers, and what changed (trial statuses, PubMed's reading of the queries).

Plain HTML with the figures as files beside it: no JavaScript, nothing fetched from outside, so
it opens anywhere, offline, without console errors.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path

from report.data import ReportData
from report.figures import (
    ROUTE_LABELS,
    draw_fig1a,
    draw_fig1b,
    draw_fig1c,
    draw_fig1d,
    draw_fig1e,
    draw_history,
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


def write_report(data: ReportData, out_dir: Path, *, cutoff: date, title: str, paper: dict
                 ) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    panels = [
        ("Fig. 1A", draw_fig1a(data.fig1a, cutoff, out_dir)),
        ("Fig. 1B", draw_fig1b(data.fig1b, out_dir)),
        ("Fig. 1C", draw_fig1c(data.fig1c, out_dir)),
        ("Fig. 1D", draw_fig1d(data.fig1d, out_dir)),
        ("Fig. 1E", draw_fig1e(data.fig1e, out_dir)),
    ]
    history = draw_history(data.totals, out_dir)
    body = "\n".join([
        f"<h1>{escape(title or 'Review search statistics')}</h1>",
        f'<p class="muted">Warehouse: {escape(str(data.db_path))}; last successful run: '
        f"{escape(_last_run(data))}; cut-off {cutoff.isoformat()}.</p>",
        _section("Paper vs now", _paper_table(data, paper)),
        _section("Fig. 1", '<div class="grid">' + "".join(
            _figure(label, name) for label, name in panels) + "</div>"),
        _section("History of the headline numbers",
                 _figure("History", history) + _totals_table(data)),
        _section("Trials whose status changed in the latest run", _status_table(data)),
        _section("Changes in PubMed's reading of the queries", _translation_table(data)),
    ])
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title or 'Review statistics')}</title><style>{STYLE}</style>"
            f"</head><body>\n{body}\n</body></html>\n")
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


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
    rows = []

    def add(what: str, printed, cut, now) -> None:
        mark = "same" if printed == cut else "diff"
        shown = "" if cut is None else f'<span class="{mark}">{cut:,}</span>'
        rows.append([escape(what), _num(printed), shown, _num(now)])

    add("PubMed publications (Fig. 1A)", paper.get("pubmed_publications"),
        _latest_total(data, "pubmed", "cutoff"), _latest_total(data, "pubmed", "current"))
    add("ClinicalTrials.gov trials (Fig. 1B)", paper.get("ctgov_trials"),
        _latest_total(data, "ctgov", "cutoff"), _latest_total(data, "ctgov", "current"))
    table2 = sum(r[1] for r in data.fig1c) if data.fig1c else None
    add("Table 2 trials (Fig. 1C, 1E)", paper.get("table2_trials"), table2, table2)
    add("Peripheral-vein dose trials (Fig. 1D)", paper.get("iv_dose_trials"),
        len(data.fig1d) or None, len(data.fig1d) or None)
    by_country = dict(data.fig1c)
    for country, printed in paper.get("fig1c", {}).items():
        add(f"Fig. 1C: {country}", printed, by_country.get(country), by_country.get(country))
    by_route = dict(data.fig1e)
    for route, printed in paper.get("fig1e", {}).items():
        value = by_route.get(route)
        add(f"Fig. 1E: {ROUTE_LABELS.get(route, route)}", printed, value, value)
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
