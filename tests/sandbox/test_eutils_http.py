"""E-utilities over real HTTP on loopback, through the shared `sandbox_server` fixture."""

from __future__ import annotations

import io
import json
import urllib.parse
import urllib.request

from Bio import Entrez

from sandbox.eutils.corpus import CUTOFF_TERM, REVIEW_QUERY


def _get(url: str, data: dict | None = None) -> bytes:
    body = urllib.parse.urlencode(data).encode() if data else None
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return response.read()


def test_esearch_and_post_efetch_over_http(sandbox_server):
    base = f"{sandbox_server.url}/entrez/eutils"
    query = urllib.parse.urlencode(
        {
            "db": "pubmed",
            "term": f"{REVIEW_QUERY} AND {CUTOFF_TERM}",
            "retmode": "json",
            "retmax": "300",
        }
    )
    result = json.loads(_get(f"{base}/esearch.fcgi?{query}"))["esearchresult"]
    assert result["count"] == "1290"
    ids = ",".join(result["idlist"])
    xml = _get(f"{base}/efetch.fcgi", {"db": "pubmed", "retmode": "xml", "id": ids})
    assert len(Entrez.read(io.BytesIO(xml), validate=True)["PubmedArticle"]) == 300
