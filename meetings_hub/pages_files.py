"""The coordinator's page of storage used by shared files, per room and per library."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from meetings_hub.actions import files
from meetings_hub.keys import hub_key
from meetings_hub.pages import require_signed_in


def human_size(size: int, lang: str = "pl") -> str:
    """1234567 → "1,2 MB" (Polish decimal comma) or "1.2 MB", 2000 → "2 kB"; decimal units, as
    disks and the room page count."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            text = f"{value:.0f}" if unit == "B" else f"{value:.1f}".removesuffix(".0")
            return (text.replace(".", ",") if lang == "pl" else text) + " " + unit
        value /= 1000
    raise AssertionError("unreachable")


@aiohttp_jinja2.template("files_storage.html")
async def storage_page(request: web.Request) -> dict[str, Any]:
    actor = require_signed_in(request)
    usage = await files.storage_usage(request.app[hub_key], actor)
    return {"usage": usage, "human_size": human_size}


def install(app: web.Application) -> None:
    app.router.add_get("/storage", storage_page)
