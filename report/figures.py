"""The report's panels, drawn from the marts with matplotlib (PNG and SVG): one function per
kind of panel a review's spec can ask for (flows.settings.PANEL_KINDS)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on a nightly server
import matplotlib.pyplot as plt  # noqa: E402

BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#7f7f7f"


def _save(fig, out_dir: Path, name: str, source: str) -> str:
    fig.text(0.01, 0.01, source, fontsize=7, color=GREY, ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    for ext in ("png", "svg"):
        fig.savefig(out_dir / f"{name}.{ext}", dpi=120)
    plt.close(fig)
    return f"{name}.svg"


def draw_publications_by_year(rows: list[tuple], cutoff: date, out_dir: Path, name: str,
                              title: str, source: str = "") -> str | None:
    """Per-year bars, both scopes; the cut-off year marked. Rows: (query_id, scope, year,
    publications, publications_dedup); several queries are summed per year and scope."""
    if not rows:
        return None
    by_scope: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _query, scope, year, publications, _dedup in rows:
        if year is not None:
            by_scope[scope][year] += publications
    years = sorted({y for counts in by_scope.values() for y in counts})
    fig, ax = plt.subplots(figsize=(9, 4.2))
    width = 0.4
    for offset, scope, color in ((-width / 2, "cutoff", BLUE), (width / 2, "current", ORANGE)):
        values = [by_scope[scope].get(y, 0) for y in years]
        label = f"as of {cutoff.isoformat()} (cut-off)" if scope == "cutoff" else "now"
        ax.bar([y + offset for y in years], values, width, label=label, color=color)
    # a year's bars span year-0.5..year+0.5: place the line at the cut-off's day of its year
    where = cutoff.year - 0.5 + (cutoff.timetuple().tm_yday - 1) / 365
    ax.axvline(where, color=GREY, linestyle="--", linewidth=1)
    ax.text(where + 0.05, ax.get_ylim()[1] * 0.95, "cut-off", color=GREY, fontsize=8)
    ax.set(title=title, xlabel="Publication year [dp]", ylabel="Publications")
    ax.legend(frameon=False)
    return _save(fig, out_dir, name, source or "Source: PubMed (NCBI E-utilities), count per "
                 "(<query>) AND Y:Y[dp]; cut-off scope: created on or before the cut-off [crdt]")


def _barh(ax, labels: list[str], values: list[int], color: str) -> None:
    positions = range(len(labels))
    ax.barh(list(positions), values, color=color)
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    for pos, value in zip(positions, values, strict=True):
        ax.text(value, pos, f" {value}", va="center", fontsize=8)


def draw_trials_by_country(rows: list[tuple], out_dir: Path, name: str, title: str,
                           source: str = "") -> str | None:
    """Trials by country at the cut-off and now, side by side. Rows: (query_id, scope, code,
    country, trials); several queries are summed per country."""
    if not rows:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(10, max(3.5, 0.28 * len(rows) / 2 + 1.5)))
    for ax, scope, color in ((axes[0], "cutoff", BLUE), (axes[1], "current", ORANGE)):
        counts: dict[str, int] = defaultdict(int)
        for r in rows:
            if r[1] == scope:
                counts[r[3]] += r[4]
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        known = sum(1 for country, _ in ranked if country != "Unknown")
        _barh(ax, [c for c, _ in ranked], [n for _, n in ranked], color)
        ax.set(title=f"{'At the cut-off' if scope == 'cutoff' else 'Now'} ({known} countries)",
               xlabel="Trials")
    fig.suptitle(title)
    return _save(fig, out_dir, name, source or "Source: ClinicalTrials.gov API v2; a trial "
                 "counts once per distinct country among its sites")


def draw_bar(rows: list[tuple], out_dir: Path, name: str, title: str, source: str = "",
             labels: dict | None = None) -> str | None:
    """Horizontal bars; rows: (label, value, ...)."""
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: (-r[1], str(r[0])))
    fig, ax = plt.subplots(figsize=(6, max(3.0, 0.3 * len(rows) + 1.5)))
    _barh(ax, [(labels or {}).get(r[0], str(r[0])) for r in rows], [r[1] for r in rows], BLUE)
    ax.set(title=f"{title} ({sum(r[1] for r in rows)})", xlabel="Trials")
    return _save(fig, out_dir, name, source)


def draw_ranges(rows: list[tuple], out_dir: Path, name: str, title: str,
                source: str = "") -> str | None:
    """Ranges on a log scale, one axis per unit (per-kg and absolute doses do not compare).
    Rows: (label, low, high, unit)."""
    if not rows:
        return None
    units = sorted({r[3] for r in rows}, key=lambda u: (u != "cells/kg", str(u)))
    fig, axes = plt.subplots(1, len(units), figsize=(5 * len(units), 4), squeeze=False)
    for ax, unit in zip(axes[0], units, strict=True):
        unit_rows = sorted((r for r in rows if r[3] == unit), key=lambda r: (r[1], r[0]))
        for pos, (_label, low, high, _unit) in enumerate(unit_rows):
            ax.plot([low, high], [pos, pos], color=BLUE, linewidth=4, solid_capstyle="butt")
            ax.plot([low, high], [pos, pos], "o", color=BLUE, markersize=4)
        ax.set_xscale("log")
        ax.set_yticks(range(len(unit_rows)), [str(r[0]) for r in unit_rows], fontsize=8)
        ax.invert_yaxis()
        ax.set(xlabel=f"Per infusion ({unit}, log scale)")
    fig.suptitle(f"{title} ({len(rows)} trials)")
    return _save(fig, out_dir, name, source)


def draw_pie(rows: list[tuple], out_dir: Path, name: str, title: str, source: str = "",
             labels: dict | None = None) -> str | None:
    """Shares of a whole; rows: (label, value, ...)."""
    if not rows:
        return None
    rows = sorted(rows, key=lambda r: (-r[1], str(r[0])))
    fig, ax = plt.subplots(figsize=(5.5, 4))
    names = [f"{(labels or {}).get(r[0], r[0])} ({r[1]})" for r in rows]
    ax.pie([r[1] for r in rows], labels=names, startangle=90, counterclock=False,
           wedgeprops={"linewidth": 1, "edgecolor": "white"})
    ax.set(title=f"{title} ({sum(r[1] for r in rows)} trials)")
    return _save(fig, out_dir, name, source)


def draw_history(rows: list[tuple], out_dir: Path) -> str | None:
    """The headline numbers across runs, one line per source, query and scope."""
    if not rows:
        return None
    series: dict[str, list[tuple]] = defaultdict(list)
    for _run, run_at, source, query_id, scope, total in rows:
        series[f"{source} {query_id} ({scope})"].append((run_at, total))
    fig, ax = plt.subplots(figsize=(9, 3.8))
    for label, points in sorted(series.items()):
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    ax.set(title="Headline numbers, run by run", xlabel="Run", ylabel="Total")
    moments = sorted({p[0] for points in series.values() for p in points})
    if len(moments) == 1:  # one run: a day either side, not matplotlib's default decade
        ax.set_xlim(moments[0] - timedelta(days=1), moments[0] + timedelta(days=1))
    ax.legend(frameon=False, fontsize=8)
    fig.autofmt_xdate()
    return _save(fig, out_dir, "history", "Source: mart.search_totals (the APIs' own totals)")
