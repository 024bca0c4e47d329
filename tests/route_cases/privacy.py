"""Data protection routes (issue 17): the audit log, export and erasure."""

from __future__ import annotations

from tests.route_cases import Case

V1 = "/api/v1"
COORDINATOR = frozenset({"coordinator"})

CASES = [
    Case("GET", V1 + "/audit", allowed=COORDINATOR),
    Case("GET", V1 + "/audit.csv", allowed=COORDINATOR),
]
