"""`review new-spec ID`: a new review folder with a commented spec to fill in."""

from __future__ import annotations

import re
from pathlib import Path

SPEC_TEMPLATE = '''# Review "{review_id}". Fill in the queries and the cut-off, then:
#   review refresh --spec {spec_path}
# Every key is described in the default review, reviews/msc_liver/review.toml.

[review]
id = "{review_id}"
title = "TODO: the review's title"
# The date the searches were run for the paper: the 'cutoff' scope reproduces them.
cutoff = 2024-06-30
# A total that falls by more than this share overnight (query unchanged) is not published
# without `review refresh --accept-drop`.
max_total_drop = 0.05

[[pubmed.queries]]
id = "main"
# As typed into PubMed; Boolean operators are read left to right.
term = "TODO AND TODO[Title]"

[[ctgov.queries]]
id = "main"
# Any of query.cond, query.term, query.intr, query.titles, query.locn, query.spons,
# query.outc, query.id, filter.overallStatus, filter.advanced.
"query.term" = "TODO AND TODO"

[ctgov]
requests_per_second = 1.0

[pubmed]
tool = "review-stats"

[schedule]
cron = "0 2 * * *"
timezone = "America/New_York"

# A curated table (a CSV beside this file, loaded into curated.<name>):
# [[curated]]
# name = "included_trials"
# file = "included_trials.csv"
# key = ["nct_id"]
# [curated.columns]
# nct_id = "varchar"
# country = "varchar"

# The report's figures (without this section: publications per year and trials by country).
# [[report.panels]]
# name = "by_country"
# title = "Trials by country"
# kind = "trials_by_country"
# relation = "mart.trials_by_country"
'''

MODELS_README = '''# Models of this review

One SQL file per relation, `<schema>/<name>.sql`, read by the build next to the engine's own
models (transform/models). Each ends in `select * from final`; what it reads is parsed from
its SQL, so the build order needs no list. Example, `mart/trials_by_year.sql`:

    -- materialized: table
    -- unique: query_id, year
    with matches as (select * from core.ctgov_query_match), ...
    select * from final
'''


class SkeletonError(ValueError):
    """The id is not usable, or the folder exists already."""


def write_skeleton(root: Path, review_id: str) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", review_id):
        raise SkeletonError(f"review id must be a lower-case identifier like 'ipsc_heart', "
                            f"got {review_id!r}")
    folder = root / review_id
    if folder.exists():
        raise SkeletonError(f"{folder} exists already; nothing written")
    (folder / "models").mkdir(parents=True)
    spec = folder / "review.toml"
    spec.write_text(SPEC_TEMPLATE.format(review_id=review_id, spec_path=spec), "utf-8")
    readme = folder / "models" / "README.md"
    readme.write_text(MODELS_README, "utf-8")
    return [spec, readme]
