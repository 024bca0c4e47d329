"""One CSV per table of the programme report: UTF-8 with BOM (Excel reads Polish letters),
a header row of stable English column names, and a translated label beside each code."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from meetings_hub.actions.report import ReportView
from meetings_hub.errors import NotFound
from meetings_hub.hub import Hub

Table = tuple[list[str], Iterable[list[Any]]]


def _tables(hub: Hub, lang: str, view: ReportView) -> dict[str, Callable[[], Table]]:
    def t(key: str) -> str:
        return hub.t(lang, key)

    def sessions() -> Table:
        head = ["kind", "label", "held", "hours", "attendances", "average_attendance"]
        return head, (
            [r.kind, t(f"report.kind.{r.kind}"), r.held, r.hours, r.attendances,
             r.average_attendance if r.average_attendance is not None else ""]
            for r in view.sessions
        )  # fmt: skip

    def participants() -> Table:
        head = ["category", "label", "people", "attendances"]
        return head, (
            [r.category, t(f"report.category.{r.category}"), r.people, r.attendances]
            for r in view.participants
        )

    def answers() -> Table:
        head = ["group", "code", "label", "answers", "percent", "all_answers"]
        return head, (
            [r.group, r.code, t(f"feedback.{r.group}.{r.code}"), r.answers, r.percent,
             view.answers]
            for r in view.shares
        )  # fmt: skip

    def plans() -> Table:
        head = ["network", "session", "session_date", "kind", "label", "text", "planned_on",
                "status", "meeting_id"]  # fmt: skip
        return head, (
            [r.network_name, r.session_title, r.session_date, r.kind,
             t(f"feedback.plan.{r.kind}"), r.text, r.planned_on or "", r.status,
             r.meeting_id or ""]
            for r in view.plans
        )  # fmt: skip

    def quotes() -> Table:
        head = ["network", "session", "session_date", "rating", "text"]
        return head, (
            [r.network_name, r.session_title, r.session_date, r.rating or "", r.text]
            for r in view.quotes
        )

    def sustainability() -> Table:
        s = view.sustainability
        head = ["network", "lead_library", "active", "sessions_in_window", "messages_in_window",
                "last_activity", "window_start", "window_end"]  # fmt: skip
        return head, (
            [r.network_name, r.lead_library_name, "yes" if r.active else "no",
             r.sessions_in_window, r.messages_in_window, r.last_activity or "",
             s.active_after, s.window_end]
            for r in s.networks
        )  # fmt: skip

    def savings() -> Table:
        head = ["sessions", "participant_hours", "km_avoided", "money_pln", "co2_kg",
                "trips_avoided"]  # fmt: skip
        s = view.savings
        rows = [] if s is None else [
            [s.sessions, s.participant_hours, s.km_avoided, s.money, s.co2_kg, s.trips_avoided]
        ]  # fmt: skip
        return head, rows

    return {
        "sessions": sessions,
        "participants": participants,
        "answers": answers,
        "plans": plans,
        "quotes": quotes,
        "sustainability": sustainability,
        "savings": savings,
    }


TABLES = ("sessions", "participants", "answers", "plans", "quotes", "sustainability", "savings")


def csv_of(hub: Hub, lang: str, view: ReportView, table: str, *, delimiter: str = ",") -> bytes:
    tables = _tables(hub, lang, view)
    if table not in tables:
        raise NotFound("Report table not found.", code="unknown_report_table")
    head, rows = tables[table]()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(head)
    for row in rows:
        writer.writerow([_cell(v, delimiter) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _cell(value: Any, delimiter: str) -> str:
    text = str(value)
    if isinstance(value, Decimal) and delimiter == ";":
        text = text.replace(".", ",")  # Polish Excel reads decimal commas
    # A cell starting like a formula would run in a spreadsheet: quoted as text instead.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not isinstance(value, (int, Decimal)):
        text = "'" + text
    return text
