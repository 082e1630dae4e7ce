"""The content hash of a study record, computed in Python as each page is landed.

What counts as a change of a study is its record, less `derivedSection.miscInfoModule.
versionHolder` (the registry stamps it every day) and with the derivedSection MeSH lists in a
fixed order (they arrive shuffled): shared/reference/README.md. The hash used to be a SQL macro
over every record at build time, which took ~2 GB at 100,000 studies (issue 14); here the dict
already exists. It reproduces the macro's value exactly, so warehouses built before keep their
versions: md5 of, joined by '|', the record JSON-merge-patched (RFC 7386) to drop versionHolder
and both browse modules, then each browse list (meshes, ancestors, browseLeaves,
browseBranches of conditionBrowseModule and interventionBrowseModule) as its elements' compact
JSON, sorted, joined by ','; a missing list is left out, an empty one is an empty string.
"""

from __future__ import annotations

import hashlib
import json
import re

_PATCH = {"derivedSection": {"miscInfoModule": {"versionHolder": None},
                             "conditionBrowseModule": None, "interventionBrowseModule": None}}
_BROWSE_LISTS = [(module, key)
                 for module in ("conditionBrowseModule", "interventionBrowseModule")
                 for key in ("meshes", "ancestors", "browseLeaves", "browseBranches")]


def study_content_hash(record: dict) -> str:
    return _hash(_compact(_merge_patch(record, _PATCH)), record)


def study_line_and_hash(record: dict) -> tuple[str, str]:
    """The record as one compact JSON line (exactly json.dumps(record, ensure_ascii=False,
    separators=(",", ":"))) and its content hash (exactly study_content_hash(record)), with each
    top-level section serialized once for both: the landing writes the line and keeps the hash,
    and the hash's patched record shares every section but derivedSection with the line. A
    record with an exponent anywhere in its line takes study_content_hash's exact path."""
    pieces = [(_encode(key), _encode(value)) for key, value in record.items()]
    line = "{" + ",".join(f"{key}:{text}" for key, text in pieces) + "}"
    if _has_exponent(line) or len(_PATCH) != 1:
        return line, study_content_hash(record)
    # _merge_patch: the record's other members in their order, then derivedSection patched
    derived_key = _encode("derivedSection")
    kept = [f"{key}:{text}" for key, text in pieces if key != derived_key]
    derived = _merge_patch(record.get("derivedSection"), _PATCH["derivedSection"])
    kept.append(f"{derived_key}:{_encode(derived)}")
    return line, _hash("{" + ",".join(kept) + "}", record, _encode)


def _hash(patched: str, record: dict, compact=None) -> str:
    """md5 of the patched record's JSON and the sorted browse lists; `compact` writes an item
    (_compact, or plain _encode when the record is known to hold no exponent)."""
    compact = compact or _compact
    parts = [patched]
    derived = record.get("derivedSection")
    for module, key in _BROWSE_LISTS:
        items = _path(derived, module, key)
        if isinstance(items, list):
            parts.append(",".join(sorted(compact(item) if not isinstance(item, str) else item
                                         for item in items)))
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()  # noqa: S324 - not security


def _merge_patch(target, patch):
    """RFC 7386: a null removes a member; an object patches recursively (a missing or
    non-object target becomes an object); anything else replaces. Member order as DuckDB's
    json_merge_patch leaves it: the target's unpatched members, then the patched ones."""
    if not isinstance(patch, dict):
        return patch
    target = target if isinstance(target, dict) else {}
    result = {key: value for key, value in target.items() if key not in patch}
    for key, value in patch.items():
        if value is not None:
            result[key] = _merge_patch(target.get(key), value)
    return result


def _path(node, *keys):
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


# A number with an exponent, as Python writes floats below 1e-4 or from 1e16 on. DuckDB's JSON
# writer (yyjson) writes those differently, so a record holding one takes the exact, slower path.
_EXPONENT = re.compile(r"\de[+-]\d")


def _has_exponent(text: str) -> bool:
    """_EXPONENT.search(text), about 20 times faster on a whole record: str.find runs in C, and
    "e-"/"e+" are rare enough ("one-year") that checking each occurrence's neighbours is cheap."""
    for sign in ("e-", "e+"):
        at = text.find(sign, 1)
        while at != -1:
            if text[at - 1].isdigit() and text[at + 2 : at + 3].isdigit():
                return True
            at = text.find(sign, at + 1)
    return False


# json.dumps(value, ensure_ascii=False, separators=(",", ":")) builds an encoder per call;
# this one is built once (the same output: the C encoder with the same options).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _compact(value) -> str:
    """JSON as DuckDB writes it: compact, UTF-8 unescaped, keys in their order."""
    text = _encode(value)
    return _exact(value) if _EXPONENT.search(text) else text


def _exact(value) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{_exact(k)}:{_exact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_exact(v) for v in value) + "]"
    if isinstance(value, float):
        return _float(value)
    return json.dumps(value, ensure_ascii=False)


def _float(number: float) -> str:
    """A float as yyjson writes it: the shortest digits, in decimal notation from 1e-6 up to
    1e21 (with '.0' when whole), else as d.ddde<exp> without a '+'."""
    text = repr(number)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if not -7 < power < 21:
        return f"{mantissa}e{power}"
    sign = "-" if mantissa.startswith("-") else ""
    digits = mantissa.lstrip("-").replace(".", "")
    if power < 0:
        return f"{sign}0.{'0' * (-power - 1)}{digits}"
    return f"{sign}{digits.ljust(power + 1, '0')}.0"
