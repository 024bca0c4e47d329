"""``event_key`` names an event's VEVENT lines for storage (the app keeps them in its database
across restarts): any change to anything the lines are made from must give another key, and the
same event must give the same key in every process."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from calendars import document
from calendars.model import Attendee, Event, Organizer, Recurrence
from tests.calendars.samples import CHANGED, CREATED, WEEKLY, warsaw
from tests.support import REPO

# For every field of Event, another valid value. A field added to Event without a line here
# fails the first test: the key must be shown to cover it.
OTHER: dict[str, object] = {
    "uid": "meeting-999@hub.example.pl",
    "sequence": 4,
    "title": "Dyżur konsultacyjny — zmiana",
    "start": warsaw(2025, 10, 7, 9),
    "end": warsaw(2025, 10, 7, 11, 30),
    "last_modified": CHANGED + timedelta(seconds=1),
    "created": CREATED - timedelta(days=1),
    "tzid": "Europe/Berlin",
    "description": "Nowy opis",
    "location": "Sala 2",
    "url": "https://hub.example.pl/meetings/102/inny",
    "conference_url": "https://meet.example.pl/inny",
    "status": "CANCELLED",
    "organizer": Organizer("inny@example.pl", "Inna Biblioteka"),
    "attendees": (Attendee("filia.zgierz@example.pl", "Biblioteka w Zgierzu", "ACCEPTED"),),
    "recurrence": Recurrence("WEEKLY", by_weekday=("TU", "TH"), count=9),
    "exdates": (warsaw(2025, 10, 21),),
    "overrides": (dataclasses.replace(WEEKLY.overrides[0], title="Inaczej"),),
    "recurrence_id": None,  # set on an override below
    "categories": ("Szkolenie",),
    "stamp": CHANGED,
    "all_day": True,
    "transparent": True,
}


def _key(event: Event, with_people: bool = True) -> str:
    return document.event_key(event, with_people=with_people)


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Event)])
def test_a_change_to_any_field_gives_another_key(name: str) -> None:
    assert name in OTHER, f"Event.{name} is new: add another value for it to OTHER"
    if name == "recurrence_id":
        override = WEEKLY.overrides[0]
        moved = dataclasses.replace(override, recurrence_id=warsaw(2025, 10, 23))
        assert _key(moved) != _key(override)
        return
    if name == "uid":
        overrides = tuple(dataclasses.replace(o, uid=OTHER["uid"]) for o in WEEKLY.overrides)
        changed = dataclasses.replace(WEEKLY, uid=OTHER["uid"], overrides=overrides)
        assert _key(changed) != _key(WEEKLY)
        return
    if name == "all_day":
        day = dataclasses.replace(
            WEEKLY, start=warsaw(2025, 10, 7, 0), end=warsaw(2025, 10, 8, 0), overrides=()
        )
        assert _key(dataclasses.replace(day, all_day=True)) != _key(day)
        return
    changed = dataclasses.replace(WEEKLY, **{name: OTHER[name]})
    assert changed != WEEKLY
    assert _key(changed) != _key(WEEKLY)


def test_lines_with_and_without_people_have_other_keys() -> None:
    assert _key(WEEKLY, with_people=True) != _key(WEEKLY, with_people=False)


def test_a_new_writer_gives_new_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _key(WEEKLY)
    monkeypatch.setattr(document, "_WRITER", document._WRITER + b"x")
    assert _key(WEEKLY) != before


def test_the_key_is_the_same_in_another_process() -> None:
    """Hash randomisation and the like must not enter the key: stored lines are read back by
    the next process."""
    code = (
        "import json; from calendars import document; from tests.calendars.samples import ALL;"
        "print(json.dumps([document.event_key(e, with_people=False) for e in ALL]))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "12345"}
    found = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, check=True
    )
    from tests.calendars.samples import ALL

    assert json.loads(found.stdout) == [_key(e, with_people=False) for e in ALL]
