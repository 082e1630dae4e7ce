"""The one value every sandbox handler returns, and helpers to build it.

Handlers are plain functions of (path, params) -> Reply, so they can be unit-tested without a
socket; `sandbox.server` turns a Reply into HTTP and adds rate limits and faults around it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

Params = list[tuple[str, str]]  # query string and form body, in order; keys may repeat


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def text_reply(status: int, message: str) -> Reply:
    """CT.gov answers 400/404 (and E-utilities some errors) as text/plain, not JSON."""
    return Reply(status, message.encode("utf-8"), "text/plain; charset=utf-8")


def json_reply(obj: object, status: int = 200) -> Reply:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(status, body, "application/json; charset=utf-8")


def xml_reply(body: str | bytes, status: int = 200) -> Reply:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Reply(status, data, "text/xml; charset=utf-8")


def html_reply(body: str | bytes, status: int = 200) -> Reply:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Reply(status, data, "text/html; charset=utf-8")


def param_values(params: Params, name: str) -> list[str]:
    return [v for k, v in params if k == name]


def param(params: Params, name: str, default: str | None = None) -> str | None:
    """The last value given for `name` (servers commonly let a later value win)."""
    values = param_values(params, name)
    return values[-1] if values else default
