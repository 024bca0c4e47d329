"""Plain data of the library network: enums and dataclasses, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    LEAD_LIBRARIAN = "lead_librarian"
    PARTNER_LIBRARIAN = "partner_librarian"


class LibraryKind(enum.StrEnum):
    MUNICIPAL = "municipal"  # gminna
    URBAN_RURAL = "urban_rural"  # miejsko-gminna
    COUNTY_CITY = "county_city"  # powiatowa (i miejska)
    CITY = "city"  # miejska
    BRANCH = "branch"  # filia
    OTHER = "other"


class NetworkRole(enum.StrEnum):
    LEAD = "lead"
    PARTNER = "partner"


class GuestCategory(enum.StrEnum):
    """The categories of invited guests that the programme report counts."""

    LOCAL_AUTHORITY = "local_authority"
    LOCAL_CREATOR = "local_creator"
    EXPERT = "expert"
    MUNICIPAL_COALITION = "municipal_coalition"
    NGO = "ngo"
    VOLUNTEER = "volunteer"
    LIBRARY_USER = "library_user"
    OTHER = "other"


class Language(enum.StrEnum):
    PL = "pl"
    EN = "en"


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)
    ACCOUNT_INVITATION = "account_invitation"


@dataclass(frozen=True, slots=True)
class Library:
    id: int
    name: str
    kind: LibraryKind
    address: str
    postal_code: str
    town: str
    gmina: str
    powiat: str
    voivodeship: str
    latitude: float | None
    longitude: float | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NetworkMember:
    library_id: int
    library_name: str
    role: NetworkRole
    joined_on: date
    left_on: date | None

    @property
    def active(self) -> bool:
        return self.left_on is None or self.left_on > date.today()


@dataclass(frozen=True, slots=True)
class Network:
    id: int
    name: str
    lead_library_id: int
    started_on: date
    note: str
    members: tuple[NetworkMember, ...] = ()


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    full_name: str
    email: str
    library_id: int | None
    role: Role
    language: Language
    timezone: str
    active: bool
    has_password: bool
    # Dates she declined in her own calendar feed: "mark" (shown as declined) or "hide".
    calendar_declined: str = "mark"


@dataclass(frozen=True, slots=True)
class Guest:
    id: int
    invitation_id: int
    meeting_id: int
    name: str
    category: GuestCategory


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: a signed-in person, a guest admitted to one meeting, or nobody."""

    person: Person | None = None
    guest: Guest | None = None
    session_id: str | None = None
    # The client's address (as the login limit counts it), set per request and socket: the
    # audit log records where an administrative action came from.
    client: str = ""

    @property
    def is_anonymous(self) -> bool:
        return self.person is None and self.guest is None

    @property
    def role(self) -> Role | None:
        return self.person.role if self.person else None


@dataclass(frozen=True, slots=True)
class Window:
    """When session rooms take posts: from ``open_before`` the first start of the meeting (or
    series) to ``close_after`` its last end (settings chat_session_open/close_minutes)."""

    open_before: timedelta
    close_after: timedelta


@dataclass(frozen=True, slots=True)
class RoomTimes:
    """What decides whether a room takes posts: its state and, for a session room, the span of
    its meeting over all dates (a series' first start to its last end, moved dates included)."""

    locked: bool
    closed: bool  # ended by a moderator, or its meeting was cancelled
    first_start: datetime | None  # None: not a session room (always open unless locked)
    last_end: datetime | None


def room_refusal(times: RoomTimes, now: datetime, window: Window) -> str | None:
    """THE rule for posting in a room (a message, an edit, a delete, a file): None when the room
    takes posts now, else the refusal's code, "room_locked" (read-only) or "not_open" (a
    session room before it opens). Join, send, edit, delete, upload and the group commit all
    ask this, so a room can never be open for one and closed for another."""
    if times.locked or times.closed:
        return "room_locked"
    if times.first_start is not None and now < times.first_start - window.open_before:
        return "not_open"
    if times.last_end is not None and now > times.last_end + window.close_after:
        return "room_locked"
    return None
