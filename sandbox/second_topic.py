"""The sandbox's second topic: the searches of a second review, importable in one place.

"iPSC-Derived Cardiomyocyte Therapies for Heart Failure", searched on 30 June 2024. Both corpora
hold a small topic of its own (`ctgov/topic_ipsc.py`, `eutils/topic_ipsc.py`) that these
queries find and the default review's queries do not (and the other way round). The counts
are computed by the sandbox's query engines over the corpora; the `*_PLANNED` numbers only say
how the corpora were laid out.

For the second review's spec (`reviews/<id>/review.toml`):

    [review]            id = SECOND_TOPIC_ID, title = SECOND_TOPIC_TITLE,
                        cutoff = SECOND_TOPIC_CUTOFF
    [[pubmed.queries]]  term = SECOND_TOPIC_PUBMED_TERM
    [[ctgov.queries]]   "query.term" = SECOND_TOPIC_CTGOV_TERM
"""

from __future__ import annotations

SECOND_TOPIC_ID = "ipsc_heart"
SECOND_TOPIC_TITLE = "iPSC-Derived Cardiomyocyte Therapies for Heart Failure"
SECOND_TOPIC_CUTOFF = "2024-06-30"  # the searches' date (ISO, as a review spec writes it)

# PubMed reads it left to right; both terms go through automatic term mapping (title/abstract
# phrase or the MeSH heading: "Induced Pluripotent Stem Cells", "Heart Failure" exploded).
SECOND_TOPIC_PUBMED_TERM = "induced pluripotent stem cell AND heart failure"
SECOND_TOPIC_PUBMED_CUTOFF_TERM = "1800/01/01:2024/06/30[crdt]"

# ClinicalTrials.gov "Other terms" (query.term): Essie ANDs the six words over each study.
SECOND_TOPIC_CTGOV_TERM = "induced pluripotent stem cell AND heart failure"
SECOND_TOPIC_CTGOV_CUTOFF_FILTER = "AREA[StudyFirstPostDate]RANGE[MIN,2024-06-30]"

# How the corpora were laid out (the engines compute the counts; tests check they agree).
SECOND_TOPIC_CTGOV_PLANNED = (19, 24)  # matching trials first posted by the cut-off, now
SECOND_TOPIC_PUBMED_PLANNED = (276, 372)  # matching records created by the cut-off, now
