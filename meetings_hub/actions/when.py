"""Dates and times in words, in the reader's language and time zone (mails and pages)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from meetings_hub.hub import Hub
from meetings_hub.scheduling.recurrence import WEEKDAYS, Rule


def day_text(hub: Hub, lang: str, local: datetime) -> str:
    weekday = hub.t(lang, f"sched.weekday.{local.weekday()}")
    month = hub.t(lang, f"sched.month.{local.month}")
    return hub.t(
        lang, "sched.when.day", weekday=weekday, day=local.day, month=month, year=local.year
    )


def range_text(hub: Hub, lang: str, start: datetime, end: datetime, tz: str) -> str:
    """E.g. "wtorek, 13 października 2026, 10:00–11:30 (Europe/Warsaw)"."""
    zone = ZoneInfo(tz)
    a, b = start.astimezone(zone), end.astimezone(zone)
    if a.date() == b.date():
        text = f"{day_text(hub, lang, a)}, {a:%H:%M}–{b:%H:%M}"
    else:
        text = f"{day_text(hub, lang, a)}, {a:%H:%M} – {day_text(hub, lang, b)}, {b:%H:%M}"
    return f"{text} ({tz})"


def rule_text(hub: Hub, lang: str, rule: Rule, tz: str) -> str:
    if rule.freq == "WEEKLY":
        days = ", ".join(hub.t(lang, f"sched.weekday.{WEEKDAYS.index(d)}") for d in rule.weekdays)
        if rule.interval == 1:
            text = hub.t(lang, "sched.rule.weekly", days=days)
        else:
            text = hub.t(lang, "sched.rule.every_n_weeks", n=rule.interval, days=days)
    elif rule.nth and rule.nth_weekday:
        day = hub.t(lang, f"sched.weekday.{WEEKDAYS.index(rule.nth_weekday)}")
        text = hub.t(
            lang, "sched.rule.monthly_nth", nth=hub.t(lang, f"sched.nth.{rule.nth}"), day=day
        )
    else:
        text = hub.t(lang, "sched.rule.monthly")
    if rule.count is not None:
        return text + ", " + hub.t(lang, "sched.rule.count", count=rule.count)
    if rule.until is not None:
        until = rule.until.astimezone(ZoneInfo(tz))
        return text + ", " + hub.t(lang, "sched.rule.until", date=f"{until:%d.%m.%Y}")
    return text
