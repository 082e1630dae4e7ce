"""(b) The nightly incremental ClinicalTrials.gov run after 1% of the studies changed upstream.

    python -m bench.ctgov_incremental [--extra-studies N] [--changed-share 0.01] [--repeats R]
                                      [--full-repeats R]

A full harvest (`review refresh --source ctgov --full`) of the review query at 100,000 extra
studies builds the published warehouse; the sandbox counts its requests and the bytes of every
response body it sends. Then one registry refresh happens upstream (the data date moves on by
one day): 1% of the matching studies change, each a new overall status posted on the new data
date (bench.common's Sandbox, a child process of this one, applies it). Each repeat copies the
published warehouse and its ledger as the full harvest left them and runs the nightly refresh
(no --full): its requests and bytes (sandbox log), its time (ledger), what it fetched (ledger
details and raw.ctgov_page), and whether the published members of the query
(core.ctgov_query_match) are exactly the ids the sandbox lists for the query.

Then the quiet query: a second spec whose query (completed or unknown-status MSC-liver trials
first posted by the cut-off) matches only trials last updated more than a year before the data
date. Full harvest, then another night in which 1% of the (non-matching) extras change, then
the nightly run. Its requests should be bounded by what changed since the last run (the id
listing, a delta of ~0 records, the cut-off total), not by everything since the query's own
last update. The old design (d3c5e14's extract/ctgov_harvest.py) is computed beside it from the
sandbox's own counts, without running it: a delta since the newest LastUpdatePostDate among the
query's trials less a day, a registry-wide `changed` id scan over the same window, and the
current and cut-off totals.

Targets: the nightly run's bytes at most 5% of the full harvest's; members equal to the
listing, id for id, after every nightly run.
"""

from __future__ import annotations

import argparse
import math
import shutil
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from bench.common import (
    REVIEW_QUERY_ID,
    REVIEW_TERM,
    Sandbox,
    Target,
    banner,
    finish,
    median,
    prefect_server,
    run_refresh,
    table,
    targets_table,
    workspace,
    write_spec,
)

NAME = "ctgov_incremental"
PAGE = 1000  # studies per page, as the pipeline asks
REVIEW_PARAMS = {"query.term": REVIEW_TERM}
QUIET_ID = "msc_liver_closed"
# Completed or unknown-status MSC-liver trials first posted by the cut-off: in the sandbox (the
# default corpus; extras are first posted after it) the newest LastUpdatePostDate among them is
# 2025-09-21, 14 months before the data date.
QUIET_PARAMS = {
    "query.term": REVIEW_TERM,
    "filter.overallStatus": "COMPLETED,UNKNOWN",
    "filter.advanced": "AREA[StudyFirstPostDate]RANGE[MIN,2022-04-29]",
}
PURPOSES = ("version", "harvest", "sweep", "delta", "by_id", "totals")


def _purpose(params: dict) -> str:
    """Which of the harvest's /studies requests this was (extract/ctgov_harvest.py's
    vocabulary since c22bd3f): `harvest` (full records of the whole query, --full), `sweep`
    (the query's NCT ids, fields=NCTId; page 1 carries the current total), `delta` (full
    records of the query's studies updated since the last published run's data date),
    `by_id` (filter.ids, no query), `totals` (pageSize=1: the cut-off total). Follow-up pages
    repeat their first page's parameters, so they are classified alike."""
    if params.get("pageSize") == "1":
        return "totals"
    if "filter.ids" in params and not any(k.startswith("query.") for k in params):
        return "by_id"
    if "LastUpdatePostDate" in params.get("filter.advanced", ""):
        return "delta"
    if params.get("fields") == "NCTId":
        return "sweep"
    return "harvest"


def _by_purpose(log: dict) -> dict[str, list[int]]:
    """purpose -> [requests, response bytes], from the sandbox log."""
    out: dict[str, list[int]] = {}
    versions = log["by_endpoint"].get("ctgov/version", 0)
    if versions:
        out["version"] = [versions, log["bytes_by_endpoint"].get("ctgov/version", 0)]
    for params, size in zip(log["studies_params"], log["studies_bytes"], strict=True):
        slot = out.setdefault(_purpose(params), [0, 0])
        slot[0] += 1
        slot[1] += size
    return out


