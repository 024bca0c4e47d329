"""Calendar feeds: who may subscribe to what, the secret addresses, and the feed files.

Each person has their own token per feed, so regenerating (after a leaked address) or
leaving a library cuts off only that person's subscriptions. Access is checked again on
every fetch: a token of someone who has lost access answers 404, like a revoked one.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote, urlencode

import msgspec

from calendars import document
from calendars.feed import build_feed
from calendars.model import Event
from meetings_hub import auth
from meetings_hub.actions import feed_events
from meetings_hub.actions.access import Scope, require_person, scope_of
from meetings_hub.actions.feed_cache import StampedCache
from meetings_hub.actions.file_names import clean_name
from meetings_hub.actions.validate import Id
from meetings_hub.domain import Actor, Person, Role
from meetings_hub.errors import NotFound, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.storage import feeds, libraries, networks, people
from meetings_hub.storage.db import Reader, Tx
from meetings_hub.storage.feeds import FeedToken
from meetings_hub.storage.timefmt import now_utc

# A fetch is written down at most this often: enough to tell a librarian that her calendar
# app reads the feed, without a write for every poll.
_FETCH_NOTE_EVERY = timedelta(minutes=10)


class FeedScope(enum.StrEnum):
    PERSON = "person"  # my own meetings
    LIBRARY = "library"  # meetings my library hosts or is invited to
    NETWORK = "network"  # every meeting of one network
    PROGRAMME = "programme"  # every meeting (coordinators)


class FeedLinks(msgspec.Struct):
    """One subscribable feed with every way to add it to a calendar."""

    scope: FeedScope
    scope_id: int | None
    name: str
    url: str  # https:// (or http://) address of the feed
    webcal: str  # the same address as webcal://, which opens the calendar app
    google: str  # Google Calendar's "add by URL" page
    outlook: str  # Outlook.com's "subscribe from web"
    outlook365: str  # the same for work / school Microsoft 365 accounts
    download: str  # a one-off copy to import
    created_at: datetime
    last_fetched_at: datetime | None


class RegenerateInput(msgspec.Struct, forbid_unknown_fields=True):
    scope: FeedScope
    scope_id: Id | None = None


@dataclass(frozen=True)
class FeedFile:
    body: bytes
    etag: str  # quoted, strong
    last_modified: datetime
    filename: str  # shown name (UTF-8); api/feeds.py sends it per RFC 6266


# (meeting id, event_key, VEVENT lines) as kept in the database.
_Lines = tuple[int, str, bytes]


@dataclass(frozen=True)
class _Target:
    scope: FeedScope
    scope_id: int | None
    name: str


def may_subscribe(person: Person, scope: Scope, kind: FeedScope, scope_id: int | None) -> bool:
    """Library and network feeds are for their members; the programme feed for coordinators."""
    if kind is FeedScope.PERSON:
        return scope_id is None
    if kind is FeedScope.PROGRAMME:
        return scope_id is None and person.role is Role.COORDINATOR
    if scope_id is None:
        return False
    if kind is FeedScope.LIBRARY:
        return scope.everything or person.library_id == scope_id
    return scope.everything or scope_id in scope.network_ids


async def _targets(db: Reader | Tx, hub: Hub, person: Person, scope: Scope) -> list[_Target]:
    lang = person.language.value
    found = [_Target(FeedScope.PERSON, None, hub.t(lang, "calendar.feed.person"))]
    if person.library_id is not None:
        library = await libraries.get(db, person.library_id)
        if library is not None:
            name = hub.t(lang, "calendar.feed.library", name=library.name)
            found.append(_Target(FeedScope.LIBRARY, library.id, name))
    network_ids = sorted(scope.network_ids)
    if scope.everything:
        rows = await db.fetch_all("SELECT id FROM networks ORDER BY name")
        network_ids = [row["id"] for row in rows]
    for network_id in network_ids:
        network = await networks.get(db, network_id)
        if network is not None:
            name = hub.t(lang, "calendar.feed.network", name=network.name)
            found.append(_Target(FeedScope.NETWORK, network.id, name))
    if person.role is Role.COORDINATOR:
        found.append(_Target(FeedScope.PROGRAMME, None, hub.t(lang, "calendar.feed.programme")))
    return found


def feed_url(hub: Hub, token: str) -> str:
    return hub.url(f"/feeds/{token}.ics")


def links(hub: Hub, target: _Target, token: FeedToken) -> FeedLinks:
    url = feed_url(hub, token.token)
    webcal = "webcal://" + url.split("://", 1)[1]
    # Outlook wants the http(s) address; Google takes the webcal one as its calendar id.
    outlook_query = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addsubscription",
            "url": url,
            "name": target.name,
        },
        quote_via=quote,
    )
    return FeedLinks(
        scope=target.scope,
        scope_id=target.scope_id,
        name=target.name,
        url=url,
        webcal=webcal,
        google="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        outlook="https://outlook.live.com/owa?" + outlook_query,
        outlook365="https://outlook.office.com/owa?" + outlook_query,
        # The browser downloads from wherever it reached the server; calendars need site_url.
        download=f"/feeds/{token.token}.ics?download=1",
        created_at=token.created_at,
        last_fetched_at=token.last_fetched_at,
    )


async def _ensure_token(tx: Tx, person_id: int, target: _Target) -> FeedToken:
    token = await feeds.live_for(tx, person_id, target.scope.value, target.scope_id)
    if token is None:
        await feeds.insert(tx, auth.new_token(), person_id, target.scope.value, target.scope_id)
        token = await feeds.live_for(tx, person_id, target.scope.value, target.scope_id)
    assert token is not None
    return token


async def my_feeds(hub: Hub, actor: Actor) -> list[FeedLinks]:
    """Every feed the person may subscribe to; a missing address is made on first view."""
    require_person(actor)
    assert actor.person is not None
    person = actor.person
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        targets = await _targets(reader, hub, person, scope)
        existing = {
            (token.scope, token.scope_id): token
            for token in await feeds.live_for_person(reader, person.id)
        }
    if all((t.scope.value, t.scope_id) in existing for t in targets):
        return [links(hub, t, existing[(t.scope.value, t.scope_id)]) for t in targets]
    async with hub.db.write() as tx:
        return [links(hub, t, await _ensure_token(tx, person.id, t)) for t in targets]


async def regenerate(hub: Hub, actor: Actor, data: RegenerateInput) -> FeedLinks:
    """A new secret address for one feed; the old one answers 404 from now on."""
    require_person(actor)
    assert actor.person is not None
    person = actor.person
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        if not may_subscribe(person, scope, data.scope, data.scope_id):
            raise ValidationFailed(
                "You cannot subscribe to this feed.", details={"scope": "Not one of your feeds."}
            )
        target = next(
            (
                t
                for t in await _targets(tx, hub, person, scope)
                if t.scope is data.scope and t.scope_id == data.scope_id
            ),
            None,
        )
        if target is None:
            raise NotFound("Feed not found.")
        old = await feeds.live_for(tx, person.id, data.scope.value, data.scope_id)
        if old is not None:
            await feeds.revoke(tx, old.id)
        return links(hub, target, await _ensure_token(tx, person.id, target))


async def _owner_may_read(reader: Reader, token: FeedToken) -> Person | None:
    person = await people.get(reader, token.person_id)
    if person is None or not person.active:
        return None
    scope = await scope_of(reader, Actor(person=person))
    if not may_subscribe(person, scope, FeedScope(token.scope), token.scope_id):
        return None
    return person


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


# Raise when a release changes the bytes a feed has for the same data, so that stored ETags
# built by the older code no longer count.
_FORMAT = "2"


@dataclass(frozen=True)
class FeedHead:
    """What a conditional request needs, found without building the feed.

    ``etag`` and ``last_modified`` are None when the feed changed since it was last built
    (the stored ETag belongs to another stamp): only a build can tell the new ones."""

    token: FeedToken
    stamp: str
    etag: str | None
    last_modified: datetime | None


def _stamp(hub: Hub, version: int, now: datetime) -> str:
    """Everything a feed's bytes depend on besides its token: the calendar version (moved by
    triggers on every table a feed reads), the day (the window and memberships are by day)
    and the settings that shape it."""
    s = hub.settings
    parts = (
        _FORMAT,
        version,
        now.astimezone(UTC).date(),
        date.today(),  # memberships are read by the server's local date
        s.site_url,
        s.site_domain,
        s.timezone,
        s.feed_past_days,
        s.feed_future_days,
        s.feed_cancelled_days,
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _cache(hub: Hub) -> StampedCache[FeedFile]:
    cache = hub.caches.get("feeds")
    if cache is None:
        # 32 MiB: some forty feeds of a thousand meetings, hundreds of ordinary ones.
        cache = hub.caches["feeds"] = StampedCache[FeedFile](lambda file: len(file.body))
    return cache


def feed_builds(hub: Hub) -> int:
    """How many feeds this process has built (a 304 or a cached answer builds none)."""
    return _cache(hub).builds


async def feed_head(hub: Hub, token_text: str, *, now: datetime | None = None) -> FeedHead:
    """The cheap part of a fetch: one query. Unknown or revoked token: 404.

    While the stamp is the one stored with the token, nothing the feed shows or its owner's
    access changed since the last full check (the triggers cover people, memberships and
    networks too), so the stored ETag is current and a 304 needs nothing more."""
    if not token_text or len(token_text) > 100:
        raise NotFound("Feed not found.")
    now = now or now_utc()
    async with hub.db.read() as reader:
        found = await feeds.live_with_version(reader, token_text)
    if found is None:
        raise NotFound("Feed not found.")
    token, version = found
    stamp = _stamp(hub, version, now)
    noted = token.last_fetched_at
    if noted is None or now - noted >= _FETCH_NOTE_EVERY:
        async with hub.db.write() as tx:
            await feeds.record_fetch(tx, token.id, fetched_at=now)
    if token.stamp != stamp or not token.etag:
        return FeedHead(token, stamp, None, None)
    last_modified = (token.content_changed_at or token.created_at).replace(microsecond=0)
    return FeedHead(token, stamp, token.etag, last_modified)


def _filename(name: str) -> str:
    """The feed's name as a file name, Polish letters kept ("Sieć - Sieć bibliotek wokół
    Morawicy.ics"); the header gives an ASCII fallback too (RFC 6266)."""
    return clean_name(name.replace(": ", " - ") + ".ics")


