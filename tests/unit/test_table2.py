"""Table 2 (22 completed MSC trials): parsers on every printed cell, and the checked CSV."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from transform.table2 import (
    CSV_PATH,
    ROUTE_CLASSES,
    Dose,
    Infusions,
    Table2Error,
    classify_route,
    load_table2,
    normalize_dose_text,
    parse_author,
    parse_dose,
    parse_infusions,
    parse_n,
    parse_nct,
    split_design,
)

CONTRACT = [
    "row_no",
    "country",
    "first_author",
    "ref_no",
    "nct_id",
    "year",
    "design",
    "follow_up",
    "disease",
    "n",
    "cell_source",
    "dose_text",
    "dose_low",
    "dose_high",
    "dose_unit",
    "infusions",
    "interval_text",
    "route_text",
    "route_class",
]
TRANSPARENCY = ["nct_text", "infusions_text", "reading_flag", "reading_note"]

# Every dose cell as the PDF text prints it, in the paper's order.
PRINTED_DOSES = [
    ("3.173×10^{7}", Dose(3.173e7, 3.173e7, "cells", None)),
    (r"$3-5 \times 10^{7}$", Dose(3e7, 5e7, "cells", None)),
    ("1×10^{7}", Dose(1e7, 1e7, "cells", None)),
    (r"$0.5 \times 10^6 / \mathrm{kg}$", Dose(5e5, 5e5, "cells/kg", None)),
    (r"$1 \times 10^6 \text{/kg}$", Dose(1e6, 1e6, "cells/kg", None)),
    (r"$0.5 \times 10^6/\mathrm{kg}$", Dose(5e5, 5e5, "cells/kg", None)),
    (r"$1.20-2.95 \times 10^8$", Dose(1.2e8, 2.95e8, "cells", None)),
    ("1×10^{7}", Dose(1e7, 1e7, "cells", None)),
    (r"3 to $5 \times 10^5 \text{kg}$", Dose(3e5, 5e5, "cells/kg", None)),
    ("1 × 10°/kg", Dose(None, None, "cells/kg", "ocr_dose_exponent")),
    ("5 × 10 ⁷", Dose(5e7, 5e7, "cells", None)),
    (r"$0.75 \pm 0.50 \times 10^{6}$", Dose(7.5e5, 7.5e5, "cells", None)),
    ("1×10^{6}", Dose(1e6, 1e6, "cells", None)),
    ("5×10^7", Dose(5e7, 5e7, "cells", None)),
    ("1×10^{6} /kg", Dose(1e6, 1e6, "cells/kg", None)),
    (r"$0.47 \pm 0.15 \times 10^{8/2}$ kg", Dose(None, None, "cells/kg", "ocr_dose_exponent")),
    (r"$0.5 \times 10^{\circ} / kg$", Dose(None, None, "cells/kg", "ocr_dose_exponent")),
    (r"$3.4 \pm 3.8 \times 10^{8}$", Dose(3.4e8, 3.4e8, "cells", None)),
    (r"$0.5 \times 10^{\circ}$ /kg", Dose(None, None, "cells/kg", "ocr_dose_exponent")),
    ("0.2 × 10 ⁸", Dose(2e7, 2e7, "cells", None)),
    (r"1 to $10 \times 10^{5}/\text{kg}$", Dose(1e5, 1e6, "cells/kg", None)),
    ("1×10^{6} /kg", Dose(1e6, 1e6, "cells/kg", None)),
]

# The same doses as a person would type them, and the Brazil row's stray copy "1 × 10⁶/kg".
NORMALIZED_DOSES = [
    ("3-5x10^7", Dose(3e7, 5e7, "cells", None)),
    ("0.5x10^6/kg", Dose(5e5, 5e5, "cells/kg", None)),
    ("1.20-2.95x10^8", Dose(1.2e8, 2.95e8, "cells", None)),
    ("0.75 ± 0.50 × 10^6", Dose(7.5e5, 7.5e5, "cells", None)),
    ("3.4 ± 3.8 × 10^8", Dose(3.4e8, 3.4e8, "cells", None)),
    ("0.47 ± 0.15 × 10^8/kg", Dose(4.7e7, 4.7e7, "cells/kg", None)),
    ("3.173×10^7", Dose(3.173e7, 3.173e7, "cells", None)),
    ("3 to 5 × 10^5/kg", Dose(3e5, 5e5, "cells/kg", None)),
    ("1 to 10 × 10^5/kg", Dose(1e5, 1e6, "cells/kg", None)),
    ("0.2 × 10^8", Dose(2e7, 2e7, "cells", None)),
    ("1×10^6/kg", Dose(1e6, 1e6, "cells/kg", None)),
    ("1 × 10⁶/kg", Dose(1e6, 1e6, "cells/kg", None)),
    ("5 × 10⁷", Dose(5e7, 5e7, "cells", None)),
    ("2 X 10^8", Dose(2e8, 2e8, "cells", None)),
    ("1 – 2 × 10^{6}", Dose(1e6, 2e6, "cells", None)),
]

# Every "Infusion route" cell as printed, in the paper's order, with its class.
PRINTED_ROUTES = [
    ("Peripheral vein", "peripheral_vein"),
    ("Portal or peripheral vein", "mixed"),
    ("Intra-splenic or periph- eral vein", "mixed"),
    ("Peripheral vein", "peripheral_vein"),
    ("Peripheral vein", "peripheral_vein"),
    ("Peripheral vein", "peripheral_vein"),
    ("Peripheral vein", "peripheral_vein"),
    ("Intrasplenic injection", "intrasplenic"),
    ("Peripheral vein", "peripheral_vein"),
    ("Peripheral vein", "peripheral_vein"),
    ("Hepatic artery", "hepatic_artery"),
    ("Hepatic artery", "hepatic_artery"),
    ("Peripheral vein", "peripheral_vein"),
    ("Hepatic artery", "hepatic_artery"),
    ("Peripheral vein", "peripheral_vein"),
    ("Hepatic artery", "hepatic_artery"),
    ("Peripheral vein", "peripheral_vein"),
    ("Hepatic artery", "hepatic_artery"),
    ("Peripheral vein", "peripheral_vein"),
    ("Peripheral vein", "peripheral_vein"),
    ("Peripheral vein", "peripheral_vein"),
    ("Peripheral vein", "peripheral_vein"),
]

# Each garbled cell and the value the CSV reads from it: row_no -> {column: value}.
FLAGGED_READINGS = {
    1: {"ref_no": 50, "infusions": None},
    4: {"nct_id": "NCT01220492", "infusions": 3},
    6: {"infusions": 3},
    7: {"infusions": None},
    9: {"infusions": None},
    10: {"dose_low": 1e6, "dose_high": 1e6, "dose_unit": "cells/kg"},
    11: {"infusions": 2},
    15: {"infusions": 4},
    16: {"dose_low": 4.7e7, "dose_high": 4.7e7, "dose_unit": "cells/kg"},
    17: {"dose_low": 5e5, "dose_unit": "cells/kg", "infusions": 3},
    18: {"nct_id": "NCT00956891"},
    19: {"nct_id": "NCT01218464", "dose_low": 5e5, "dose_unit": "cells/kg", "infusions": 3},
    20: {"infusions": None},
    22: {"infusions": 5, "cell_source": "Allogeneic bone marrow MSC"},
}


@pytest.mark.parametrize(("text", "expected"), PRINTED_DOSES + NORMALIZED_DOSES)
def test_parse_dose(text, expected):
    assert parse_dose(text) == expected


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (r"$0.5 \times 10^6 / \mathrm{kg}$", "0.5 × 10^6 / kg"),
        (r"3 to $5 \times 10^5 \text{kg}$", "3 to 5 × 10^5 kg"),
        ("5 × 10 ⁷", "5 × 10^7"),
        ("1 × 10°/kg", "1 × 10^°/kg"),
        ("3-5x10^7", "3-5×10^7"),
    ],
)
def test_normalize_dose_text(text, plain):
    assert normalize_dose_text(text) == plain


@pytest.mark.parametrize("text", ["", "not reported", "1 × 10", "10^6 cells"])
def test_unreadable_dose_is_flagged_not_guessed(text):
    assert parse_dose(text) == Dose(None, None, None, "unreadable_dose")


@pytest.mark.parametrize(("text", "route_class"), PRINTED_ROUTES)
def test_classify_route_printed(text, route_class):
    assert classify_route(text) == route_class


def test_classify_route_vocabulary():
    assert classify_route("Portal vein") == "portal_vein"
    assert classify_route("Intra-splenic or peripheral vein") == "mixed"
    assert classify_route("Hepatic artery / portal vein") == "mixed"
    with pytest.raises(ValueError):
        classify_route("Intrathecal")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Infusions(1, 1, None)),
        ("4", Infusions(4, 4, None)),
        ("1 or 2", Infusions(1, 2, None)),
        ("-", Infusions(None, None, None)),
        ("", Infusions(None, None, None)),
        # A legible digit is returned as is; the CSV overrides "7" under ocr_infusions.
        ("7", Infusions(7, 7, None)),
        ("ω", Infusions(None, None, "ocr_infusions")),
        ("ŝ", Infusions(None, None, "ocr_infusions")),
        ("ς.", Infusions(None, None, "ocr_infusions")),
        ("Ч", Infusions(None, None, "ocr_infusions")),
        ("S", Infusions(None, None, "ocr_infusions")),
    ],
)
def test_parse_infusions(text, expected):
    assert parse_infusions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NCT00420134", ("NCT00420134", None)),
        ("NCT 01218464", ("NCT01218464", "ocr_nct_spacing")),
        ("NCT 009 <i>5</i> 6891", ("NCT00956891", "ocr_nct_spacing")),
        ("NCT0120492", (None, "nct_typo")),
        ("–", (None, None)),
        ("/", (None, None)),
        ("", (None, None)),
    ],
)
def test_parse_nct(text, expected):
    assert parse_nct(text) == expected


def test_cell_parsers():
    assert parse_author("Zhang et al ⁶⁴") == ("Zhang", 64, None)
    assert parse_author("Jang et al 66") == ("Jang", 66, None)
    assert parse_author("Switzerland Lanthier et al ⁶¹") == ("Lanthier", 61, None)
    assert parse_author("Mohamadnejad et al ^{so}") == ("Mohamadnejad", None, "ocr_ref_no")
    assert split_design("Case- control48 months") == ("Case-control", "48 months")
    assert split_design("Single arm 12months") == ("Single arm", "12 months")
    assert split_design("Single arm 8-70 months") == ("Single arm", "8-70 months")
    assert split_design("2021 Randomized controlled 3 months") == (
        "Randomized controlled",
        "3 months",
    )
    assert parse_n("Decompensated liver cirrhosis (<i>n</i> = 4)") == 4
    assert parse_n("Cirrhosis $(n = 8)$") == 8
    assert parse_n("Primary Biliary Cirrhosis n = 10") == 10


@pytest.fixture(scope="module")
def rows():
    return load_table2()


def test_rows_and_columns(rows):
    assert len(rows) == 22
    assert [r["row_no"] for r in rows] == list(range(1, 23))
    for row in rows:
        assert set(CONTRACT + TRANSPARENCY) <= row.keys()
        assert isinstance(row["year"], int) and isinstance(row["n"], int)
        assert row["route_class"] in ROUTE_CLASSES


def test_csv_dose_and_route_texts_are_the_printed_ones(rows):
    assert [r["dose_text"] for r in rows] == [text for text, _ in PRINTED_DOSES]
    assert [r["route_text"] for r in rows] == [text for text, _ in PRINTED_ROUTES]


def test_fig1c_countries(rows):
    assert Counter(r["country"] for r in rows) == {
        "China": 10,
        "Egypt": 4,
        "Iran": 2,
        "Korea": 2,
        "Switzerland": 2,
        "Turkey": 1,
        "Brazil": 1,
    }
    china = [r for r in rows if r["country"] == "China"]
    assert {r["country_text"] for r in china} == {"People's Republic of China"}


def test_fig1e_routes(rows):
    assert Counter(r["route_class"] for r in rows) == {
        "peripheral_vein": 14,
        "hepatic_artery": 5,
        "intrasplenic": 1,
        "mixed": 2,
    }


def test_fig1d_peripheral_doses(rows):
    iv = {r["row_no"]: (r["dose_low"], r["dose_high"], r["dose_unit"]) for r in rows}
    iv = {k: v for k, v in iv.items() if rows[k - 1]["route_class"] == "peripheral_vein"}
    assert iv == {
        1: (3.173e7, 3.173e7, "cells"),
        4: (5e5, 5e5, "cells/kg"),
        5: (1e6, 1e6, "cells/kg"),
        6: (5e5, 5e5, "cells/kg"),
        7: (1.2e8, 2.95e8, "cells"),
        9: (3e5, 5e5, "cells/kg"),
        10: (1e6, 1e6, "cells/kg"),
        13: (1e6, 1e6, "cells"),
        15: (1e6, 1e6, "cells/kg"),
        17: (5e5, 5e5, "cells/kg"),
        19: (5e5, 5e5, "cells/kg"),
        20: (2e7, 2e7, "cells"),
        21: (1e5, 1e6, "cells/kg"),
        22: (1e6, 1e6, "cells/kg"),
    }


def test_registrations(rows):
    assert sum(r["nct_id"] is None for r in rows) == 11
    ids = [r["nct_id"] for r in rows if r["nct_id"]]
    assert all(len(i) == 11 and i.startswith("NCT") and i[3:].isdigit() for i in ids)
    # Zhang 2012 and Shi 2021 report the same trial.
    assert rows[3]["nct_id"] == rows[16]["nct_id"] == "NCT01220492"


def test_flagged_readings(rows):
    flagged = {r["row_no"] for r in rows if r["reading_flag"]}
    assert flagged == set(FLAGGED_READINGS)
    for row_no, reading in FLAGGED_READINGS.items():
        row = rows[row_no - 1]
        assert row["reading_note"], row_no
        assert {k: row[k] for k in reading} == reading, row_no


def test_mean_sd_rows_record_the_mean(rows):
    means = {
        r["row_no"]: r["dose_low"] for r in rows if "±" in r["dose_text"] or "pm" in r["dose_text"]
    }
    assert means == {12: 7.5e5, 16: 4.7e7, 18: 3.4e8}
    assert all(rows[k - 1]["dose_high"] == v for k, v in means.items())


def _rewrite(tmp_path: Path, row_no: int, **changes: str) -> Path:
    with open(CSV_PATH, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, data = reader.fieldnames, list(reader)
    data[row_no - 1].update(changes)
    out = tmp_path / "table2.csv"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(data)
    return out


@pytest.mark.parametrize(
    ("row_no", "changes"),
    [
        (2, {"dose_high": "60000000"}),  # disagrees with "$3-5 \times 10^{7}$"
        (4, {"dose_unit": "cells"}),  # the text says /kg
        (10, {"reading_flag": ""}),  # garbled dose without its flag
        (10, {"dose_low": "1100000", "dose_high": "1100000"}),  # mantissa 1 became 1.1
        (10, {"dose_unit": "cells"}),  # the printed "/kg" survives the garble
        (2, {"reading_flag": "ocr_dose_exponent", "reading_note": "x"}),  # stale flag
        (4, {"nct_id": "NCT01220493"}),  # the typo reading may only add a digit
        (3, {"route_class": "peripheral_vein"}),
        (5, {"country": "Egypt, Arab Rep."}),
        (8, {"n": "21"}),
        (14, {"infusions": "1"}),  # "1 or 2" keeps the larger count
        (21, {"reading_flag": "guessed", "reading_note": "x"}),  # unknown flag code
        (22, {"infusions": ""}),  # "S" flagged, so a reading is required
    ],
)
def test_csv_edits_that_disagree_fail_loudly(tmp_path, row_no, changes):
    with pytest.raises(Table2Error):
        load_table2(_rewrite(tmp_path, row_no, **changes))


def test_untouched_copy_loads(tmp_path):
    assert len(load_table2(_rewrite(tmp_path, 1))) == 22
