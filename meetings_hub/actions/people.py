"""People: who may list, add and edit whom; profiles; account invitations."""

from __future__ import annotations

from typing import Literal

import msgspec

from meetings_hub.actions import audit, session
from meetings_hub.actions.access import Scope, not_found_unless, require_person, scope_of
from meetings_hub.actions.access_events import access_changed
from meetings_hub.actions.validate import FieldErrors, Id
from meetings_hub.domain import Actor, Language, Person, Role, TokenPurpose
from meetings_hub.errors import Conflict, Forbidden
from meetings_hub.hub import Hub
from meetings_hub.storage import libraries, people
from meetings_hub.storage.db import Tx


class PersonInput(msgspec.Struct, forbid_unknown_fields=True):
    full_name: str
    email: str
    role: Role
    library_id: Id | None = None
    language: Language = Language.PL
    timezone: str = "Europe/Warsaw"
    send_invitation: bool = True


class PersonPatch(msgspec.Struct, forbid_unknown_fields=True):
    full_name: str | None = None
    email: str | None = None
    role: Role | None = None
    library_id: Id | None = None
    language: Language | None = None
    timezone: str | None = None
    active: bool | None = None


class ProfilePatch(msgspec.Struct, forbid_unknown_fields=True):
    full_name: str | None = None
    language: Language | None = None
    timezone: str | None = None
    calendar_declined: Literal["mark", "hide"] | None = None


def _check_fields(errors: FieldErrors, data: PersonInput | PersonPatch | ProfilePatch) -> None:
    errors.text("full_name", data.full_name, max_len=120)
    errors.email("email", getattr(data, "email", None))
    errors.timezone("timezone", data.timezone)


async def list_people(hub: Hub, actor: Actor) -> list[Person]:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        if scope.everything:
            return await people.list_all(reader)
        return await people.list_in_libraries(reader, set(scope.library_ids))


async def get_person(hub: Hub, actor: Actor, person_id: int) -> Person:
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
        person = await people.get(reader, person_id)
    visible = person is not None and (
        scope.everything
        or person.id == actor.person.id  # type: ignore[union-attr]
        or (person.library_id is not None and scope.sees_library(person.library_id))
    )
    not_found_unless(visible, "Person")
    assert person is not None
    return person


def _check_may_manage(actor: Actor, scope_manages: bool, role: Role) -> None:
    """Coordinators manage everyone; a lead librarian manages partner librarians in her network."""
    if actor.role is Role.COORDINATOR:
        return
    if actor.role is Role.LEAD_LIBRARIAN and scope_manages and role is Role.PARTNER_LIBRARIAN:
        return
    raise Forbidden("You may not manage this person.")


async def _check_library(tx: Tx, scope: Scope, library_id: int) -> None:
    """A library the caller cannot see is as unknown as a missing one (ids are no oracle)."""
    if await libraries.get(tx, library_id) is None or not scope.sees_library(library_id):
        errors = FieldErrors()
        errors.add("library_id", "Unknown library.")
        errors.raise_if_any()


async def create_person(hub: Hub, actor: Actor, data: PersonInput) -> Person:
    errors = FieldErrors()
    _check_fields(errors, data)
    if data.role is not Role.COORDINATOR and data.library_id is None:
        errors.add("library_id", "Librarians belong to a library.")
    errors.raise_if_any()
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        if data.library_id is not None:
            await _check_library(tx, scope, data.library_id)
        manages = data.library_id is not None and scope.manages_library(data.library_id)
        _check_may_manage(actor, manages, data.role)
        if await people.get_by_email(tx, data.email.strip()):
            raise Conflict("Somebody with this email address already exists.")
        person_id = await people.insert(
            tx,
            full_name=data.full_name.strip(),
            email=data.email.strip(),
            library_id=None if data.role is Role.COORDINATOR else data.library_id,
            role=data.role,
            language=data.language,
            timezone=data.timezone,
        )
        person = await people.get(tx, person_id)
        await audit.record(
            tx,
            actor,
            "person.create",
            f"person:{person_id}",
            {"role": data.role.value, "library_id": data.library_id},
        )
    assert person is not None
    if data.send_invitation:
        await session.issue_link(hub, person, TokenPurpose.ACCOUNT_INVITATION)
    return person


async def update_person(hub: Hub, actor: Actor, person_id: int, data: PersonPatch) -> Person:
    errors = FieldErrors()
    _check_fields(errors, data)
    errors.raise_if_any()
    async with hub.db.write() as tx:
        scope = await scope_of(tx, actor)
        current = await people.get(tx, person_id)
        visible = current is not None and (
            scope.everything
            or (current.library_id is not None and scope.sees_library(current.library_id))
        )
        not_found_unless(visible, "Person")
        assert current is not None
        manages = current.library_id is not None and scope.manages_library(current.library_id)
        _check_may_manage(actor, manages, current.role)
        if data.role is not None:
            _check_may_manage(actor, manages, data.role)
        if data.library_id is not None:
            await _check_library(tx, scope, data.library_id)
            _check_may_manage(actor, scope.manages_library(data.library_id), current.role)
        if data.email is not None:
            other = await people.get_by_email(tx, data.email.strip())
            if other is not None and other.id != person_id:
                raise Conflict("Somebody with this email address already exists.")
        if actor.person and actor.person.id == person_id and data.active is False:
            raise Conflict("You cannot deactivate your own account.")
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        for key in ("role", "language"):
            if key in changes:
                changes[key] = changes[key].value
        await people.update(tx, person_id, changes)
        await audit.record(tx, actor, "person.update", f"person:{person_id}", _audited(changes))
        person = await people.get(tx, person_id)
        # A disabled account, another library or role: open chat sockets follow at once.
        tx.after_commit(access_changed(hub, who=f"p:{person_id}"))
    assert person is not None
    return person


def _audited(changes: dict[str, object]) -> dict[str, object]:
    """What the audit log keeps of a change: role, library and active state by value, names
    and addresses only by the fact of the change (the log holds no personal data itself)."""
    kept = {k: v for k, v in changes.items() if k in ("role", "library_id", "active")}
    return {**kept, "changed": sorted(changes)}


async def invite_person(hub: Hub, actor: Actor, person_id: int) -> None:
    person = await get_person(hub, actor, person_id)
    async with hub.db.read() as reader:
        scope = await scope_of(reader, actor)
    manages = person.library_id is not None and scope.manages_library(person.library_id)
    _check_may_manage(actor, manages, person.role)
    await session.issue_link(hub, person, TokenPurpose.ACCOUNT_INVITATION)
    async with hub.db.write() as tx:
        await audit.record(tx, actor, "person.invite", f"person:{person_id}")


async def update_profile(hub: Hub, actor: Actor, data: ProfilePatch) -> Person:
    require_person(actor)
    assert actor.person is not None
    errors = FieldErrors()
    _check_fields(errors, data)
    errors.raise_if_any()
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
    if "language" in changes:
        changes["language"] = changes["language"].value
    async with hub.db.write() as tx:
        await people.update(tx, actor.person.id, changes)
        person = await people.get(tx, actor.person.id)
    assert person is not None
    return person