async def feed_file(hub: Hub, token_text: str, *, now: datetime | None = None) -> FeedFile:
    """The feed behind a secret address. Unknown, revoked or no longer allowed: 404.

    ``now`` places the window (tests pin it to build golden files)."""
    now = now or now_utc()
    head = await feed_head(hub, token_text, now=now)
    return await body_of(hub, head, now=now)


async def body_of(hub: Hub, head: FeedHead, *, now: datetime | None = None) -> FeedFile:
    """The feed file for a head: from memory while its stamp holds, else built (once, however
    many ask at the same time)."""
    now = now or now_utc()
    return await _cache(hub).get_or_make(head.token.id, head.stamp, lambda: _build(hub, head, now))


async def _build(hub: Hub, head: FeedHead, now: datetime) -> FeedFile:
    token = head.token
    # The window moves by whole days, so the body is one function of the stamp.
    day = datetime.combine(now.astimezone(UTC).date(), time(0), UTC)
    async with hub.db.read() as reader:
        person = await _owner_may_read(reader, token)
        if person is None:
            raise NotFound("Feed not found.")
        scope = await scope_of(reader, Actor(person=person))
        target = next(
            (
                t
                for t in await _targets(reader, hub, person, scope)
                if t.scope.value == token.scope and t.scope_id == token.scope_id
            ),
            None,
        )
        if target is None:
            raise NotFound("Feed not found.")
        meetings = await feed_events.meetings_for(
            reader, hub, FeedScope(token.scope).value, token.scope_id, person, day
        )

    def events_and_unknown() -> tuple[list[Event], dict[int, tuple[Event, str]]]:
        events = feed_events.to_events(hub, meetings)
        unknown = {
            meeting.id: (event, document.event_key(event, with_people=False))
            for meeting, event in zip(meetings, events, strict=True)
            if document.kept_lines(event, with_people=False) is None
        }
        return events, unknown

    def build(stored: dict[int, tuple[str, bytes]]) -> tuple[bytes, list[_Lines]]:
        fresh, known = [], []
        for meeting_id, (event, key) in unknown.items():
            found = stored.get(meeting_id)
            if found is not None and found[0] == key:
                known.append((event, found[1]))
            else:
                fresh.append((meeting_id, event, key))
        document.keep_lines(known, with_people=False)
        body = build_feed(events, name=target.name, tzid=hub.settings.timezone)
        written = [
            (meeting_id, key, document.event_lines(event, with_people=False))
            for meeting_id, event, key in fresh
        ]
        return body, written

    # Writing a thousand events is CPU work: a thread keeps the event loop (every other
    # request, every chat socket) running meanwhile. Lines this process has not written yet
    # come from the database when they were stored under the same key (after a restart: all
    # of them), and newly written ones are stored for the next start.
    events, unknown = await asyncio.to_thread(events_and_unknown)
    stored: dict[int, tuple[str, bytes]] = {}
    if unknown:
        async with hub.db.read() as reader:
            stored = await feeds.event_lines(reader, unknown)
    body, written = await asyncio.to_thread(build, stored)
    etag = _etag(body)
    changed_at = None if etag == token.etag else now
    async with hub.db.write() as tx:
        await feeds.record_build(tx, token.id, etag=etag, stamp=head.stamp, changed_at=changed_at)
        if written:
            await feeds.store_event_lines(tx, written)
    last_modified = (changed_at or token.content_changed_at or now).replace(microsecond=0)
    return FeedFile(body, etag, last_modified, _filename(target.name))
