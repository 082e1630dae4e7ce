"""Table 2 of the review (22 completed MSC trials) as data: parsers and a checked loader.

The CSV beside this module is the transcription. Every `*_text` column holds the cell exactly as
the PDF text gives it; the other columns are readings. `load_table2` re-parses each `*_text`
cell and refuses a row whose reading disagrees with the parser, unless the row carries the
reading flag that says the printed text is garbled and the CSV supplies the reading (see
TABLE2_NOTES.md for every such cell and the evidence behind it).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

# The default review's transcription (its spec declares it as the curated table `table2`).
CSV_PATH = Path(__file__).resolve().parents[1] / "reviews" / "msc_liver" / "table2.csv"

ROUTE_CLASSES = ("peripheral_vein", "hepatic_artery", "intrasplenic", "portal_vein", "mixed")

# The paper prints the long official name; the marts group by a short one.
COUNTRY_SHORT = {"People's Republic of China": "China"}

# Flags tied to a parser: the CSV value may differ from the parse only under these.
PARSER_FLAGS = {"ocr_dose_exponent", "ocr_infusions", "nct_typo", "ocr_nct_spacing", "ocr_ref_no"}
# Flags that only point a reader at the note (free text read by hand, a number not printed).
NOTE_FLAGS = {"ocr_text", "infusions_not_printed"}
KNOWN_FLAGS = PARSER_FLAGS | NOTE_FLAGS

# The table marks "none" with a dash; the PDF text renders it as any of these.
_DASHES = {"", "-", "–", "—", "/", "I"}

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPERSCRIPT_RUN = re.compile(r"\s*([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_NUM = r"\d+(?:\.\d+)?"
_DOSE_RE = re.compile(
    rf"(?P<a>{_NUM})\s*(?:(?:-|to)\s*(?P<b>{_NUM})|±\s*(?P<sd>{_NUM}))?"
    r"\s*×\s*10\s*\^\s*(?P<exp>\S+?)\s*(?P<unit>/\s*kg|kg)?",
    re.ASCII,
)


class Dose(NamedTuple):
    """Cells per transfusion; low == high for a single value (or a mean ± SD: the mean)."""

    low: float | None
    high: float | None
    unit: str | None  # 'cells' or 'cells/kg'
    flag: str | None  # set when the text cannot be read; low/high are then None


class Infusions(NamedTuple):
    low: int | None
    high: int | None
    flag: str | None


class _DoseReading(NamedTuple):
    """What the dose text says before scaling; the loader checks CSV readings against it."""

    a: Decimal
    b: Decimal | None  # upper end of a range
    mean_sd: bool
    exponent: int | None  # None when the exponent glyph is unreadable
    unit: str


def normalize_dose_text(text: str) -> str:
    """Reduce the PDF's LaTeX-ish and unicode forms to one plain form: `3-5 × 10^7 /kg`."""
    t = text.replace("$", "")
    t = re.sub(r"\\(?:mathrm|text)\s*\{([^}]*)\}", r"\1", t)
    t = t.replace(r"\times", "×").replace(r"\pm", "±").replace(r"\circ", "°")
    t = re.sub(r"\^\s*\{([^}]*)\}", r"^\1", t)
    t = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group(1).translate(_SUPERSCRIPTS), t)
    # "x" as a multiplication sign only where a power of ten follows.
    t = re.sub(r"(?<=[\d\s])[xX](?=\s*10)", "×", t)
    # A degree sign where the exponent should be: the superscript digit did not survive.
    t = re.sub(r"10\s*°", "10^°", t)
    t = t.replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", t).strip()


def _read_dose(text: str) -> _DoseReading | None:
    m = _DOSE_RE.fullmatch(normalize_dose_text(text))
    if m is None:
        return None
    exp = m["exp"]
    return _DoseReading(
        a=Decimal(m["a"]),
        b=Decimal(m["b"]) if m["b"] else None,
        mean_sd=m["sd"] is not None,
        exponent=int(exp) if re.fullmatch(r"\d{1,2}", exp, re.ASCII) else None,
        unit="cells/kg" if m["unit"] else "cells",
    )


def parse_dose(text: str) -> Dose:
    """Parse a Table 2 dose cell; a flag (never a guess) when the text cannot be read.

    A mean ± SD is recorded as its mean (low == high): the SD describes spread between
    patients, not a dose range, and mean - SD is negative for "3.4 ± 3.8 × 10^8".
    """
    r = _read_dose(text)
    if r is None:
        return Dose(None, None, None, "unreadable_dose")
    if r.exponent is None:
        return Dose(None, None, r.unit, "ocr_dose_exponent")
    scale = Decimal(10) ** r.exponent
    low = float(r.a * scale)
    high = float(r.b * scale) if r.b is not None else low
    return Dose(low, high, r.unit, None)


