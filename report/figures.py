"""The panels of the review's Fig. 1, redrawn from the marts with matplotlib (PNG and SVG)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no display on a nightly server
import matplotlib.pyplot as plt  # noqa: E402

BLUE, ORANGE, GREY = "#1f77b4", "#ff7f0e", "#7f7f7f"
ROUTE_LABELS = {
    "peripheral_vein": "Peripheral vein",
    "hepatic_artery": "Hepatic artery",
    "intrasplenic": "Intrasplenic",
    "portal_vein": "Portal vein",
    "mixed": "Mixed (two routes)",
}


def _save(fig, out_dir: Path, name: str, source: str) -> str:
    fig.text(0.01, 0.01, source, fontsize=7, color=GREY, ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    for ext in ("png", "svg"):
        fig.savefig(out_dir / f"{name}.{ext}", dpi=120)
    plt.close(fig)
    return f"{name}.svg"


def draw_fig1a(rows: list[tuple], cutoff: date, out_dir: Path) -> str | None:
    """Per-year bars, both scopes; the cut-off year marked."""
    if not rows:
        return None
    by_scope: dict[str, dict[int, int]] = defaultdict(dict)
    for _query, scope, year, publications, _dedup in rows:
        if year is not None:
            by_scope[scope][year] = publications
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
    ax.set(title="Fig. 1A - PubMed publications per year", xlabel="Publication year [dp]",
           ylabel="Publications")
    ax.legend(frameon=False)
    return _save(fig, out_dir, "fig1a", "Source: PubMed (NCBI E-utilities), count per "
                 "(<query>) AND Y:Y[dp]; cut-off scope: created on or before the cut-off [crdt]")


def _barh(ax, labels: list[str], values: list[int], color: str) -> None:
    positions = range(len(labels))
    ax.barh(list(positions), values, color=color)
    ax.set_yticks(list(positions), labels)
    ax.invert_yaxis()
    for pos, value in zip(positions, values, strict=True):
        ax.text(value, pos, f" {value}", va="center", fontsize=8)


def draw_fig1b(rows: list[tuple], out_dir: Path) -> str | None:
    """Trials by country at the cut-off and now, side by side."""
    if not rows:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(10, max(3.5, 0.28 * len(rows) / 2 + 1.5)))
    for ax, scope, color in ((axes[0], "cutoff", BLUE), (axes[1], "current", ORANGE)):
        scoped = [r for r in rows if r[1] == scope]
        total = sum(1 for r in scoped if r[3] != "Unknown")
        _barh(ax, [r[3] for r in scoped], [r[4] for r in scoped], color)
        ax.set(title=f"{'At the cut-off' if scope == 'cutoff' else 'Now'} ({total} countries)",
               xlabel="Trials")
    fig.suptitle("Fig. 1B - ClinicalTrials.gov trials by country")
    return _save(fig, out_dir, "fig1b", "Source: ClinicalTrials.gov API v2; a trial counts "
                 "once per distinct country among its sites")


def draw_fig1c(rows: list[tuple], out_dir: Path) -> str | None:
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.6))
    _barh(ax, [r[0] for r in rows], [r[1] for r in rows], BLUE)
    ax.set(title=f"Fig. 1C - Table 2 trials by country ({sum(r[1] for r in rows)})",
           xlabel="Trials")
    return _save(fig, out_dir, "fig1c", "Source: the review's Table 2 (transform/table2.csv)")


def draw_fig1d(rows: list[tuple], out_dir: Path) -> str | None:
    """Doses on a log scale; per-kg and absolute doses on separate axes (not comparable)."""
    if not rows:
        return None
    units = [u for u in ("cells/kg", "cells") if any(r[5] == u for r in rows)]
    fig, axes = plt.subplots(1, len(units), figsize=(5 * len(units), 4), squeeze=False)
    for ax, unit in zip(axes[0], units, strict=True):
        unit_rows = [r for r in rows if r[5] == unit]
        labels = [f"{r[1]} {r[2]}" for r in unit_rows]
        for pos, (_row, _author, _year, low, high, _unit) in enumerate(unit_rows):
            ax.plot([low, high], [pos, pos], color=BLUE, linewidth=4, solid_capstyle="butt")
            ax.plot([low, high], [pos, pos], "o", color=BLUE, markersize=4)
        ax.set_xscale("log")
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set(xlabel=f"Dose per infusion ({unit}, log scale)")
    fig.suptitle(f"Fig. 1D - Peripheral intravenous MSC doses ({len(rows)} trials)")
    return _save(fig, out_dir, "fig1d", "Source: the review's Table 2; ranges drawn low-high")


def draw_fig1e(rows: list[tuple], out_dir: Path) -> str | None:
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(5.5, 4))
    labels = [f"{ROUTE_LABELS.get(r[0], r[0])} ({r[1]})" for r in rows]
    ax.pie([r[1] for r in rows], labels=labels, startangle=90, counterclock=False,
           wedgeprops={"linewidth": 1, "edgecolor": "white"})
    ax.set(title=f"Fig. 1E - Infusion routes ({sum(r[1] for r in rows)} trials)")
    return _save(fig, out_dir, "fig1e", "Source: the review's Table 2 (route_class)")


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
