"""Faults on demand: which request gets which failure.

A fault spec is a list of rules separated by ';' (see sandbox/README.md):

    [TARGET:]KIND[(ARG)][@PROBABILITY | #N | #N-M | xCOUNT]

    studies:503#2          the 2nd request to /studies answers 503
    esearch:429(2)x3       the first 3 esearch requests answer 429 with Retry-After: 2
    efetch:truncate@0.2    each efetch request is cut short with probability 0.2 (seeded)
    *:reset#5              the 5th request of any kind gets a TCP reset
    studies:empty-page     exactly full last pages carry a token to an empty page
    studies:empty-midstream#2   the 2nd page is empty but carries a token to its own studies
    studies:403(60)#1      the 1st page request meets the firewall's throttle, Retry-After: 60
    efetch:short-page(3)#2 the 2nd efetch page lacks its last 3 records (HTTP 200)
    efetch:expired-webenv#4  the history server forgets the 4th efetch's WebEnv, for good

Targets: an endpoint name (studies, version, esearch, efetch, esummary, einfo), an API
(`ctgov`, `eutils`) or `*` (the default). Without a trigger a rule fires on every request.
Counting is per rule, over the requests its target matches, so a retried request moves on.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field

KINDS = {
    "429",  # Too Many Requests; ARG = Retry-After seconds (no ARG: no header)
    "500",
    "502",
    "503",
    "reset",  # TCP reset before any byte of the answer
    "slow",  # answer after ARG seconds (default 5), longer than a client's timeout
    "truncate",  # send half the body, then close, with the full Content-Length declared
    "ncbi-error",  # HTTP 200 carrying an NCBI error body (ERROR element / "ERROR" key)
    "html",  # HTTP 200 carrying an HTML maintenance page
    "empty-page",  # CT.gov: a token after an exactly full last page, then an empty page
    "empty-midstream",  # CT.gov: an empty page whose token leads on to the studies it skipped
    "403",  # CT.gov's firewall throttling; ARG = Retry-After seconds (no ARG: no header)
    "short-page",  # efetch: HTTP 200 with the page's last ARG records (default 1) left out
    "expired-webenv",  # the history server forgets the WebEnv the request names, for good
}
TARGETS = {"*", "ctgov", "eutils", "studies", "version", "esearch", "efetch", "esummary", "einfo"}
# Kinds the API handlers act out, and the only requests they can reach; a rule that targets
# none of those requests would silently never fire, so it is refused.
ONLY_FOR = {
    "empty-page": {"*", "ctgov", "studies"},
    "empty-midstream": {"*", "ctgov", "studies"},
    "short-page": {"*", "eutils", "efetch"},
    "expired-webenv": {"*", "eutils", "efetch", "esummary", "esearch"},
}

_RULE = re.compile(
    r"""^(?:(?P<target>[\w*]+):)?
        (?P<kind>\d{3}|[a-z]+(?:-[a-z]+)*)
        (?:\((?P<arg>[0-9.]+)\))?
        (?:@(?P<prob>[0-9.]+)|\#(?P<first>\d+)(?:-(?P<last>\d+))?|x(?P<count>\d+))?$""",
    re.VERBOSE,
)


class FaultSpecError(ValueError):
    """A --faults spec that does not parse; the message names the bad rule."""


@dataclass
class FaultRule:
    target: str
    kind: str
    arg: float | None = None
    probability: float | None = None
    first: int | None = None  # 1-based range of matching requests that fail
    last: int | None = None
    seen: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, api: str, endpoint: str) -> bool:
        return self.target in ("*", api, endpoint)

    def fires(self) -> bool:
        """Called once per matching request, in arrival order."""
        self.seen += 1
        if self.probability is not None:
            return self.rng.random() < self.probability
        if self.first is not None:
            return self.first <= self.seen <= (self.last or self.first)
        return True


@dataclass
class Fault:
    kind: str
    arg: float | None = None


class FaultPlan:
    """The parsed rules; `pick` decides, request by request, which fault (if any) applies."""

    def __init__(self, spec: str = "", seed: int = 0):
        self.spec = spec
        self.rules = [_parse_rule(text, seed + i) for i, text in enumerate(_split(spec))]
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def pick(self, api: str, endpoint: str) -> list[Fault]:
        """Every rule that fires for this request (several may: e.g. empty-page and a 503)."""
        with self._lock:
            return [
                Fault(rule.kind, rule.arg)
                for rule in self.rules
                if rule.matches(api, endpoint) and rule.fires()
            ]


def _split(spec: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\s]+", spec or "") if part.strip()]


def _parse_rule(text: str, seed: int) -> FaultRule:
    m = _RULE.match(text)
    if not m:
        raise FaultSpecError(f"bad fault rule {text!r}: expected [TARGET:]KIND[(ARG)][@P|#N|xN]")
    target = m["target"] or "*"
    if target not in TARGETS:
        raise FaultSpecError(f"bad fault rule {text!r}: unknown target {target!r}")
    if m["kind"] not in KINDS:
        raise FaultSpecError(
            f"bad fault rule {text!r}: unknown kind {m['kind']!r} (one of {sorted(KINDS)})"
        )
    if target not in ONLY_FOR.get(m["kind"], TARGETS):
        raise FaultSpecError(
            f"bad fault rule {text!r}: {m['kind']} never reaches {target!r} requests"
        )
    rule = FaultRule(target, m["kind"], arg=float(m["arg"]) if m["arg"] else None)
    rule.rng = random.Random(seed)
    if m["prob"] is not None:
        rule.probability = float(m["prob"])
        if not 0 <= rule.probability <= 1:
            raise FaultSpecError(f"bad fault rule {text!r}: probability must be in [0, 1]")
    elif m["first"] is not None:
        rule.first, rule.last = int(m["first"]), int(m["last"] or m["first"])
        if rule.first < 1 or rule.last < rule.first:
            raise FaultSpecError(f"bad fault rule {text!r}: bad request range")
    elif m["count"] is not None:
        rule.first, rule.last = 1, int(m["count"])
    return rule