def _route_part(part: str) -> str:
    # Portal is tested before "vein" so that "portal vein" is not read as peripheral.
    if "hepatic artery" in part:
        return "hepatic_artery"
    if "splenic" in part:
        return "intrasplenic"
    if "portal" in part:
        return "portal_vein"
    if "peripheral" in part or "intravenous" in part:
        return "peripheral_vein"
    raise ValueError(f"unknown infusion route: {part!r}")


def classify_route(text: str) -> str:
    """Route class of an "Infusion route" cell; alternatives ("A or B") are 'mixed'."""
    t = re.sub(r"-\s+", "", text.lower())  # "periph- eral": a line-break hyphen
    t = re.sub(r"\s+", " ", t.replace("-", "")).strip()  # "intra-splenic" == "intrasplenic"
    parts = re.split(r" or | and |\s*/\s*", t)
    classes = {_route_part(p) for p in parts if p}
    if not classes:
        raise ValueError(f"empty infusion route: {text!r}")
    return classes.pop() if len(classes) == 1 else "mixed"


def parse_infusions(text: str) -> Infusions:
    """Times of infusion: "1", "1 or 2" (two arms); a dash or blank is "not printed"."""
    t = text.strip()
    if t in _DASHES:
        return Infusions(None, None, None)
    m = re.fullmatch(r"(\d+)(?:\s*(?:or|-|–|to)\s*(\d+))?", t, re.ASCII)
    if m is None:
        return Infusions(None, None, "ocr_infusions")
    low = int(m[1])
    return Infusions(low, int(m[2]) if m[2] else low, None)


def parse_nct(text: str) -> tuple[str | None, str | None]:
    """(NCT id, flag) from a registration cell; a dash means not registered."""
    t = re.sub(r"</?i>", "", text).strip()
    if t in _DASHES:
        return None, None
    compact = re.sub(r"\s+", "", t)
    if not re.fullmatch(r"NCT\d+", compact, re.ASCII):
        return None, "unreadable_nct"
    if len(compact) != 11:
        return None, "nct_typo"
    return compact, ("ocr_nct_spacing" if compact != t else None)


def parse_author(text: str) -> tuple[str, int | None, str | None]:
    """(first author, reference number, flag) from e.g. "Zhang et al ⁶⁴"."""
    m = re.search(r"(\S+)\s+et al\.?\s*(.*)$", text)
    if m is None:
        raise ValueError(f"no 'et al' in author cell: {text!r}")
    ref = m[2].translate(_SUPERSCRIPTS)
    ref = re.sub(r"[\s^{}]", "", ref)
    if not ref:
        return m[1], None, None
    if re.fullmatch(r"\d{1,3}", ref, re.ASCII):
        return m[1], int(ref), None
    return m[1], None, "ocr_ref_no"


def split_design(text: str) -> tuple[str, str]:
    """("Randomized controlled", "12 months") from the design/follow-up cell."""
    t = re.sub(r"-\s+", "-", text)  # "Case- control48 months"
    # The Brazil row's cell starts with the Years column's "2021" merged into it.
    m = re.fullmatch(r"(?:\d{4}\s+)?(.*?)\s*(\d+(?:-\d+)?)\s*months", t.strip(), re.ASCII)
    if m is None:
        raise ValueError(f"unreadable design/follow-up cell: {text!r}")
    return m[1], f"{m[2]} months"


def parse_n(text: str) -> int:
    """Sample size from the disease cell: "(n = 45)", "<i>n</i> = 110", "$(n = 8)$"."""
    m = re.search(r"\bn\s*=\s*(\d+)", re.sub(r"</?i>", "", text), re.ASCII)
    if m is None:
        raise ValueError(f"no sample size in disease cell: {text!r}")
    return int(m[1])


# --- the checked loader -------------------------------------------------------------------

_INT_COLUMNS = ("row_no", "ref_no", "year", "n", "infusions")
_FLOAT_COLUMNS = ("dose_low", "dose_high")
_NULLABLE_TEXT = ("nct_id", "dose_unit")


class Table2Error(ValueError):
    """The CSV disagrees with what its own printed text parses to."""


def _require(cond: bool, row: dict, message: str) -> None:
    if not cond:
        raise Table2Error(f"table2.csv row {row.get('row_no')}: {message}")


def _typed(raw: dict[str, str]) -> dict:
    row: dict = dict(raw)
    for col in _INT_COLUMNS:
        row[col] = int(raw[col]) if raw[col].strip() else None
    for col in _FLOAT_COLUMNS:
        row[col] = float(raw[col]) if raw[col].strip() else None
    for col in _NULLABLE_TEXT:
        row[col] = raw[col].strip() or None
    return row


def _flags(row: dict) -> set[str]:
    flags = {f.strip() for f in row["reading_flag"].split(";") if f.strip()}
    _require(flags <= KNOWN_FLAGS, row, f"unknown reading_flag {sorted(flags - KNOWN_FLAGS)}")
    _require(not flags or bool(row["reading_note"].strip()), row, "a flag needs a reading_note")
    return flags


