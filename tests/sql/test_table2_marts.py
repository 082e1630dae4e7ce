"""The Table 2 marts of the default review (reviews/msc_liver/models/mart: Fig. 1C, 1D, 1E),
against counts computed here from the CSV the build loads, read and checked by
transform.table2.load_table2 (the curated table's own checker, named in review.toml). No number
of the paper is written here: a corrected reading in the CSV moves both sides alike.
"""

from __future__ import annotations

from collections import Counter

import pytest

from transform.table2 import CSV_PATH, ROUTE_CLASSES, load_table2


@pytest.fixture
def table2(warehouse, review_settings) -> list[dict]:
    """A build (no search needed: the curated tables are loaded on every build, whatever the
    run searched), and the rows of the very file it loaded."""
    [curated] = [t for t in review_settings.curated if t.name == "table2"]
    assert curated.path == CSV_PATH  # the default review's transcription
    warehouse.run().query("q").build()  # a spec with a query the run did not search
    return load_table2(curated.path)


def by_count(counter: Counter) -> list[tuple[str, int]]:
    """The marts' order: most trials first, then by name."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def test_curated_table2_is_the_csv_row_for_row(warehouse, table2, review_settings):
    [curated] = [t for t in review_settings.curated if t.name == "table2"]
    columns = list(curated.columns)
    loaded = warehouse.rows(f"select {', '.join(columns)} from curated.table2 order by row_no")
    expected = [tuple(None if row[c] == "" else row[c] for c in columns) for row in table2]
    assert loaded == expected


def test_fig1c_counts_table2_rows_per_printed_country(warehouse, table2):
    expected = by_count(Counter(row["country"] for row in table2))
    assert warehouse.rows("select country, trials from mart.fig1c_table2_by_country") == expected
    assert sum(n for _, n in expected) == len(table2)


def test_fig1e_counts_table2_rows_per_route_class(warehouse, table2):
    expected = by_count(Counter(row["route_class"] for row in table2))
    assert warehouse.rows("select route_class, trials from mart.fig1e_infusion_route") == expected
    assert {route for route, _ in expected} <= set(ROUTE_CLASSES)


def test_fig1d_lists_the_peripheral_vein_rows_with_their_doses(warehouse, table2):
    iv = [row for row in table2 if row["route_class"] == "peripheral_vein"]
    expected = [(r["row_no"], r["first_author"], r["year"], r["dose_low"], r["dose_high"],
                 r["dose_unit"]) for r in iv]
    # ordered by unit, then dose (per-kg and absolute doses are not one axis), then row
    expected.sort(key=lambda r: ((r[5] is None, r[5]), (r[3] is None, r[3]), r[0]))
    assert warehouse.rows("select row_no, first_author, year, dose_low, dose_high, dose_unit "
                          "from mart.fig1d_iv_dose") == expected
    assert {unit for *_, unit in expected} <= {"cells", "cells/kg", None}
