"""The one place API clients are made: from the settings, whose base URLs say which API
(the real one, the sandbox, a test's server), so every caller takes the same code path."""

from __future__ import annotations

from extract.ctgov import CtgovClient
from extract.eutils import EutilsClient
from flows.settings import Settings


def ctgov_client(settings: Settings) -> CtgovClient:
    return CtgovClient(
        settings.ctgov_base_url,
        requests_per_second=settings.ctgov_requests_per_second,
        timeout=(5.0, settings.ctgov_timeout_seconds),
    )


def eutils_client(settings: Settings) -> EutilsClient:
    return EutilsClient(
        settings.eutils_base_url,
        api_key=settings.ncbi_api_key,
        email=settings.ncbi_email,
        tool=settings.pubmed_tool,
        requests_per_second=settings.pubmed_requests_per_second,
        timeout=(5.0, settings.pubmed_timeout_seconds),
    )
