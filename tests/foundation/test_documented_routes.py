"""Every route the docs name exists: a documented but unregistered route misleads API users
(``GET /api/v1/rooms/{id}`` was in docs/realtime.md and answered 404)."""

from __future__ import annotations

import re
from pathlib import Path

from meetings_hub.app import create_app
from tests.support import REPO, make_settings

METHODS = "GET|HEAD|POST|PUT|PATCH|DELETE"
# `GET /path` inline, and table rows "| GET | `/path`, `/other` | ...".
INLINE = re.compile(rf"`({METHODS}) (/[^`\s]*)`")
ROW = re.compile(rf"^\| ({METHODS}) \| ((?:`/[^`]*`(?:, )?)+) \|", re.MULTILINE)
TABLE_PATH = re.compile(r"`(/[^`]*)`")
# "{id}", "<token>.ics", "7" and "<UTC start>" all stand for one path segment.
PLACEHOLDER = re.compile(r"(?:\{[^}]*\}|<[^>]*>|(?<=/)\d+(?=/|$|\.))[^/]*")
# Paths the tables name in full; any other table path is relative to /api/v1.
FULL = ("/api/", "/files/", "/feeds/", "/healthz", "/metrics")


def _shape(path: str) -> str:
    return PLACEHOLDER.sub("{}", path.split("?")[0])


def documented_routes() -> set[tuple[str, str, tuple[str, ...]]]:
    """(doc file, method, the paths it may mean) of every route the docs name."""
    found = set()
    for doc in sorted((REPO / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for method, path in INLINE.findall(text):
            # Inline, "POST /meetings" may be relative to /api/v1 (scheduling.md does so).
            found.add((doc.name, method, (path, "/api/v1" + path)))
        for method, cell in ROW.findall(text):
            for path in TABLE_PATH.findall(cell):
                full = path if path.startswith(FULL) else "/api/v1" + path
                found.add((doc.name, method, (full,)))
    return found


async def test_every_documented_route_is_registered(tmp_path: Path) -> None:
    app = await create_app(make_settings(tmp_path))
    registered = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or ""
        # Regex parts ("{file_id:\d+}") are placeholders too.
        path = re.sub(r"\{([^}:]*):[^}]*\}", r"{\1}", path)
        registered.add((route.method, _shape(path)))
    documented = documented_routes()
    assert len(documented) > 40, "the docs' route patterns were not found"
    missing = sorted(
        f"{doc}: {method} {paths[0]}"
        for doc, method, paths in documented
        if not {(method, _shape(p)) for p in paths} & registered
    )
    assert not missing, "documented routes the app does not register:\n" + "\n".join(missing)