def _is_power_of_ten_multiple(value: float | None, mantissa: Decimal | None) -> bool:
    if value is None or mantissa is None:
        return False
    q = Decimal(repr(value)) / mantissa
    return q == Decimal(10) ** q.adjusted()


def _check_dose(row: dict, flags: set[str]) -> None:
    dose = parse_dose(row["dose_text"])
    got = (row["dose_low"], row["dose_high"], row["dose_unit"])
    if dose.flag is None:
        _require("ocr_dose_exponent" not in flags, row, "stale ocr_dose_exponent flag")
        _require(got == (dose.low, dose.high, dose.unit), row, f"dose {got} != parsed {dose}")
        return
    _require(dose.flag in flags, row, f"dose text unreadable ({dose.flag}) but not flagged")
    # The CSV supplies the exponent; mantissa and unit must still be the printed ones.
    reading = _read_dose(row["dose_text"])
    _require(row["dose_unit"] == dose.unit, row, f"dose_unit != printed unit {dose.unit}")
    _require(_is_power_of_ten_multiple(row["dose_low"], reading.a), row, "dose_low mantissa")
    upper = reading.b if reading.b is not None else reading.a
    _require(_is_power_of_ten_multiple(row["dose_high"], upper), row, "dose_high mantissa")
    _require(row["dose_low"] <= row["dose_high"], row, "dose_low > dose_high")


def _check_infusions(row: dict, flags: set[str]) -> None:
    parsed = parse_infusions(row["infusions_text"])
    value = row["infusions"]
    if "ocr_infusions" in flags:
        _require(value is not None, row, "ocr_infusions flag without a reading")
        _require(parsed.flag is not None or parsed.high != value, row, "stale ocr_infusions")
        return
    _require(parsed.flag is None, row, f"infusions text unreadable ({parsed.flag}), not flagged")
    # Two arms ("1 or 2"): the column holds the larger count, infusions_text keeps both.
    _require(value == parsed.high, row, f"infusions {value} != parsed {parsed.high}")
    not_printed = parsed.high is None
    _require(not_printed == ("infusions_not_printed" in flags), row, "infusions_not_printed")


def _check_nct(row: dict, flags: set[str]) -> None:
    parsed, flag = parse_nct(row["nct_text"])
    value = row["nct_id"]
    for code in ("nct_typo", "ocr_nct_spacing"):
        _require((flag == code) == (code in flags), row, f"{code} flag vs parse of nct_text")
    if flag == "nct_typo":
        _require(bool(value and re.fullmatch(r"NCT\d{8}", value)), row, "nct_id not NCT+8")
        # The reading may only add the digit the typo dropped, never change a printed one.
        printed = re.sub(r"\D", "", row["nct_text"])
        _require(
            _is_subsequence(printed, value[3:]),
            row,
            f"nct_id {value} does not keep the printed digits {printed}",
        )
        return
    _require(flag is None or flag == "ocr_nct_spacing", row, f"nct_text unreadable ({flag})")
    _require(value == parsed, row, f"nct_id {value} != parsed {parsed}")


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _check_identity(row: dict, flags: set[str]) -> None:
    short = COUNTRY_SHORT.get(row["country_text"], row["country_text"])
    _require(row["country"] == short, row, f"country {row['country']!r} != {short!r}")
    author, ref, ref_flag = parse_author(row["author_text"])
    _require(row["first_author"] == author, row, f"first_author != {author!r}")
    _require((ref_flag is not None) == ("ocr_ref_no" in flags), row, "ocr_ref_no flag")
    if ref_flag is None:
        _require(row["ref_no"] == ref, row, f"ref_no != {ref}")
    _require(row["ref_no"] is not None, row, "ref_no missing")
    _require(row["year"] is not None and 1990 <= row["year"] <= 2030, row, "year")
    design = split_design(row["design_text"])
    _require((row["design"], row["follow_up"]) == design, row, f"design != {design}")
    _require(row["n"] == parse_n(row["disease_text"]), row, "n != parsed disease_text")
    route = classify_route(row["route_text"])
    _require(row["route_class"] == route, row, f"route_class != {route}")


def check_row(row: dict) -> None:
    """Raise Table2Error unless every reading agrees with (or is flagged against) its text."""
    flags = _flags(row)
    _check_identity(row, flags)
    _check_nct(row, flags)
    _check_dose(row, flags)
    _check_infusions(row, flags)


def load_table2(path: str | Path | None = None) -> list[dict]:
    """Rows of table2.csv, typed and checked; the paper's order is `row_no` 1..22."""
    with open(path or CSV_PATH, newline="", encoding="utf-8") as fh:
        rows = [_typed(raw) for raw in csv.DictReader(fh)]
    for row in rows:
        check_row(row)
    numbers = [row["row_no"] for row in rows]
    if numbers != list(range(1, len(rows) + 1)):
        raise Table2Error(f"table2.csv: row_no must run 1..{len(rows)} in order: {numbers}")
    return rows
