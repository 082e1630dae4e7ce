"""What a faulty answer looks like, per API and endpoint (bodies as the real services send them)."""

from __future__ import annotations

import json

from sandbox.faults import Fault
from sandbox.reply import Params, Reply, html_reply, param, text_reply, xml_reply

# E-utilities' "Search Backend failed" arrives with HTTP 200; clients that only look at the
# status code record it as a count of 0. The wording follows NCBI's backend errors.
NCBI_BACKEND_ERROR = "Search Backend failed: Database is not supported: pubmed (sandbox fault)"

MAINTENANCE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Service unavailable</title></head>
<body><h1>We're sorry, this service is temporarily unavailable.</h1>
<p>The system is undergoing maintenance. Please try again later.</p></body></html>
"""

_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def fault_reply(fault: Fault, api: str, endpoint: str, params: Params) -> Reply | None:
    """The reply that replaces the real answer, or None for faults acted out elsewhere."""
    if fault.kind == "429":
        return _too_many_requests(fault, api)
    if fault.kind == "403":
        return _firewall_throttle(fault)
    if fault.kind in ("500", "502", "503"):
        status = int(fault.kind)
        if api == "eutils" and status != 500:
            # NCBI's front end answers gateway errors with an HTML page
            return html_reply(MAINTENANCE_PAGE, status)
        return text_reply(status, _STATUS_TEXT[status])
    if fault.kind == "html":
        return html_reply(MAINTENANCE_PAGE, 200)
    if fault.kind == "ncbi-error":
        return _ncbi_error_in_200(api, endpoint, params)
    return None


def _too_many_requests(fault: Fault, api: str) -> Reply:
    if api == "eutils":
        body = {"error": "API rate limit exceeded", "api-key": "127.0.0.1", "count": "4"}
        body["limit"] = "3"
        reply = Reply(429, json.dumps(body).encode(), "application/json")
    else:
        reply = text_reply(429, "Too Many Requests")
    if fault.arg is not None:
        reply.headers["Retry-After"] = str(int(fault.arg))
    return reply


def _firewall_throttle(fault: Fault) -> Reply:
    """CT.gov's firewall throttling (issue 11; neither the spec nor shared/reference records the
    body, so it is a plain one: clients must go by the status alone)."""
    reply = text_reply(403, "Forbidden")
    if fault.arg is not None:
        reply.headers["Retry-After"] = str(int(fault.arg))
    return reply


def _ncbi_error_in_200(api: str, endpoint: str, params: Params) -> Reply:
    if api != "eutils":
        # CT.gov has no error-in-200 habit; an HTML page in a 200 is its nearest failure
        return html_reply(MAINTENANCE_PAGE, 200)
    if param(params, "retmode") == "json":
        key = {"esearch": "esearchresult", "esummary": "result"}.get(endpoint, "result")
        body = json.dumps({"header": {"type": endpoint, "version": "0.3"},
                           key: {"ERROR": NCBI_BACKEND_ERROR}})
        return Reply(200, body.encode(), "application/json; charset=utf-8")
    root = {"esearch": "eSearchResult", "efetch": "eFetchResult",
            "esummary": "eSummaryResult", "einfo": "eInfoResult"}.get(endpoint, "eResult")
    return xml_reply(f'<?xml version="1.0" encoding="UTF-8" ?>\n'
                     f"<{root}><ERROR>{NCBI_BACKEND_ERROR}</ERROR></{root}>\n")
