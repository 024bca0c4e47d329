"""What the meeting page and ``GET /meetings/{id}`` show, and the schedule form's defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from meetings_hub.actions.access import not_found_unless, scope_of
from meetings_hub.actions.occurrences import may_see, page_links
from meetings_hub.actions.scheduling import _managed_network, next_tuesday_10
from meetings_hub.actions.validate import Int
from meetings_hub.domain import Actor
from meetings_hub.errors import ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.scheduling.model import Meeting
from meetings_hub.storage import guests, networks, rooms
from meetings_hub.storage import scheduling as store
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.timefmt import now_utc


class RecurrenceView(msgspec.Struct):
    freq: str
    interval: int
    weekdays: list[str]
    nth: int | None
    nth_weekday: str | None
    until: datetime | None
    count: int | None


class OccurrenceItem(msgspec.Struct):
    original_start: datetime
    start: datetime
    end: datetime
    overridden: bool
    # My answer for this date (a date answer, else my answer for the series); None if I am
    # not on the list. counts: how the invitees answered for this date, the same way.
    my_rsvp: str | None = None
    counts: dict[str, int] = msgspec.field(default_factory=dict)


class InviteeView(msgspec.Struct):
    person_id: int
    name: str
    rsvp: str


class LibraryView(msgspec.Struct):
    library_id: int
    name: str
    invitees: list[InviteeView]
    librarians: int | None = None
    readers: int | None = None
    cars: int | None = None


class GuestView(msgspec.Struct):
    id: int
    name: str
    category: str
    rsvp: str
    email: str = ""  # only for those who manage the meeting


class MeetingView(msgspec.Struct):
    id: int
    network_id: int
    title: str
    agenda: str
    kind: str
    start: datetime
    end: datetime
    timezone: str
    address: str
    status: str
    sequence: int
    host_library_id: int
    host_library_name: str
    whole_network: bool
    organizer_name: str
    organizer_id: int | None
    page_url: str
    join_url: str
    room_ended: bool  # the host ended the session: its room is read-only, no more joining
    recurrence: RecurrenceView | None
    exceptions: list[datetime]
    upcoming: list[OccurrenceItem]
    libraries: list[LibraryView]
    guests: list[GuestView]
    my_rsvp: str | None
    may_manage: bool
    may_answer_travel: bool


async def _visible(db: Reader | Tx, actor: Actor, meeting_id: int) -> tuple[Meeting, bool]:
    meeting = await store.get(db, meeting_id)
    if actor.guest is not None:
        not_found_unless(meeting is not None and actor.guest.meeting_id == meeting_id, "Meeting")
        assert meeting is not None
        return meeting, False
    scope = await scope_of(db, actor)
    not_found_unless(meeting is not None and await may_see(db, actor, scope, meeting), "Meeting")
    assert meeting is not None and actor.person is not None
    manages = scope.manages_network(meeting.network_id) or meeting.created_by == actor.person.id
    return meeting, manages


async def view(hub: Hub, actor: Actor, meeting_id: int, *, upcoming: int = 12) -> MeetingView:
    async with hub.db.read() as reader:
        meeting, manages = await _visible(reader, actor, meeting_id)
        invitees = await store.list_invitees(reader, meeting_id)
        library_rows = await store.list_libraries(reader, meeting_id)
        guest_rows = await guests.list_invitations(reader, meeting_id)
        date_answers = await store.date_rsvps(reader, meeting_id) if meeting.rule else {}
        room_ended = meeting_id in await rooms.ended_meetings(reader, [meeting_id])
    by_library: dict[int, LibraryView] = {}
    for row in library_rows:
        by_library[row["library_id"]] = LibraryView(
            row["library_id"],
            row["library_name"],
            [],
            row["librarians"],
            row["readers"],
            row["cars"],
        )
    my_rsvp = None
    # The organiser runs her meeting: she counts as coming unless she said otherwise (as the
    # invitations list her: the accepted chair), never as "no answer".
    series_answers = {
        row["person_id"]: "accepted"
        if row["person_id"] == meeting.created_by and row["rsvp"] == "needs_action"
        else row["rsvp"]
        for row in invitees
    }
    for row in invitees:
        lib_id = row["library_id"] or 0
        if lib_id not in by_library:
            by_library[lib_id] = LibraryView(lib_id, row["library_name"] or "—", [])
        answer = series_answers[row["person_id"]]
        by_library[lib_id].invitees.append(InviteeView(row["person_id"], row["full_name"], answer))
        if actor.person is not None and row["person_id"] == actor.person.id:
            my_rsvp = answer
    guest_views = [
        GuestView(
            g["id"],
            g["name"] or (g["email"] if manages else ""),
            g["category"],
            g["rsvp"],
            g["email"] if manages else "",
        )
        for g in guest_rows
        if g["revoked_at"] is None
    ]
    if actor.guest is not None:
        my_rsvp = next(
            (g.rsvp for g in guest_views if g.id == actor.guest.invitation_id), "needs_action"
        )
    rule = meeting.rule
    now = now_utc()
    items = [
        OccurrenceItem(o.original_start, o.start, o.end, o.overridden)
        for o in meeting.occurrences(now - timedelta(hours=12), None)[:upcoming]
    ]
    if not items:
        items = [
            OccurrenceItem(o.original_start, o.start, o.end, o.overridden)
            for o in meeting.occurrences()[-1:]
        ]
    me = actor.person.id if actor.person else None
    for item in items:
        answers = {**series_answers, **date_answers.get(item.original_start, {})}
        item.my_rsvp = answers.get(me) if me is not None else None
        for value in answers.values():
            item.counts[value] = item.counts.get(value, 0) + 1
    own_library = actor.person.library_id if actor.person else None
    return MeetingView(
        id=meeting.id,
        network_id=meeting.network_id,
        title=meeting.title,
        agenda=meeting.agenda,
        kind=meeting.kind,
        start=meeting.start,
        end=meeting.end,
        timezone=meeting.timezone,
        address=meeting.address,
        status=meeting.status,
        sequence=meeting.sequence,
        host_library_id=meeting.host_library_id,
        host_library_name=meeting.host_library_name,
        whole_network=meeting.whole_network,
        organizer_name=meeting.organizer_name,
        organizer_id=meeting.created_by,
        page_url=page_links(hub).page(meeting.id),
        join_url=page_links(hub).join(meeting),
        room_ended=room_ended,
        recurrence=RecurrenceView(
            rule.freq,
            rule.interval,
            list(rule.weekdays),
            rule.nth,
            rule.nth_weekday,
            rule.until,
            rule.count,
        )
        if rule
        else None,
        exceptions=[c.original_start for c in meeting.changes if c.kind == "exception"],
        upcoming=items,
        libraries=sorted(by_library.values(), key=lambda v: v.name),
        guests=guest_views if (manages or actor.person is not None) else [],
        my_rsvp=my_rsvp,
        may_manage=manages and actor.guest is None,
        may_answer_travel=meeting.kind == "in_person"
        and own_library is not None
        and own_library in by_library,
    )


class TravelInput(msgspec.Struct, forbid_unknown_fields=True):
    librarians: Int
    readers: Int = 0
    cars: Int = 0


async def answer_travel(
    hub: Hub, actor: Actor, meeting_id: int, library_id: int, data: TravelInput
) -> None:
    """For in-person events: how many people a library brings and in how many cars."""
    details = {}
    for name in ("librarians", "readers", "cars"):
        if not 0 <= getattr(data, name) <= 500:
            details[name] = "Between 0 and 500."
    if details:
        raise ValidationFailed("Some fields are not valid.", details=details)
    async with hub.db.write() as tx:
        meeting, manages = await _visible(tx, actor, meeting_id)
        assert actor.person is not None
        libraries = {r["library_id"] for r in await store.list_libraries(tx, meeting_id)}
        not_found_unless(library_id in libraries, "Library")
        if not (manages or actor.person.library_id == library_id):
            raise ValidationFailed(
                "Only a librarian of that library answers for it.",
                details={"library_id": "Not your library."},
            )
        if meeting.kind != "in_person":
            raise ValidationFailed(
                "Only in-person events ask about travel.", details={"kind": meeting.kind}
            )
        await store.set_library_answer(
            tx,
            meeting_id,
            library_id,
            librarians=data.librarians,
            readers=data.readers,
            cars=data.cars,
            answered_by=actor.person.id,
        )


class PersonChoice(msgspec.Struct):
    id: int
    name: str
    library_id: int
    never_attended: bool


class LibraryChoice(msgspec.Struct):
    id: int
    name: str
    role: str


class NetworkChoice(msgspec.Struct):
    id: int
    name: str


class ScheduleDefaults(msgspec.Struct):
    network_id: int
    network_name: str
    networks: list[NetworkChoice]  # the networks the caller may schedule in
    start: datetime
    end: datetime
    timezone: str
    host_library_id: int
    libraries: list[LibraryChoice]
    people: list[PersonChoice]


async def form_defaults(hub: Hub, actor: Actor, network_id: int | None) -> ScheduleDefaults:
    """Next Tuesday 10:00 for 90 minutes, the whole network; who never attended is marked."""
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        if network_id is None and scope.everything:
            # A coordinator starts with the first network and may switch on the form.
            first = await reader.fetch_one("SELECT id FROM networks ORDER BY name LIMIT 1")
            network_id = first["id"] if first else None
        network_id = await _managed_network(reader, actor, scope, network_id)
        network = await networks.get(reader, network_id)
        assert network is not None
        members = [m for m in network.members if m.active]
        staff = await store.active_people_of_libraries(reader, {m.library_id for m in members})
        never = await store.never_attended(reader, [r["id"] for r in staff])
        # Before anyone of the network has attended a session the mark says nothing (a fresh
        # install would put it on every person), so it appears only once someone has.
        if len(never) == len(staff):
            never = set()
        managed = [
            NetworkChoice(n.id, n.name)
            for n in await networks.list_all(reader)
            if scope.manages_network(n.id)
        ]
    tz = hub.settings.timezone
    start = next_tuesday_10(now_utc(), tz)
    return ScheduleDefaults(
        network_id=network.id,
        network_name=network.name,
        networks=managed,
        start=start.astimezone(UTC),
        end=(start + timedelta(minutes=90)).astimezone(UTC),
        timezone=tz,
        host_library_id=network.lead_library_id,
        libraries=[LibraryChoice(m.library_id, m.library_name, m.role.value) for m in members],
        # The organiser is not invited to her own meeting: she runs it.
        people=[
            PersonChoice(r["id"], r["full_name"], r["library_id"], r["id"] in never)
            for r in staff
            if actor.person is None or r["id"] != actor.person.id
        ],
    )
