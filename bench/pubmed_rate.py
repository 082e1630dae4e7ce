"""(c) A PubMed refresh of the review query against a sandbox enforcing NCBI's 3 requests/s.

    python -m bench.pubmed_rate [--repeats R]

The sandbox (its own process) limits E-utilities as NCBI does without an api_key: 3 requests
in any one-second window per client, HTTP 429 over it. Each repeat runs
`review refresh --source pubmed` on a new warehouse, the spec leaving requests_per_second out
(so the client's own default for no key applies). Measured: the harvest_pubmed task's time
(Prefect task log), the whole refresh (ledger), the requests by endpoint (the ledger's
requests_by_endpoint, checked against the sandbox's log) and any 429.

Targets: harvest time within 1.3x of requests / 3 s (the fastest NCBI allows); no 429.
"""

from __future__ import annotations

import argparse

from bench.common import (
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

NAME = "pubmed_rate"
NCBI_RATE = 3.0


def measure(repeats: int) -> dict:
    runs = []
    with (
        workspace(NAME) as wd,
        Sandbox(ncbi_rate_limit=True) as sb,
        prefect_server(wd) as prefect_env,
    ):
        spec = write_spec(wd / "spec.toml", ctgov=False, pubmed=True)
        env = {**prefect_env, **sb.env()}
        for i in range(repeats):
            mark = sb.log_len()
            db = wd / f"pubmed-{i}" / "review.duckdb"
            run = run_refresh(source="pubmed", spec=spec, db=db, env=env).check()
            log = sb.log_summary(mark)
            harvest = run.details["harvest"]["pubmed"]
            query = harvest["queries"]["msc_liver"]
            runs.append(
                {
                    "harvest_s": run.phases.get("harvest_pubmed"),
                    "flow_s": run.flow_s,
                    "wall_s": run.wall_s,
                    "requests": log["requests"],
                    "ledger_requests": run.requests,
                    "by_endpoint": harvest.get("requests_by_endpoint", {}),
                    "sandbox_by_endpoint": log["by_endpoint"],
                    "by_status": log["by_status"],
                    "records": query.get("pmids_fetched"),
                    "batches": query.get("batches"),
                    "retries": run.ledger.get("retries"),
                }
            )
            print(
                f"  pubmed {i + 1}/{repeats}: harvest {run.phases.get('harvest_pubmed'):.1f}"
                f" s, {log['requests']} requests, statuses {log['by_status']}",
                flush=True,
            )
    return {"runs": runs}


def report(data: dict) -> str:
    runs = data["runs"]
    requests = max(r["requests"] for r in runs)
    harvest_s = median([r["harvest_s"] for r in runs])
    floor_s = requests / NCBI_RATE
    ratio = harvest_s / floor_s
    refused = sum(int(r["by_status"].get("429", 0)) for r in runs)
    by_endpoint = runs[0]["by_endpoint"]
    rows = [
        ["requests / 3 per s (NCBI's limit)", "", requests, floor_s, 1.0],
        ["harvest_pubmed (task log)", len(runs), requests, harvest_s, ratio],
        [
            "whole refresh (ledger)",
            len(runs),
            "",
            median([r["flow_s"] for r in runs]),
            median([r["flow_s"] for r in runs]) / floor_s,
        ],
        ["refresh process, start to exit", len(runs), "", median([r["wall_s"] for r in runs]), ""],
    ]
    lines = [
        f"{runs[0]['records']:,} PubMed records in {runs[0]['batches']} efetch batches; "
        f"medians of {len(runs)} runs",
        "",
        table(["run", "runs", "requests", "seconds", "x floor"], rows),
        "",
        "requests by endpoint (ledger): "
        + ", ".join(f"{k} {v}" for k, v in sorted(by_endpoint.items()))
        + "; sandbox saw: "
        + ", ".join(f"{k} {v}" for k, v in sorted(runs[0]["sandbox_by_endpoint"].items())),
        f"statuses (all runs): {[r['by_status'] for r in runs]}; retries "
        f"{[r['retries'] for r in runs]}",
        "",
        targets_table(
            [
                Target(
                    "harvest vs requests / 3 s",
                    f"{ratio:.2f}x ({harvest_s:.1f} s vs {floor_s:.1f} s)",
                    "<= 1.3x",
                    ratio <= 1.3,
                    "" if ratio <= 1.3 else "slower than the rate limit explains",
                ),
                Target(
                    "HTTP 429 from the sandbox",
                    f"{refused}",
                    "0",
                    refused == 0,
                    "" if refused == 0 else "the client exceeded 3 requests/s",
                ),
            ]
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    banner("(c) PubMed refresh under NCBI's 3 requests/s")
    data = measure(args.repeats)
    return finish(NAME, data, report)


if __name__ == "__main__":
    main()
