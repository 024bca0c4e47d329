"""Expectations for the authorisation walk: which roles may call each route, what the rest get.

The walk (``tests/foundation/test_route_walk.py``) starts a fresh demo server per role, lists
every route the app registers under ``/api/``, ``/feeds/`` and ``/files/`` (plus ``/healthz``
and ``/metrics``), and calls each one as each role. A route without a case fails the walk.

Writing cases (one module per feature: ``foundation.py``, ``scheduling.py``, ``feeds.py``,
``rooms.py``, ``files.py``; every module in this package with a ``CASES`` list is collected)::

    from tests.route_cases import PEOPLE, STAFF, Case

    CASES = [
        # Any signed-in person gets 2xx; anonymous gets 401, a guest 403 (the defaults).
        Case("GET", "/api/v1/libraries", allowed=PEOPLE),
        # Path ids come from World.ids by placeholder name: {library_id} -> ids["library_id"].
        # The lead of ANOTHER network must not see it: 404, not 403 (hidden ids reveal nothing).
        Case("GET", "/api/v1/libraries/{library_id}", allowed={"partner", "lead", "coordinator"},
             refused={"other_lead": 404}),
        # Bodies: a dict, or a function (world, prepared) -> dict for values that must differ
        # per call (world.unique("Library") gives a fresh name each time).
        Case("POST", "/api/v1/libraries", allowed={"coordinator"},
             body=lambda w, p: {"name": w.unique("Biblioteka"), "kind": "municipal", ...}),
        # State-changing calls that would spoil later calls make their own target first:
        # prepare(world, role) runs before the request and returns values that fill path ids
        # (by placeholder name) and are handed to the body function.
        Case("DELETE", "/api/v1/networks/{network_id}/members/{library_id}",
             allowed={"lead", "coordinator"}, prepare=fresh_member),
    ]

A route may have several cases, e.g. the same path once with the guest's meeting and once with
``ids={"meeting_id": "other_meeting_id"}`` to prove a guest of one meeting cannot use another.
``path`` is the template as aiohttp registers it, without regex parts (``{file_id}``, not
``{file_id:\\d+}``); ids may be strings too (e.g. a feed token in ``/feeds/{token}.ics``).
Routes with a body get the bad-input test for free (it derives wrong bodies from the valid one),
so the valid body must really be valid for the first allowed role in the order coordinator,
lead, partner, other_lead, guest, anonymous.

Roles (``ROLES``): ``anonymous`` (no cookie), ``guest`` (entered meeting ``ids["meeting_id"]``
by a guest link), ``partner`` (partner@example.org, Chęciny, Morawica network), ``lead``
(lead@example.org, lead of the Morawica network), ``other_lead`` (lead of the Korsze network:
proves scoping; objects in World.ids belong to Morawica unless named ``other_*``),
``coordinator`` (koordynator@example.org). Role sets: ``EVERYONE``, ``SIGNED_IN`` (all but
anonymous), ``PEOPLE`` (accounts: partner, lead, other_lead, coordinator), ``STAFF`` (lead,
other_lead, coordinator), ``MANAGERS`` (lead, coordinator — they manage the Morawica network).

Every refusal with 404 is also compared with the answer the same call gets with each int id of
its path replaced by a missing one (cases with ``body_ids`` aside, whose 404 may come from the
body): a hidden object must answer byte for byte as a missing one, the ids masked.

Ids in the BODY that name another object (a library, person, network...) are listed in
``body_ids``; for every role but the coordinator (who sees everything) the walk also sends the
body with that id replaced by one of an object the role cannot see and by one that does not
exist. Both must be refused with the same answer (status and JSON, the ids aside), and nothing
stored may change: another network's id must be exactly as unknown as a missing one::

    Case("POST", V1 + "/networks/{network_id}/members", allowed=MANAGERS, ...,
         body_ids=(BodyId("library_id", ours="library_id", theirs="other_library_id"),)),

``ours`` names the Morawica object (hidden from ``other_lead``), ``theirs`` the Korsze one
(hidden from the partner, the lead and the guest). ``"member_ids[]"`` puts the id in a list;
``template="p:{}"`` writes it into a string. A route whose path the other network's lead may
use (``ids={"network_id": "other_network_id"}``) gets its own case so her body ids are tried.

Answers: an allowed role must get a 2xx (or exactly ``ok`` when set); any other role must get
``refused.get(role)`` or by default 401 for anonymous and 403 for everyone else. Every refusal
must carry ``{"error": {"code", "message", "details"}}``. Each role's calls go through a new
session of that role made for the call (logging out or changing the password spoils nothing),
but the database is shared by one role's calls, in the order of the ``CASES`` lists.

World.ids (all made from ``meetings_hub.demo_data`` plus a few objects the walk adds):
``network_id`` (Morawica), ``other_network_id`` (Korsze), ``lead_library_id`` (Morawica),
``library_id`` (Chęciny, partner in Morawica), ``other_library_id`` (Reszel, in Korsze),
``free_library_id`` (in no network), ``person_id`` (the partner), ``lead_person_id``,
``other_lead_person_id``, ``coordinator_person_id``, ``colleague_person_id`` (Barbara Lis,
Chęciny), ``other_person_id`` (a partner librarian in Korsze), ``meeting_id`` (a Morawica
meeting created by the lead; the guest's meeting), ``other_meeting_id`` (a Korsze meeting),
``invitation_id`` (the guest's invitation to ``meeting_id``), ``guest_id``. A feature adds its
own objects with a module-level ``async def setup_world(world: World) -> None`` that stores ids in
``world.ids`` (it runs once per server, after the foundation's, in module-name order).
``world.hub`` is the running server's Hub (actions and storage can be called with it);
``world.emails[role]`` and ``DEMO_PASSWORD`` sign anyone in; ``await world.sign_in(role)``
gives a fresh (session cookie, CSRF token) pair without argon2, for a feature's own tests
(``tests.foundation.walk_support``: ``start_world(tmp_path)`` gives a server with this world,
``client_as(server, world, role)`` a signed-in ``tests.support.Client``).
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import ModuleType
from typing import Any

from meetings_hub import auth
from meetings_hub.actions.demo import DEMO_PASSWORD
from meetings_hub.hub import Hub
from meetings_hub.storage import sessions
from meetings_hub.storage.timefmt import now_utc

ROLES: tuple[str, ...] = ("anonymous", "guest", "partner", "lead", "other_lead", "coordinator")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
PEOPLE = frozenset({"partner", "lead", "other_lead", "coordinator"})
STAFF = frozenset({"lead", "other_lead", "coordinator"})
MANAGERS = frozenset({"lead", "coordinator"})
NOBODY: frozenset[str] = frozenset()

# The paths the walk covers; every route under them needs a case.
WALKED_PREFIXES = ("/api/", "/feeds/", "/files/")
WALKED_PATHS = ("/healthz", "/metrics")

__all__ = [
    "DEMO_PASSWORD",
    "EVERYONE",
    "MANAGERS",
    "NOBODY",
    "PEOPLE",
    "ROLES",
    "SIGNED_IN",
    "STAFF",
    "BodyId",
    "Case",
    "World",
    "all_cases",
    "default_refusal",
    "setup_hooks",
]


@dataclass
class World:
    """The demo world one server runs with: ids by name, emails by role, fresh names."""

    hub: Hub
    ids: dict[str, Any] = field(default_factory=dict)  # ints, or strings such as feed tokens
    emails: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # anything else a feature wants to keep
    # role -> ("person", id) or ("guest", id): whom sign_in makes a session for.
    actors: dict[str, tuple[str, int]] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def unique(self, prefix: str = "x") -> str:
        """A new string on every call, for names and emails that must not collide."""
        return f"{prefix} {next(self._counter)}"

    def unique_email(self, prefix: str = "new") -> str:
        return f"{prefix}{next(self._counter)}@example.org"

    async def sign_in(self, role: str) -> tuple[str, str] | None:
        """A new session for the role, made in the database: (cookie value, CSRF token).

        None for anonymous. Real sign-in is tested on its own; minting here keeps argon2 out of
        the walk's hundreds of calls, and one call's logout cannot spoil the next.
        """
        if role == "anonymous":
            return None
        kind, actor_id = self.actors[role]
        token, csrf = auth.new_token(), auth.new_token()
        async with self.hub.db.write() as tx:
            await sessions.insert(
                tx,
                session_id=auth.token_id(token),
                person_id=actor_id if kind == "person" else None,
                guest_id=actor_id if kind == "guest" else None,
                csrf_token=csrf,
                expires_at=now_utc() + timedelta(days=1),
                user_agent="route walk",
            )
        return token, csrf


@dataclass(frozen=True)
class BodyId:
    """An id in a request body that names an object of some network (see the module doc)."""

    field: str  # a key of the body; "name[]" for the single item of a list
    ours: str  # World.ids key of a Morawica object
    theirs: str  # World.ids key of the matching Korsze object
    template: str = "{}"  # how the id is written, e.g. "p:{}" for a who-key

    def foreign_to(self, role: str) -> str | None:
        """The World.ids key of the object this role must not reach; None for the coordinator."""
        if role == "coordinator":
            return None
        return self.ours if role == "other_lead" else self.theirs

    def put(self, body: Any, value: int) -> Any:
        assert isinstance(body, dict), "body_ids need a JSON object body"
        written: Any = self.template.format(value) if self.template != "{}" else value
        name = self.field.removesuffix("[]")
        return {**body, name: [written] if self.field.endswith("[]") else written}


Prepared = dict[str, Any]
Body = Mapping[str, Any] | list[Any] | Callable[[World, Prepared], Any] | None
Prepare = Callable[[World, str], Awaitable[Prepared]]


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # the registered template, e.g. "/api/v1/libraries/{library_id}"
    allowed: frozenset[str] | set[str] = NOBODY
    refused: Mapping[str, int] = field(default_factory=dict)
    body: Body = None
    prepare: Prepare | None = None
    ids: Mapping[str, int | str] = field(default_factory=dict)  # placeholder -> id or World.ids key
    ok: int | None = None  # the exact success status, when it matters
    headers: Mapping[str, str] = field(default_factory=dict)
    note: str = ""  # why this expectation (shown when the case fails)
    body_ids: tuple[BodyId, ...] = ()  # ids in the body the walk swaps for hidden ones

    def __post_init__(self) -> None:
        unknown = (set(self.allowed) | set(self.refused)) - EVERYONE
        if unknown:
            raise ValueError(f"{self.method} {self.path}: unknown roles {sorted(unknown)}")
        both = set(self.allowed) & set(self.refused)
        if both:
            raise ValueError(f"{self.method} {self.path}: {sorted(both)} allowed and refused")

    @property
    def key(self) -> tuple[str, str]:
        return (self.method.upper(), self.path)

    def expected(self, role: str) -> int | None:
        """None for an allowed role (any 2xx, or ``ok``), else the refusal status."""
        if role in self.allowed:
            return None
        return self.refused.get(role, default_refusal(role))

    def fill_path(self, world: World, prepared: Prepared) -> str:
        path = self.path
        while "{" in path:
            start = path.index("{")
            end = path.index("}", start)
            name = path[start + 1 : end].split(":")[0]
            if name in prepared:
                value: Any = prepared[name]
            elif name in self.ids:
                ref = self.ids[name]
                value = world.ids[ref] if isinstance(ref, str) else ref
            else:
                value = world.ids[name]
            path = path[:start] + str(value) + path[end + 1 :]
        return path

    def make_body(self, world: World, prepared: Prepared) -> Any:
        if callable(self.body):
            return self.body(world, prepared)
        return self.body


def default_refusal(role: str) -> int:
    return 401 if role == "anonymous" else 403


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
    ]


def _ordered(modules: list[ModuleType]) -> list[ModuleType]:
    # The foundation's world comes first: features build on its ids.
    def key(module: ModuleType) -> tuple[bool, str]:
        return (module.__name__.rsplit(".", 1)[-1] != "foundation", module.__name__)

    return sorted(modules, key=key)


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for module in _ordered(_modules()):
        cases.extend(getattr(module, "CASES", []))
    return cases


def setup_hooks() -> list[Callable[[World], Awaitable[None]]]:
    return [m.setup_world for m in _ordered(_modules()) if hasattr(m, "setup_world")]
