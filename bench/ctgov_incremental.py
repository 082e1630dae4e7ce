"""(b) The nightly incremental ClinicalTrials.gov run after 1% of the studies changed upstream.

    python -m bench.ctgov_incremental [--extra-studies N] [--changed-share 0.01] [--repeats R]

A full harvest (`review refresh --source ctgov --full`) of the review query at 100,000 extra
studies builds the published warehouse; its requests are counted by the sandbox. Then 1% of the
matching studies change upstream: the sandbox (a child process of this one, bench.common's
Sandbox) sets a new overall status on that many benchmark extras, spread over all of them, each
a registry update that moves its LastUpdatePostDate. Each repeat copies the published warehouse
and its ledger as the full harvest left them and runs the nightly refresh (no --full): its
requests (sandbox log), its time (ledger) and what it fetched (ledger details).

Target: the incremental run's requests at most 5% of the full harvest's.
"""

from __future__ import annotations

import argparse
import shutil
from collections import Counter
from pathlib import Path

from bench.common import (
    Sandbox,
    Target,
    banner,
    median,
    prefect_server,
    run_refresh,
    save_results,
    table,
    targets_table,
    workspace,
    write_spec,
)

NAME = "ctgov_incremental"


def _purpose(params: dict) -> str:
    """Which of the harvest's requests this was (extract/ctgov_harvest.py's vocabulary)."""
    advanced = params.get("filter.advanced", "")
    if params.get("pageSize") == "1":
        return "total (cutoff)" if "StudyFirstPostDate" in advanced else "total (current)"
    if "LastUpdatePostDate" in advanced:
        return "delta (records)" if "query.term" in params else "changed (ids)"
    if "filter.ids" in params:
        return "by_id"
    if params.get("fields") == "NCTId":
        return "sweep (ids)"
    return "pages (records)"


def _copy_published(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("review.duckdb", "review.duckdb.runs.jsonl"):
        shutil.copyfile(src / name, dst / name)
    return dst / "review.duckdb"


def measure(extra_studies: int, share: float, repeats: int) -> dict:
    with workspace(NAME) as wd, Sandbox(extra_studies=extra_studies, ncbi_rate_limit=False) as sb:
        print(f"sandbox: {extra_studies:,} extra studies, built in {sb.build_s:.1f} s", flush=True)
        with prefect_server(wd) as prefect_env:
            spec = write_spec(wd / "spec.toml")
            env = {**prefect_env, **sb.env()}
            mark = sb.log_len()
            full_db = wd / "full" / "review.duckdb"
            full = run_refresh(source="ctgov", spec=spec, db=full_db, env=env, full=True).check()
            full_log = sb.log_summary(mark)
            matching = full.details["harvest"]["ctgov"]["queries"]["msc_liver"]["total"]
            print(
                f"  full harvest: {full.flow_s:.1f} s, {full_log['requests']} requests", flush=True
            )
            to_change = max(round(matching * share), 1)
            changed = sb.change_extras(to_change, extra_studies)
            print(
                f"  upstream: {changed['changed']:,} studies changed in "
                f"{changed['seconds']:.1f} s (data timestamp now "
                f"{changed['data_timestamp']})",
                flush=True,
            )
            runs = []
            for i in range(repeats):
                db = _copy_published(full_db.parent, wd / f"incremental-{i}")
                mark = sb.log_len()
                run = run_refresh(source="ctgov", spec=spec, db=db, env=env).check()
                log = sb.log_summary(mark)
                query = run.details["harvest"]["ctgov"]["queries"]["msc_liver"]
                runs.append(
                    {
                        "flow_s": run.flow_s,
                        "wall_s": run.wall_s,
                        "phases": run.phases,
                        "maxrss_mb": run.maxrss_mb,
                        "requests": log["requests"],
                        "by_purpose": dict(Counter(_purpose(p) for p in log["studies_params"])),
                        "by_status": log["by_status"],
                        "mode": query["mode"],
                        "studies": query["studies"],
                        "total": query["total"],
                        "status": run.status,
                    }
                )
                print(
                    f"  incremental {i + 1}/{repeats}: {run.flow_s:.1f} s, "
                    f"{log['requests']} requests, mode {query['mode']}",
                    flush=True,
                )
                shutil.rmtree(db.parent, ignore_errors=True)
    return {
        "extra_studies": extra_studies,
        "matching": matching,
        "changed": changed["changed"],
        "full": {
            "flow_s": full.flow_s,
            "phases": full.phases,
            "requests": full_log["requests"],
            "by_purpose": dict(Counter(_purpose(p) for p in full_log["studies_params"])),
        },
        "incremental": runs,
    }


def report(data: dict) -> str:
    full, inc = data["full"], data["incremental"]
    inc_requests = max(r["requests"] for r in inc)
    inc_s = median([r["flow_s"] for r in inc])
    inc_harvest = median([r["phases"].get("harvest_ctgov", float("nan")) for r in inc])
    share = inc_requests / full["requests"]
    purposes = inc[0]["by_purpose"]
    rows = [
        [
            "full harvest (--full)",
            1,
            full["requests"],
            full["flow_s"],
            full["phases"].get("harvest_ctgov"),
            "full",
            data["matching"],
        ],
        [
            "nightly incremental",
            len(inc),
            inc_requests,
            inc_s,
            inc_harvest,
            inc[0]["mode"],
            inc[0]["studies"],
        ],
    ]
    lines = [
        f"{data['matching']:,} matching studies; {data['changed']:,} changed upstream "
        f"({data['changed'] / data['matching']:.1%}); incremental: medians of {len(inc)} runs",
        "",
        table(
            ["run", "runs", "requests", "seconds (ledger)", "harvest s", "mode", "studies fetched"],
            rows,
        ),
        "",
        "incremental requests: 1 /version + "
        + ", ".join(f"{v} {k}" for k, v in sorted(purposes.items()))
        + f"; statuses {inc[0]['by_status']}",
        f"incremental run: {inc_requests / full['requests']:.1%} of the full harvest's "
        f"requests, {inc_s / full['flow_s']:.0%} of its time",
        "",
    ]
    reason = ""
    if share > 0.05:
        pages = {k: v for k, v in purposes.items() if v > 1}
        reason = (
            f"{inc_requests} requests vs {0.05 * full['requests']:.2f} allowed; "
            f"multi-page: {pages or 'none'}; fixed: /version + 2 totals"
        )
    lines.append(
        targets_table(
            [
                Target(
                    "incremental requests vs full",
                    f"{share:.1%} ({inc_requests} / {full['requests']})",
                    "<= 5%",
                    share <= 0.05,
                    reason,
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
    args = parser.parse_args(argv)
    banner("(b) nightly incremental ClinicalTrials.gov run after 1% changed upstream")
    data = measure(args.extra_studies, args.changed_share, args.repeats)
    save_results(NAME, data)
    text = report(data)
    print("\n" + text, flush=True)
    return text


if __name__ == "__main__":
    main()