def _copy_published(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("review.duckdb", "review.duckdb.runs.jsonl"):
        shutil.copyfile(src / name, dst / name)
    return dst / "review.duckdb"


def _landed(db: Path, run_id: str) -> dict[str, list[int]]:
    """purpose -> [pages, studies, bytes] of one run in raw.ctgov_page (bytes: len(raw.body),
    the body as the client received it)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select purpose, count(*), sum(n_studies), sum(bytes) from raw.ctgov_page "
            "where run_id = ? group by purpose",
            [run_id],
        ).fetchall()
    return {
        purpose: [int(pages), int(studies), int(size)] for purpose, pages, studies, size in rows
    }


def _members(db: Path, query_id: str) -> set[str]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select nct_id from core.ctgov_query_match where query_id = ?", [query_id]
        ).fetchall()
    return {row[0] for row in rows}


def _exact(sb: Sandbox, db: Path, query_id: str, params: dict) -> dict:
    """The published members of the query against the sandbox's own listing, id for id."""
    listed = {nct for nct, _ in sb.list_query(params)}
    members = _members(db, query_id)
    return {
        "listed": len(listed),
        "members": len(members),
        "missing": len(listed - members),
        "extra": len(members - listed),
        "exact": listed == members,
    }


def _run_row(run, log: dict, db: Path, query_id: str) -> dict:
    query = run.details["harvest"]["ctgov"]["queries"][query_id]
    run_id = run.ledger.get("run_id")
    return {
        "run_id": run_id,
        "flow_s": run.flow_s,
        "wall_s": run.wall_s,
        "phases": run.phases,
        "maxrss_mb": run.maxrss_mb,
        "requests": log["requests"],
        "bytes": log["bytes"],
        "by_purpose": _by_purpose(log),
        "by_status": log["by_status"],
        "mode": query["mode"],
        "studies": query["studies"],
        "current_total": query.get("current_total"),
        "landed": _landed(db, run_id),
        "status": run.status,
    }


def _pages(count: int) -> int:
    """Requests to list `count` studies 1,000 a page (an empty answer is one request too)."""
    return max(1, math.ceil(count / PAGE))


def _since(day: date | str) -> str:
    return f"AREA[LastUpdatePostDate]RANGE[{day},MAX]"


def _old_design(sb: Sandbox, params: dict, known: list[list[str]]) -> dict:
    """What d3c5e14's incremental run would have asked of the sandbox as it is now, for a query
    whose published studies are `known` ([id, LastUpdatePostDate] as of the last run): counted
    by the sandbox, not run. Watermark = the newest LastUpdatePostDate among them; both the
    query's `delta` (records) and the registry-wide `changed` scan (ids) start a day before."""
    watermark = max(d for _, d in known)
    since = date.fromisoformat(watermark) - timedelta(days=1)
    delta = sb.count_query({**params, "filter.advanced": _joined(params, _since(since))})
    changed = sb.count_query({"filter.advanced": _since(since)})
    requests = {"version": 1, "delta": _pages(delta), "changed": _pages(changed), "totals": 2}
    return {
        "watermark": watermark,
        "since": since.isoformat(),
        "delta_studies": delta,
        "changed_ids": changed,
        "requests": requests,
        "total_requests": sum(requests.values()),
    }


def _joined(params: dict, expression: str) -> str:
    existing = params.get("filter.advanced")
    return f"({existing}) AND {expression}" if existing else expression


def _full_runs(sb, wd, spec, env, query_id, count) -> list[dict]:
    runs = []
    for i in range(count):
        db = wd / f"{spec.stem}-full-{i}" / "review.duckdb"
        mark = sb.log_len()
        run = run_refresh(source="ctgov", spec=spec, db=db, env=env, full=True).check()
        runs.append(_run_row(run, sb.log_summary(mark), db, query_id))
        print(
            f"  {spec.stem} full harvest {i + 1}/{count}: {run.flow_s:.1f} s, "
            f"{runs[-1]['requests']} requests, {runs[-1]['bytes'] / 1e6:,.1f} MB",
            flush=True,
        )
    return runs


def _nightly_runs(sb, wd, spec, env, base: Path, query_id, params, count) -> list[dict]:
    runs = []
    for i in range(count):
        db = _copy_published(base, wd / f"{spec.stem}-nightly-{i}")
        mark = sb.log_len()
        run = run_refresh(source="ctgov", spec=spec, db=db, env=env).check()
        row = _run_row(run, sb.log_summary(mark), db, query_id)
        row["exact"] = _exact(sb, db, query_id, params)
        runs.append(row)
        print(
            f"  {spec.stem} nightly {i + 1}/{count}: {run.flow_s:.1f} s, {row['requests']} "
            f"requests, {row['bytes'] / 1e6:,.2f} MB, mode {row['mode']}, "
            f"members = listing: {row['exact']['exact']}",
            flush=True,
        )
        shutil.rmtree(db.parent, ignore_errors=True)
    return runs


def _night(sb, count: int, extra_studies: int, offset: int = 0) -> dict:
    night = sb.change_extras(count, extra_studies, offset)
    print(
        f"  upstream: {night['changed']:,} studies changed in {night['seconds']:.1f} s "
        f"(data timestamp {night['previous_data_date']} -> {night['data_timestamp']})",
        flush=True,
    )
    return night


def measure(extra_studies: int, share: float, repeats: int, full_repeats: int) -> dict:
    with workspace(NAME) as wd, Sandbox(extra_studies=extra_studies, ncbi_rate_limit=False) as sb:
        print(f"sandbox: {extra_studies:,} extra studies, built in {sb.build_s:.1f} s", flush=True)
        with prefect_server(wd) as prefect_env:
            env = {**prefect_env, **sb.env()}
            # (1) the review query: full harvest, one night with 1% changed, nightly run
            spec = write_spec(wd / "review.toml")
            full = _full_runs(sb, wd, spec, env, REVIEW_QUERY_ID, full_repeats)
            base = wd / f"{spec.stem}-full-0"
            known = sb.list_query(REVIEW_PARAMS)
            matching = len(known)
            data_date_lupd = Counter(d for _, d in known).most_common(3)
            to_change = max(round(matching * share), 1)
            night = _night(sb, to_change, extra_studies)
            registry_since = sb.count_query(
                {"filter.advanced": _since(night["previous_data_date"])}
            )
            old = _old_design(sb, REVIEW_PARAMS, known)
            nightly = _nightly_runs(
                sb, wd, spec, env, base, REVIEW_QUERY_ID, REVIEW_PARAMS, repeats
            )
            # (3) the quiet query: its own trials untouched for over a year
            qspec = write_spec(wd / "quiet.toml", ctgov_queries={QUIET_ID: QUIET_PARAMS})
            qfull = _full_runs(sb, wd, qspec, env, QUIET_ID, 1)
            qknown = sb.list_query(QUIET_PARAMS)
            step = max(extra_studies // to_change, 1)
            qnight = _night(sb, to_change, extra_studies, offset=step // 2)
            qregistry_since = sb.count_query(
                {"filter.advanced": _since(qnight["previous_data_date"])}
            )
            qold = _old_design(sb, QUIET_PARAMS, qknown)
            qnightly = _nightly_runs(
                sb, wd, qspec, env, wd / f"{qspec.stem}-full-0", QUIET_ID, QUIET_PARAMS, repeats
            )
    return {
        "extra_studies": extra_studies,
        "matching": matching,
        "top_last_update_dates": data_date_lupd,
        "changed": night["changed"],
        "night": night,
        "registry_changed_since_last_run": registry_since,
        "full": full,
        "incremental": nightly,
        "old_design": old,
        "quiet": {
            "query": QUIET_PARAMS,
            "matching": len(qknown),
            "newest_last_update": max(d for _, d in qknown),
            "night": qnight,
            "registry_changed_since_last_run": qregistry_since,
            "full": qfull,
            "incremental": qnightly,
            "old_design": qold,
        },
    }


# --- report -----------------------------------------------------------------------------


def _mb(size: float) -> float:
    return size / 1e6


def _purpose_cell(by_purpose: dict, purpose: str, what: int) -> int:
    return by_purpose.get(purpose, [0, 0])[what]


def _old_requests_line(old: dict, per_record: float, per_id: float) -> str:
    """The old design's requests, and its bytes estimated at this run's measured bytes per full
    record (full harvest) and per listed id (sweep)."""
    r = old["requests"]
    size = old["delta_studies"] * per_record + old["changed_ids"] * per_id
    return (
        f"{old['total_requests']} requests: 1 /version, {r['delta']} `delta` "
        f"({old['delta_studies']:,} records), {r['changed']} registry-wide `changed` "
        f"({old['changed_ids']:,} ids), 2 totals (watermark {old['watermark']}, window from "
        f"{old['since']}); about {_mb(size):,.2f} MB"
    )


def report(data: dict) -> str:
    full, inc = data["full"], data["incremental"]
    f_req, f_bytes = median([r["requests"] for r in full]), median([r["bytes"] for r in full])
    f_s = median([r["flow_s"] for r in full])
    f_h = median([r["phases"].get("harvest_ctgov", float("nan")) for r in full])
    i_req, i_bytes = median([r["requests"] for r in inc]), median([r["bytes"] for r in inc])
    i_s = median([r["flow_s"] for r in inc])
    i_h = median([r["phases"].get("harvest_ctgov", float("nan")) for r in inc])
    i_studies = median([r["studies"] for r in inc])
    rows = [
        ["full harvest (--full)", len(full), f_req, _mb(f_bytes), f_s, f_h, full[0]["studies"]],
        ["nightly incremental", len(inc), i_req, _mb(i_bytes), i_s, i_h, i_studies],
        [
            "nightly / full",
            "",
            f"{i_req / f_req:.1%}",
            f"{i_bytes / f_bytes:.2%}",
            f"{i_s / f_s:.0%}",
            f"{i_h / f_h:.0%}",
            f"{i_studies / full[0]['studies']:.2%}",
        ],
    ]
    purposes = [p for p in PURPOSES if any(p in r["by_purpose"] for r in full + inc)]
    per_record = f_bytes / full[0]["studies"]  # bytes of one full record, as harvested
    sweep = inc[0]["by_purpose"].get("sweep", [0, 0])
    per_id = sweep[1] / max(inc[0]["landed"].get("sweep", [0, 1])[1], 1)  # of one listed id
    by_rows = []
    for label, run in (("full harvest", full[0]), ("nightly", inc[0])):
        landed = run["landed"]
        for p in purposes:
            if p not in run["by_purpose"]:
                continue
            n, size = run["by_purpose"][p]
            by_rows.append(
                [label, p, n, _mb(size), landed.get(p, [None, None])[1] if p != "totals" else ""]
            )
    exact = [r["exact"] for r in inc]
    landed_bytes = sum(v[2] for v in inc[0]["landed"].values())
    landed_full = sum(v[2] for v in full[0]["landed"].values())
    old = data["old_design"]
    q = data["quiet"]
    q_rows = []
    for label, run in (("full harvest (--full)", q["full"][0]), ("nightly", q["incremental"][0])):
        bp = run["by_purpose"]
        q_rows.append(
            [
                label,
                len(q["full"] if label.startswith("full") else q["incremental"]),
                median(
                    [
                        r["requests"]
                        for r in (q["full"] if label.startswith("full") else q["incremental"])
                    ]
                ),
                ", ".join(f"{bp[p][0]} {p}" for p in PURPOSES if p in bp),
                run["bytes"] / 1e3,
                run["studies"],
            ]
        )
    qo = q["old_design"]
    q_rows.append(
        [
            "old design (d3c5e14), computed",
            "",
            qo["total_requests"],
            f"1 version, {qo['requests']['delta']} delta, {qo['requests']['changed']} changed "
            "(ids, registry-wide), 2 totals",
            f"~{(qo['delta_studies'] * per_record + qo['changed_ids'] * per_id) / 1e3:,.0f}",
            qo["delta_studies"],
        ]
    )
    q_exact = [r["exact"] for r in q["incremental"]]
    q_delta = max(r["landed"].get("delta", [0, 0])[1] for r in q["incremental"])
    lines = [
        f"{data['matching']:,} matching studies; {data['changed']:,} changed upstream "
        f"({data['changed'] / data['matching']:.1%}) in one registry refresh "
        f"({data['night']['previous_data_date']} -> {data['night']['data_timestamp'][:10]}); "
        f"medians of {len(full)} full and {len(inc)} nightly runs",
        "",
        table(
            [
                "run",
                "runs",
                "requests",
                "MB transferred",
                "seconds (ledger)",
                "harvest s",
                "records fetched",
            ],
            rows,
        ),
        "",
        table(["run", "purpose", "requests", "MB", "studies (sweep: ids)"], by_rows),
        "",
        "Bytes are the response bodies the sandbox sent (uncompressed; its log, every request). "
        f"raw.ctgov_page's `bytes` (pages only, no totals or /version) agree: "
        f"{_mb(landed_full):,.2f} MB full, {_mb(landed_bytes):,.2f} MB nightly.",
        f"Registry-wide studies with LastUpdatePostDate on or after the last run's data date "
        f"({data['night']['previous_data_date']}): {data['registry_changed_since_last_run']:,}. "
        f"Most common LastUpdatePostDate among the query's studies before the night: "
        + ", ".join(f"{d} ({n:,})" for d, n in data["top_last_update_dates"])
        + ".",
        f"Nightly requests: {i_req / f_req:.1%} of the full harvest's ({i_req} / {f_req}); "
        "the id listing alone takes as many pages as the full harvest.",
        "Members = the sandbox's listing after each nightly run: "
        + "; ".join(
            f"{e['members']:,} vs {e['listed']:,}, {e['missing']} missing, {e['extra']} extra"
            for e in exact
        )
        + ".",
        f"Old design on the same night (computed): {_old_requests_line(old, per_record, per_id)}.",
        "",
        f"Quiet query `{QUIET_ID}` ({q['matching']} studies, newest LastUpdatePostDate "
        f"{q['newest_last_update']}), after another night "
        f"({q['night']['previous_data_date']} -> {q['night']['data_timestamp'][:10]}) in which "
        f"{q['night']['changed']:,} other studies changed; registry-wide "
        f"{q['registry_changed_since_last_run']:,} studies updated on or after the last run's "
        "data date:",
        "",
        table(["run", "runs", "requests", "by purpose", "KB", "records fetched"], q_rows),
        "",
        f"Old design (computed): {_old_requests_line(qo, per_record, per_id)}. "
        "Members = listing: "
        + "; ".join(f"{e['members']} vs {e['listed']}" for e in q_exact)
        + ".",
        "",
    ]
    share = i_bytes / f_bytes
    lines.append(
        targets_table(
            [
                Target(
                    "nightly bytes vs full",
                    f"{share:.2%} ({_mb(i_bytes):,.2f} / {_mb(f_bytes):,.1f} MB)",
                    "<= 5%",
                    share <= 0.05,
                    "" if share <= 0.05 else f"by purpose: {inc[0]['by_purpose']}",
                ),
                Target(
                    "members = listing (review query)",
                    f"{sum(e['exact'] for e in exact)} of {len(exact)} runs",
                    "every run",
                    all(e["exact"] for e in exact),
                ),
                Target(
                    "quiet query: delta records",
                    f"{q_delta} (requests {q['incremental'][0]['requests']})",
                    "~0, bounded by the night's changes",
                    q_delta <= q["registry_changed_since_last_run"]
                    and all(e["exact"] for e in q_exact),
                ),
            ]
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--extra-studies", type=int, default=100_000)
    parser.add_argument("--changed-share", type=float, default=0.01)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full-repeats", type=int, default=None, help="default: --repeats")
    args = parser.parse_args(argv)
    banner("(b) nightly incremental ClinicalTrials.gov run after 1% changed upstream")
    full_repeats = args.full_repeats or args.repeats
    data = measure(args.extra_studies, args.changed_share, args.repeats, full_repeats)
    return finish(NAME, data, report)


if __name__ == "__main__":
    main()
