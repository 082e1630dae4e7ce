"""All five benchmarks, one after the other, then every table again (`make bench`).

    python -m bench.run_all [--quick]

One Prefect server serves every refresh of the session (its start-up is paid once); (d), run
last, reuses the 100,000-study runs of (a) and the 600,000-study full runs of (e) rather than
repeating them. --quick: 10,000 extra studies (20,000 for (e)) and one repeat everywhere (a
smoke test of the scripts, not a measurement).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench import (
    ctgov_full_harvest,
    ctgov_incremental,
    ctgov_registry,
    ctgov_scaling,
    pubmed_rate,
)
from bench.common import machine, prefect_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    size = ["--extra-studies", "10000"] if args.quick else []
    one = ["--repeats", "1"] if args.quick else []
    plan = [
        ("(a) ctgov_full_harvest", lambda: ctgov_full_harvest.main(size + one)),
        ("(b) ctgov_incremental", lambda: ctgov_incremental.main(size + one)),
        ("(c) pubmed_rate", lambda: pubmed_rate.main(one)),
        (
            "(e) ctgov_registry",
            lambda: ctgov_registry.main((["--extra-studies", "20000"] if args.quick else []) + one),
        ),
        (
            "(d) ctgov_scaling",
            lambda: ctgov_scaling.main(
                one + (["--sizes", "10000,20000"] if args.quick else ["--reuse"])
            ),
        ),
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        work = Path(tmp)
        os.environ["BENCH_RESULTS_DIR"] = str(work / "results")
        with prefect_server(work) as env:
            os.environ["BENCH_PREFECT_API_URL"] = env["PREFECT_API_URL"]
            os.environ["BENCH_PREFECT_HOME"] = env["PREFECT_HOME"]
            texts = []
            for title, run in plan:
                began = time.perf_counter()
                texts.append((title, run(), time.perf_counter() - began))
    print("\n\n# All results\n")
    print(f"machine: {machine()}; total {(time.perf_counter() - started) / 60:.1f} min\n")
    for title, text, seconds in texts:
        print(f"## {title} ({seconds / 60:.1f} min)\n\n{text}\n")


if __name__ == "__main__":
    main()
