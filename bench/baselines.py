"""The two yardsticks of the full ClinicalTrials.gov harvest, each run in its own process:

    python -m bench.baselines floor CTGOV_BASE_URL
    python -m bench.baselines floor-nightly CTGOV_BASE_URL --since YYYY-MM-DD
    python -m bench.baselines dlt CTGOV_BASE_URL WORKDIR [--format jsonl|insert_values|parquet]

- floor: a bare `requests` loop over the same pages the pipeline asks for (the review query,
  fields=extract.ctgov.STUDY_FIELDS, pageSize 1000, countTotal on page 1, following
  nextPageToken), parsing each page only to find the next token, then throwing it away. Nothing
  can harvest these pages faster with this client and this server.
- floor-nightly: the same for a nightly run's pages: the query's NCT ids (fields=NCTId), then
  the full records of its studies updated since a date.
- dlt: dlt's `rest_api` source with a cursor paginator (nextPageToken -> pageToken) and
  data_selector "studies", loading the same pages into a DuckDB file. The loader file format is
  jsonl by default: dlt's fastest without pyarrow (its default, insert_values, took 2.6x as long
  on 10,000 studies in our trial), so the pipeline is compared with dlt at its best.

Each prints one JSON line last: seconds, pages, studies, and for dlt its steps.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from bench.common import REVIEW_TERM


def _params() -> dict[str, str]:
    from extract.ctgov import MAX_PAGE_SIZE, STUDY_FIELDS

    return {
        "query.term": REVIEW_TERM,
        "fields": ",".join(STUDY_FIELDS),
        "pageSize": str(MAX_PAGE_SIZE),
    }


def floor(base_url: str, first: dict[str, str] | None = None) -> dict:
    import requests

    session = requests.Session()
    url = base_url.rstrip("/") + "/studies"
    base = first or _params()
    params = {**base, "countTotal": "true"}
    pages = studies = size = 0
    total = None
    started = time.perf_counter()
    while True:
        response = session.get(url, params=params, timeout=(5, 120))
        response.raise_for_status()
        body = response.json()
        pages += 1
        studies += len(body["studies"])
        size += len(response.content)
        total = body.get("totalCount", total)
        token = body.get("nextPageToken")
        if not token or not body["studies"]:
            break
        params = {**base, "pageToken": token}
    return {
        "seconds": time.perf_counter() - started,
        "pages": pages,
        "studies": studies,
        "total": total,
        "mb": size / 1e6,
    }


def floor_nightly(base_url: str, since: str) -> dict:
    """The nightly run's pages, fetched bare: the query's NCT ids (fields=NCTId, as the
    pipeline's `sweep`), then the full records of its studies updated on or after `since` (as
    its `delta`). The cut-off total and /version, one small request each, are left out, as the
    full floor leaves them out."""
    from extract.ctgov import ID_FIELDS

    sweep = floor(base_url, {**_params(), "fields": ",".join(ID_FIELDS)})
    delta = floor(
        base_url,
        {**_params(), "filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{since},MAX]"},
    )
    return {
        "seconds": sweep["seconds"] + delta["seconds"],
        "pages": sweep["pages"] + delta["pages"],
        "studies": delta["studies"],
        "ids": sweep["studies"],
        "total": sweep["total"],
        "mb": sweep["mb"] + delta["mb"],
        "sweep_s": sweep["seconds"],
        "delta_s": delta["seconds"],
    }


def dlt_load(base_url: str, workdir: Path, file_format: str) -> dict:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # offline, and no phoning home
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    os.environ.setdefault("DLT_DATA_DIR", str(workdir / "dlt-data"))
    import dlt
    import duckdb
    from dlt.sources.rest_api import rest_api_source

    source = rest_api_source(
        {
            "client": {"base_url": base_url.rstrip("/") + "/"},
            "resources": [
                {
                    "name": "studies",
                    "endpoint": {
                        "path": "studies",
                        "params": _params(),
                        "data_selector": "studies",
                        "paginator": {
                            "type": "cursor",
                            "cursor_path": "nextPageToken",
                            "cursor_param": "pageToken",
                        },
                    },
                }
            ],
        }
    )
    db_file = workdir / "dlt.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="ctgov_bench",
        destination=dlt.destinations.duckdb(str(db_file)),
        dataset_name="ctgov",
        pipelines_dir=str(workdir / "dlt-pipelines"),
    )
    started = time.perf_counter()
    pipeline.extract(source, loader_file_format=file_format)
    extracted = time.perf_counter()
    pipeline.normalize()
    normalized = time.perf_counter()
    pipeline.load()
    done = time.perf_counter()
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        studies = con.execute("select count(*) from ctgov.studies").fetchone()[0]
        tables = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'ctgov'"
        ).fetchone()[0]
    finally:
        con.close()
    return {
        "seconds": done - started,
        "extract_s": extracted - started,
        "normalize_s": normalized - extracted,
        "load_s": done - normalized,
        "studies": studies,
        "tables": tables,
        "format": file_format,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=["floor", "floor-nightly", "dlt"])
    parser.add_argument("base_url")
    parser.add_argument("workdir", nargs="?", type=Path)
    parser.add_argument("--since", help="floor-nightly: the delta's first LastUpdatePostDate")
    parser.add_argument("--format", default="jsonl", choices=["jsonl", "insert_values", "parquet"])
    args = parser.parse_args()
    if args.kind == "floor":
        result = floor(args.base_url)
    elif args.kind == "floor-nightly":
        if not args.since:
            parser.error("floor-nightly needs --since YYYY-MM-DD")
        result = floor_nightly(args.base_url, args.since)
    else:
        if args.workdir is None:
            parser.error("dlt needs a WORKDIR")
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = dlt_load(args.base_url, args.workdir, args.format)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
