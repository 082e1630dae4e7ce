"""The report: figures and an HTML page drawn from the published warehouse's marts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from report.data import read_report_data
from report.html import write_report


def build_report(db_path: Path, out_dir: Path, *, cutoff: date, title: str = "",
                 paper: dict | None = None, panels=()) -> Path:
    """Write `out_dir/index.html` with the review's panels (flows.settings.Panel, as its spec
    gives them); returns the page's path."""
    data = read_report_data(db_path, panels, paper)
    return write_report(data, out_dir, cutoff=cutoff, title=title, paper=paper or {},
                        panels=panels)
